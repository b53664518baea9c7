"""Export the whole registry as a ``tym-registry/1`` bundle.

The output is canonical: fields in the order of ``schema``, lists sorted (networks and
TYP networks by id, municipality and area lists by code, staff by year/organisation/
profession, maturity by year, dated records by their period), so export → load →
export gives the same bytes with ``dump``. The per-list exporters are also what
``load`` compares with, to leave unchanged records untouched.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.registry.agreements.models import Agreement
from portal.registry.bundle import schema
from portal.registry.networks.models import Network, OrgType, SteeringGroup, TypNetwork
from portal.registry.staff.models import StaffResource


class RegistryMixed(ValueError):
    """The registry holds both real and synthetic records: no bundle can say which."""


def dump(document: dict) -> str:
    """The bundle as text: UTF-8 JSON, two-space indent, fields in order, final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def export_registry(session: Session) -> dict:
    """The whole registry (networks with all their records, TYP networks) as a bundle."""
    networks = list(session.scalars(select(Network).order_by(Network.id).options(
        selectinload(Network.areas), selectinload(Network.exceptions),
        selectinload(Network.leaders),
        selectinload(Network.steering_groups).selectinload(SteeringGroup.seats),
        selectinload(Network.maturity))))
    typ = list(session.scalars(select(TypNetwork).order_by(TypNetwork.id)
                               .options(selectinload(TypNetwork.municipalities))))
    agreements = by_network(session.scalars(
        select(Agreement).options(selectinload(Agreement.sections))))
    staff = by_network(session.scalars(select(StaffResource)))

    flags = {n.synthetic for n in networks} | {p.synthetic for p in typ}
    if len(flags) > 1:
        raise RegistryMixed("the registry mixes real and synthetic records; "
                            "reload it from one bundle before exporting")
    sources = {r.source for group in (networks, typ, *agreements.values(), *staff.values())
               for r in group if r.source}
    return {
        "format": schema.FORMAT,
        "synthetic": flags.pop() if flags else False,
        "source": "; ".join(sorted(sources)),
        "networks": [network_record(n, agreements.get(n.id, []), staff.get(n.id, []))
                     for n in networks],
        "typ_networks": [typ_record(p) for p in typ],
    }


def network_record(network: Network, agreements: Iterable[Agreement],
                   staff: Iterable[StaffResource]) -> dict:
    children = {
        "employment_areas": network.areas, "municipality_exceptions": network.exceptions,
        "leaders": network.leaders, "steering_groups": network.steering_groups,
        "agreements": agreements, "staff": staff, "maturity": network.maturity,
    }
    record: dict[str, Any] = {
        "id": network.id,
        "name_fi": network.name_fi,
        "name_sv": network.name_sv,
        "county": network.county_code,
        "status": _value(network.status),
        "valid_from": _date(network.valid_from),
        "valid_to": _date(network.valid_to),
        "last_confirmed_on": _date(network.last_confirmed_on),
    }
    for name, items in children.items():
        record[name] = EXPORTERS[name](items)
    return record


def typ_record(network: TypNetwork) -> dict:
    return {
        "id": network.id,
        "name": network.name,
        "valid_from": _date(network.valid_from),
        "valid_to": _date(network.valid_to),
        "municipalities": sorted(m.municipality_code for m in network.municipalities),
    }


# --- one exporter per list of a network: ORM objects → sorted plain records -----------

def export_areas(areas) -> list[str]:
    return sorted(a.area_id for a in areas)


def export_exceptions(exceptions) -> list[dict]:
    return sorted(({"municipality": e.municipality_code, "kind": _value(e.kind),
                    "reason": e.reason or ""} for e in exceptions),
                  key=lambda r: r["municipality"])


def export_leaders(leaders) -> list[dict]:
    rows = [{"title": x.title, "organisation": x.organisation, "name": x.name,
             "public_contact": x.public_contact, "valid_from": _date(x.valid_from),
             "valid_to": _date(x.valid_to)} for x in leaders]
    return _sorted_by_period(rows)


def export_steering_groups(groups) -> list[dict]:
    order = list(OrgType)
    rows = []
    for g in groups:
        seats = sorted(g.seats, key=lambda s: order.index(OrgType(s.org_type)))
        rows.append({
            "valid_from": _date(g.valid_from),
            "valid_to": _date(g.valid_to),
            "chair": _value(g.chair),
            "vice_chair": _value(g.vice_chair),
            "seats": {_value(s.org_type): s.count for s in seats},
            "member_names": {_value(s.org_type): _lines(s.member_names)
                             for s in seats if _lines(s.member_names)},
        })
    return _sorted_by_period(rows)


def export_agreements(agreements) -> list[dict]:
    rows = []
    for a in agreements:
        rows.append({
            "parties": _lines(a.parties),
            "signed_on": _date(a.signed_on),
            "valid_from": _date(a.valid_from),
            "valid_to": _date(a.valid_to),
            "document_url": a.document_url,
            "sections": {str(s.number): _value(s.coding)
                         for s in sorted(a.sections, key=lambda s: s.number)},
            "objectives_specific": a.objectives_specific,
            "target_group_defined": a.target_group_defined,
            "shared_service_points": a.shared_service_points,
            "services": {name: bool(getattr(a, f"services_{name}"))
                         for name in schema.SERVICES},
            "cost_sharing": _value(a.cost_sharing),
            "information_system": a.information_system or "",
        })
    return _sorted_by_period(rows, "signed_on")


def export_staff(rows) -> list[dict]:
    out = [{"year": r.year, "organisation": _value(r.organisation), "profession": r.profession,
            "sector": _value(r.sector), "fte": float(r.fte)} for r in rows]
    return sorted(out, key=lambda r: (r["year"], r["organisation"], r["profession"]))


def export_maturity(rows) -> list[dict]:
    out = [{"year": m.year, "level": m.level, "assessed_on": _date(m.assessed_on),
            "notes": m.notes or ""} for m in rows]
    return sorted(out, key=lambda r: r["year"])


EXPORTERS: dict[str, Callable[[Any], list]] = {
    "employment_areas": export_areas,
    "municipality_exceptions": export_exceptions,
    "leaders": export_leaders,
    "steering_groups": export_steering_groups,
    "agreements": export_agreements,
    "staff": export_staff,
    "maturity": export_maturity,
}


# --- helpers ----------------------------------------------------------------------------

def by_network(rows) -> dict[str, list]:
    """Rows of a per-network table grouped by ``network_id``."""
    grouped: dict[str, list] = {}
    for row in rows:
        grouped.setdefault(row.network_id, []).append(row)
    return grouped


def _value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _lines(text: str | None) -> list[str]:
    return [line for line in (text or "").split("\n") if line]


def _sorted_by_period(rows: list[dict], also: str | None = None) -> list[dict]:
    """Dated records by start (open first), end (open last), then their whole content."""
    def key(row: dict) -> tuple:
        return (row["valid_from"] or "", row["valid_to"] or "9999-12-31",
                (row.get(also) or "") if also else "",
                json.dumps(row, ensure_ascii=False, sort_keys=True))
    return sorted(rows, key=key)

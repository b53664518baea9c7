"""Load a ``tym-registry/1`` bundle: validate it, then make the registry equal to it.

``load_registry`` replaces the registry as a whole (networks with all their records, TYP
networks) inside the caller's transaction. A bundle with any problem writes nothing and
raises ``BundleInvalid`` listing every problem. Records equal to what is stored are left
untouched, so a network keeps its row (and the editors assigned to it) and reloading the
same bundle changes nothing; networks missing from the bundle are deleted.

A registry is never a silent mix of real and synthetic data: replacing a registry whose
``synthetic`` flag differs from the bundle's needs ``replace=True``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.registry.agreements.models import Agreement, AgreementSection
from portal.registry.bundle import export, schema
from portal.registry.bundle.reference import Reference
from portal.registry.bundle.schema import get, parse_date
from portal.registry.bundle.validate import validate
from portal.registry.networks.models import (
    Leader,
    MaturityAssessment,
    MunicipalityException,
    Network,
    NetworkArea,
    SteeringGroup,
    SteeringSeat,
    TypMunicipality,
    TypNetwork,
)
from portal.registry.staff.models import StaffResource


class LoadRefused(Exception):
    """The bundle was not loaded and nothing changed; ``problems`` says why."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class BundleInvalid(LoadRefused):
    """The bundle cannot be read or breaks the format or the reference data."""


class MixingRefused(LoadRefused):
    """Loading would replace real data with synthetic data or the other way round."""


# Lists of a network kept as ORM relationships (the rest are separate tables).
RELATIONSHIPS = {
    "employment_areas": "areas", "municipality_exceptions": "exceptions",
    "leaders": "leaders", "steering_groups": "steering_groups", "maturity": "maturity",
}
SEPARATE = ("agreements", "staff")


@dataclass
class LoadReport:
    synthetic: bool
    source: str
    networks: Counter = field(default_factory=Counter)  # inserted/updated/unchanged/removed
    typ_networks: Counter = field(default_factory=Counter)
    records: Counter = field(default_factory=Counter)  # what the registry now holds

    def summary(self) -> str:
        def line(label: str, counts: Counter) -> str:
            return (f"{label}: {counts['inserted']} inserted, {counts['updated']} updated, "
                    f"{counts['unchanged']} unchanged, {counts['removed']} removed")

        held = ", ".join(f"{n} {name}" for name, n in self.records.items())
        kind = "synthetic demonstration data" if self.synthetic else "real data"
        return "\n".join([line("networks", self.networks),
                          line("TYP networks", self.typ_networks),
                          f"registry now holds {held} ({kind})",
                          f"source: {self.source}"])


def parse_bundle(text: str, name: str = "bundle") -> Any:
    """Parse JSON text; a syntax error or a key repeated in one object is a problem."""
    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise _DuplicateKey(repeated[0])
        return dict(pairs)

    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise BundleInvalid([f"{name}: not valid JSON: {exc.msg} "
                             f"(line {exc.lineno}, column {exc.colno})"]) from None
    except _DuplicateKey as exc:
        raise BundleInvalid([f"{name}: key {json.dumps(exc.args[0], ensure_ascii=False)} "
                             "appears twice in one object"]) from None


def read_bundle(path: str | Path) -> Any:
    """Read and parse a bundle file; unreadable or non-JSON files raise ``BundleInvalid``."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise BundleInvalid([f"{path}: not UTF-8 text"]) from None
    except OSError as exc:
        raise BundleInvalid([f"{path}: cannot read the file: {exc.strerror or exc}"]) from None
    return parse_bundle(text, str(path))


def load_registry(session: Session, document: Any, *, replace: bool = False) -> LoadReport:
    """Validate ``document`` and, if it has no problem, make the registry equal to it.

    Raises ``BundleInvalid`` (any problem) or ``MixingRefused`` before writing anything.
    The caller owns the transaction (and says who is writing, for the audit trail).
    """
    problems = validate(document, Reference.from_session(session))
    if problems:
        raise BundleInvalid(problems)
    synthetic, source = document["synthetic"], document["source"]
    if not replace:
        _refuse_mixing(session, synthetic)
    report = LoadReport(synthetic, source)
    _load_networks(session, document["networks"], source, synthetic, report)
    _load_typ_networks(session, document["typ_networks"], source, synthetic, report)
    report.records.update(registry_counts(session))
    return report


def registry_counts(session: Session) -> dict[str, int]:
    """How many records of each kind the registry holds."""
    def count(model) -> int:
        return session.scalar(select(func.count()).select_from(model))

    return {"networks": count(Network), "steering groups": count(SteeringGroup),
            "leaders": count(Leader), "agreements": count(Agreement),
            "staff rows": count(StaffResource), "maturity assessments": count(MaturityAssessment),
            "TYP networks": count(TypNetwork)}


def _refuse_mixing(session: Session, synthetic: bool) -> None:
    held: dict[bool, Counter] = {}
    for model, label in ((Network, "networks"), (TypNetwork, "TYP networks")):
        for flag, n in session.execute(select(model.synthetic, func.count())
                                       .group_by(model.synthetic)):
            held.setdefault(bool(flag), Counter())[label] += n
    if not held or set(held) == {synthetic}:
        return
    now = "; ".join(
        f"{'synthetic demonstration data' if flag else 'real data'} "
        f"({counts['networks']} networks, {counts['TYP networks']} TYP networks)"
        for flag, counts in sorted(held.items()))
    kind = "synthetic demonstration data" if synthetic else "real data"
    raise MixingRefused([
        f"the registry now holds {now}; this bundle is {kind}. A registry is never a mix "
        "of real and synthetic data: use --replace to replace the registry as a whole."])


# --- networks ---------------------------------------------------------------------------

def _load_networks(session: Session, records: list[dict], source: str, synthetic: bool,
                   report: LoadReport) -> None:
    existing = {n.id: n for n in session.scalars(select(Network).options(
        selectinload(Network.areas), selectinload(Network.exceptions),
        selectinload(Network.leaders),
        selectinload(Network.steering_groups).selectinload(SteeringGroup.seats),
        selectinload(Network.maturity)))}
    separate = {
        "agreements": export.by_network(session.scalars(
            select(Agreement).options(selectinload(Agreement.sections)))),
        "staff": export.by_network(session.scalars(select(StaffResource))),
    }
    wanted = {r["id"] for r in records}
    for network_id, network in existing.items():
        if network_id not in wanted:
            for kind in SEPARATE:
                for row in separate[kind].get(network_id, []):
                    session.delete(row)
            session.delete(network)
            report.networks["removed"] += 1

    # First remove every list that changes, then add the new lists: a unique key
    # (an area, a year) may leave and come back in one load.
    pending: list[tuple[Network, dict[str, list]]] = []
    for record in records:
        network = existing.get(record["id"])
        children = _children(record, source)
        if network is None:
            network = Network(id=record["id"], **_network_values(record, source, synthetic))
            session.add(network)
            pending.append((network, children))
            report.networks["inserted"] += 1
            continue
        changed = _assign(network, _network_values(record, source, synthetic))
        new_lists: dict[str, list] = {}
        for kind, items in children.items():
            attribute = RELATIONSHIPS.get(kind)
            old = getattr(network, attribute) if attribute else separate[kind].get(network.id, [])
            if export.EXPORTERS[kind](old) == export.EXPORTERS[kind](items):
                if kind in SEPARATE:
                    for row in old:
                        changed |= _assign(row, {"source": source})
                continue
            changed = True
            new_lists[kind] = items
            if attribute:
                getattr(network, attribute).clear()
            else:
                for row in old:
                    session.delete(row)
        pending.append((network, new_lists))
        report.networks["updated" if changed else "unchanged"] += 1
    session.flush()
    for network, lists in pending:
        for kind, items in lists.items():
            if kind in RELATIONSHIPS:
                getattr(network, RELATIONSHIPS[kind]).extend(items)
            else:
                for row in items:
                    row.network_id = network.id
                    session.add(row)
    session.flush()


def _assign(obj, values: dict[str, Any]) -> bool:
    """Set the attributes that differ; True if any did."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _network_values(record: dict, source: str, synthetic: bool) -> dict[str, Any]:
    f = schema.NETWORK
    return {
        "name_fi": record["name_fi"],
        "name_sv": record["name_sv"],
        "county_code": record["county"],
        "status": _enum(Network.status, record["status"]),
        "valid_from": parse_date(get(record, f, "valid_from")),
        "valid_to": parse_date(get(record, f, "valid_to")),
        "last_confirmed_on": parse_date(get(record, f, "last_confirmed_on")),
        "synthetic": synthetic,
        "source": source,
    }


def _children(record: dict, source: str) -> dict[str, list]:
    """The network's lists as new (unattached) ORM objects."""
    f = schema.NETWORK
    return {
        "employment_areas": [NetworkArea(area_id=a) for a in record["employment_areas"]],
        "municipality_exceptions": [
            MunicipalityException(municipality_code=e["municipality"],
                                  kind=_enum(MunicipalityException.kind, e["kind"]),
                                  reason=get(e, schema.EXCEPTION, "reason"))
            for e in get(record, f, "municipality_exceptions")],
        "leaders": [_leader(x) for x in get(record, f, "leaders")],
        "steering_groups": [_steering_group(g) for g in get(record, f, "steering_groups")],
        "agreements": [_agreement(a, source) for a in get(record, f, "agreements")],
        "staff": [_staff(s, source) for s in get(record, f, "staff")],
        "maturity": [
            MaturityAssessment(year=m["year"], level=m["level"],
                               assessed_on=parse_date(get(m, schema.MATURITY, "assessed_on")),
                               notes=get(m, schema.MATURITY, "notes"))
            for m in get(record, f, "maturity")],
    }


def _leader(record: dict) -> Leader:
    def value(name):
        return get(record, schema.LEADER, name)

    return Leader(title=record["title"], organisation=record["organisation"],
                  name=value("name"), public_contact=value("public_contact"),
                  valid_from=parse_date(value("valid_from")),
                  valid_to=parse_date(value("valid_to")))


def _steering_group(record: dict) -> SteeringGroup:
    def value(name):
        return get(record, schema.STEERING_GROUP, name)

    names = value("member_names")
    vice_chair = value("vice_chair")
    return SteeringGroup(
        chair=_enum(SteeringGroup.chair, record["chair"]),
        vice_chair=vice_chair and _enum(SteeringGroup.vice_chair, vice_chair),
        valid_from=parse_date(value("valid_from")),
        valid_to=parse_date(value("valid_to")),
        seats=[SteeringSeat(org_type=_enum(SteeringSeat.org_type, org), count=count,
                            member_names="\n".join(names.get(org, [])))
               for org, count in record["seats"].items()])


def _agreement(record: dict, source: str) -> Agreement:
    def value(name):
        return get(record, schema.AGREEMENT, name)

    services = value("services")
    return Agreement(
        parties="\n".join(record["parties"]),
        signed_on=parse_date(value("signed_on")),
        valid_from=parse_date(value("valid_from")),
        valid_to=parse_date(value("valid_to")),
        document_url=value("document_url"),
        objectives_specific=value("objectives_specific"),
        target_group_defined=value("target_group_defined"),
        shared_service_points=value("shared_service_points"),
        cost_sharing=_enum(Agreement.cost_sharing, value("cost_sharing")),
        information_system=value("information_system"),
        source=source,
        sections=[AgreementSection(number=int(number),
                                   coding=_enum(AgreementSection.coding, coding))
                  for number, coding in value("sections").items()],
        **{f"services_{name}": bool(services.get(name, False)) for name in schema.SERVICES},
    )


def _staff(record: dict, source: str) -> StaffResource:
    return StaffResource(year=record["year"],
                         organisation=_enum(StaffResource.organisation, record["organisation"]),
                         profession=record["profession"],
                         sector=_enum(StaffResource.sector, record["sector"]),
                         fte=float(record["fte"]), source=source)


def _enum(column, value: str):
    """The enum member of a model's enum column for ``value``."""
    return column.property.columns[0].type.enum_class(value)


# --- TYP networks -------------------------------------------------------------------------

def _load_typ_networks(session: Session, records: list[dict], source: str, synthetic: bool,
                       report: LoadReport) -> None:
    existing = {p.id: p for p in session.scalars(
        select(TypNetwork).options(selectinload(TypNetwork.municipalities)))}
    wanted = {r["id"] for r in records}
    for typ_id, network in existing.items():
        if typ_id not in wanted:
            session.delete(network)
            report.typ_networks["removed"] += 1
    pending: list[tuple[TypNetwork, list[str]]] = []
    for record in records:
        values = {
            "name": record["name"],
            "valid_from": parse_date(get(record, schema.TYP_NETWORK, "valid_from")),
            "valid_to": parse_date(get(record, schema.TYP_NETWORK, "valid_to")),
            "synthetic": synthetic,
            "source": source,
        }
        codes = sorted(record["municipalities"])
        network = existing.get(record["id"])
        if network is None:
            network = TypNetwork(id=record["id"], **values)
            session.add(network)
            pending.append((network, codes))
            report.typ_networks["inserted"] += 1
            continue
        changed = _assign(network, values)
        if sorted(m.municipality_code for m in network.municipalities) != codes:
            network.municipalities.clear()
            pending.append((network, codes))
            changed = True
        report.typ_networks["updated" if changed else "unchanged"] += 1
    session.flush()
    for network, codes in pending:
        network.municipalities.extend(TypMunicipality(municipality_code=c) for c in codes)
    session.flush()


class _DuplicateKey(ValueError):
    pass

"""Editing a network's record: the framework-free functions the web forms (and the
admin's restore) call.

A network's record is edited in *parts*: ``details`` (names, status, period, last
confirmation), ``leaders``, ``steering_groups``, ``agreements``, ``staff`` and
``maturity``. A part's value is plain data in the ``tym-registry/1`` shape
(docs/registry-format.md) with an ``id`` on each list item, e.g. a steering group::

    {"id": 7, "valid_from": "2025-01-01", "valid_to": None, "chair": "employment_authority",
     "vice_chair": "county_social", "seats": {"employment_authority": 5, "kela": 1},
     "member_names": {}}

Every save goes through ``save_part``:

1. optimistic concurrency: the caller passes the network ``version`` its form was
   opened with; another version raises ``Conflict`` and nothing is written;
2. validation with the registry bundle's own rules (``portal.registry.bundle.validate``
   on the county's networks with the new part in place), so a form can never save what
   ``tym load registry`` would reject - field rules, chair seats, overlapping periods,
   and the county's municipality coverage. Only problems the change *introduces* count;
   they come back as ``Invalid`` with the path of each problem inside the part;
3. the change is applied in place (rows keep their ids, so the audit trail shows
   field-by-field updates) and ``Network.version`` is bumped, also when only child rows
   changed. A concurrent save that slipped in between raises ``Conflict`` at flush.

The caller owns the transaction and says who is writing (``set_actor``): every row
changed here is recorded by the audit recorder.
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal.registry.agreements.models import (
    MODEL_SECTIONS,
    Agreement,
    AgreementDocument,
    AgreementSection,
    CostSharing,
    SectionCoding,
)
from portal.registry.audit.recorder import to_json
from portal.registry.bundle import export, schema
from portal.registry.bundle.reference import Reference
from portal.registry.bundle.schema import parse_date
from portal.registry.bundle.validate import validate
from portal.registry.networks.models import (
    Leader,
    MaturityAssessment,
    Network,
    NetworkStatus,
    OrgType,
    SteeringGroup,
    SteeringSeat,
)
from portal.registry.staff.models import Sector, StaffOrganisation, StaffResource

PARTS: tuple[str, ...] = ("details", "leaders", "steering_groups", "agreements", "staff",
                          "maturity")
DETAILS = ("name_fi", "name_sv", "status", "valid_from", "valid_to", "last_confirmed_on")
# Provenance of rows created through the portal's forms.
FORM_SOURCE = "tym-portal form"
# Beyond the bundle's rules: the database stores seats as a 32-bit integer, and no
# steering group has anywhere near this many members.
SEATS_MAX = 999
MATURITY_STEPS = tuple(range(schema.LEVEL_MIN, schema.LEVEL_MAX + 1))

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCUMENT_TYPES = {".pdf": PDF, ".docx": DOCX}


# --- errors ---------------------------------------------------------------------------

class EditError(Exception):
    """An edit was refused; nothing was written."""


class NetworkNotFound(EditError, LookupError):
    pass


class UnknownRecord(EditError, LookupError):
    """An id that is not one of this network's records (e.g. another network's row)."""


class Conflict(EditError):
    """Someone saved the network after the form was opened (its version differs)."""

    def __init__(self, expected: int | None, current: int | None):
        self.expected, self.current = expected, current
        super().__init__(f"network version is {current}, the form was opened at {expected}")


@dataclass(frozen=True)
class Problem:
    """One reason a value is refused.

    ``path``: where inside the part (``("name_fi",)``, ``(2, "seats", "kela")``), or None
    for a problem of the whole record (e.g. the county's coverage). ``code`` names the
    rule, ``params`` its numbers and names, ``message`` the validator's own words."""

    path: tuple | None
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    message: str = ""


class Invalid(EditError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.message or p.code for p in problems))


class NoChange(EditError):
    """The submitted values equal what is stored: nothing to save."""


# --- reading parts --------------------------------------------------------------------

def get_network(session: Session, network_id: str) -> Network:
    network = session.scalar(select(Network).where(Network.id == network_id).options(
        selectinload(Network.leaders),
        selectinload(Network.steering_groups).selectinload(SteeringGroup.seats),
        selectinload(Network.maturity), selectinload(Network.areas),
        selectinload(Network.exceptions)))
    if network is None:
        raise NetworkNotFound(network_id)
    return network


def agreements_of(session: Session, network_id: str) -> list[Agreement]:
    return list(session.scalars(select(Agreement).where(Agreement.network_id == network_id)
                                .options(selectinload(Agreement.sections))
                                .order_by(Agreement.id)))


def staff_of(session: Session, network_id: str) -> list[StaffResource]:
    return list(session.scalars(select(StaffResource)
                                .where(StaffResource.network_id == network_id)
                                .order_by(StaffResource.id)))


def documents_of(session: Session, network_id: str) -> list[AgreementDocument]:
    return list(session.scalars(select(AgreementDocument)
                                .where(AgreementDocument.network_id == network_id)
                                .order_by(AgreementDocument.id.desc())))


def row_values(obj) -> dict[str, Any]:
    """A row as the audit trail records it: column name -> JSON value."""
    return {c.key: to_json(getattr(obj, c.key)) for c in inspect(obj).mapper.column_attrs}


def network_rows(session: Session, network: Network) -> dict[str, list[dict]]:
    """The rows of every part of ``network``, as plain column values per table."""
    agreements = agreements_of(session, network.id)
    groups = network.steering_groups
    return {
        "networks": [row_values(network)],
        "network_leaders": [row_values(x) for x in network.leaders],
        "steering_groups": [row_values(g) for g in groups],
        "steering_seats": [row_values(s) for g in groups for s in g.seats],
        "agreements": [row_values(a) for a in agreements],
        "agreement_sections": [row_values(s) for a in agreements for s in a.sections],
        "staff_resources": [row_values(r) for r in staff_of(session, network.id)],
        "maturity_assessments": [row_values(m) for m in network.maturity],
    }


def _lines(text: str | None) -> list[str]:
    return [line for line in (text or "").split("\n") if line]


def _by_id(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: r["id"])


def part_value(part: str, rows: dict[str, list[dict]]) -> Any:
    """A part's value (the format's shape, plus ids) from its rows.

    ``rows`` maps table names to column dicts, from the database (``network_rows``) or
    replayed from the audit trail, so a stored record and an earlier version compare
    as equals when their content is equal."""
    if part == "details":
        (network,) = rows["networks"]
        return {name: network.get(name) for name in DETAILS}
    if part == "leaders":
        return [{"id": r["id"], "title": r["title"], "organisation": r["organisation"],
                 "name": r.get("name"), "public_contact": r.get("public_contact"),
                 "valid_from": r.get("valid_from"), "valid_to": r.get("valid_to")}
                for r in _by_id(rows["network_leaders"])]
    if part == "steering_groups":
        order = [t.value for t in OrgType]
        out = []
        for g in _by_id(rows["steering_groups"]):
            seats = sorted((s for s in rows["steering_seats"] if s["group_id"] == g["id"]),
                           key=lambda s: order.index(s["org_type"]))
            out.append({"id": g["id"], "valid_from": g.get("valid_from"),
                        "valid_to": g.get("valid_to"), "chair": g["chair"],
                        "vice_chair": g.get("vice_chair"),
                        "seats": {s["org_type"]: s["count"] for s in seats},
                        "member_names": {s["org_type"]: _lines(s.get("member_names"))
                                         for s in seats if _lines(s.get("member_names"))}})
        return out
    if part == "agreements":
        out = []
        for a in _by_id(rows["agreements"]):
            sections = sorted((s for s in rows["agreement_sections"]
                               if s["agreement_id"] == a["id"]), key=lambda s: s["number"])
            out.append({
                "id": a["id"], "parties": _lines(a.get("parties")),
                "signed_on": a.get("signed_on"), "valid_from": a.get("valid_from"),
                "valid_to": a.get("valid_to"), "document_url": a.get("document_url"),
                "sections": {str(s["number"]): s["coding"] for s in sections},
                "objectives_specific": a.get("objectives_specific"),
                "target_group_defined": a.get("target_group_defined"),
                "shared_service_points": a.get("shared_service_points"),
                "services": {name: bool(a.get(f"services_{name}")) for name in schema.SERVICES},
                "cost_sharing": a.get("cost_sharing") or "not_stated",
                "information_system": a.get("information_system") or ""})
        return out
    if part == "staff":
        return [{"id": r["id"], "year": r["year"], "organisation": r["organisation"],
                 "profession": r["profession"], "sector": r["sector"], "fte": float(r["fte"])}
                for r in _by_id(rows["staff_resources"])]
    if part == "maturity":
        return [{"id": m["id"], "year": m["year"], "level": m["level"],
                 "assessed_on": m.get("assessed_on"), "notes": m.get("notes") or ""}
                for m in _by_id(rows["maturity_assessments"])]
    raise ValueError(f"unknown part {part!r}")


def current_part(session: Session, network_id: str, part: str) -> Any:
    network = get_network(session, network_id)
    return part_value(part, network_rows(session, network))


def without_ids(value: Any) -> Any:
    if isinstance(value, list):
        return [{k: v for k, v in item.items() if k != "id"} for item in value]
    return value


# --- validation through the bundle's rules -----------------------------------------------

_MESSAGES: tuple[tuple[str, re.Pattern], ...] = tuple(
    (code, re.compile(pattern)) for code, pattern in (
        ("text_required", r"^must be a non-empty string( or null)?$"),
        ("too_long", r"^must be at most (?P<max>\d+) characters$"),
        ("date", r"^must be a date YYYY-MM-DD or null"),
        ("date_order", r"^\S+ is before \w+ \S+$"),
        ("choice", r"^must be one of "),
        ("bool", r"^must be true(, false or null| or false)$"),
        ("whole_number", r"^must be a whole number >= 0$"),
        ("range", r"^must be a whole number from (?P<min>\d+) to (?P<max>\d+)$"),
        ("number", r"^must be a number >= 0$"),
        ("url", r"^must be an http\(s\) URL or null$"),
        ("no_seats", r"holds no seats"),
        ("too_many_names", r"^(?P<names>\d+) names for (?P<seats>\d+) seats?$"),
        ("overlap", r"^period (?P<period>\S+) overlaps steering_groups\[\d+\] "
                    r"\((?P<other>[^)]*)\)$"),
        ("duplicate_staff", r"^duplicate row for "),
        ("duplicate_year", r"^duplicate year "),
        ("line", r"^must be a non-empty string on one line$"),
        ("coverage_overlap", r"^municipality (?P<municipality>.+) is also in network "
                             r"(?P<network>\S+) \(networks\[\d+\]\) on (?P<date>\S+)$"),
        ("coverage_gap", r"^municipality (?P<municipality>.+) is in no network on "
                         r"(?P<date>\S+)$"),
    ))
_PATH_TOKEN = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def classify(message: str) -> tuple[str, dict[str, Any]]:
    """The rule behind one of the bundle validator's messages, with its parameters."""
    for code, pattern in _MESSAGES:
        match = pattern.search(message)
        if match:
            params = {k: int(v) if v.isdigit() else v for k, v in match.groupdict().items()}
            return code, params
    return "other", {"detail": message}


def _parse_path(text: str) -> tuple:
    return tuple(int(i) if i else name for name, i in _PATH_TOKEN.findall(text))


def _record_problems(problems: list[str], prefix: str, part: str) -> list[Problem]:
    out = []
    for problem in problems:
        where, _, message = problem.partition(": ")
        code, params = classify(message)
        path = None
        if where == prefix or where.startswith(prefix + ".") or where.startswith(prefix + "["):
            path = _parse_path(where[len(prefix):])
            if part != "details":
                path = path[1:] if path and path[0] == part else None
        out.append(Problem(path, code, params, problem))
    return out


def _document(network: Network, records: list[dict]) -> dict:
    return {"format": schema.FORMAT, "synthetic": bool(network.synthetic), "source": "",
            "networks": records, "typ_networks": []}


def check_part(session: Session, network: Network, part: str, old: Any, new: Any) -> None:
    """Raise ``Invalid`` when replacing ``old`` by ``new`` introduces a problem the
    registry bundle's validation would report (for the network or its county)."""
    county = list(session.scalars(select(Network).where(
        Network.county_code == network.county_code).order_by(Network.id)))
    agreements = export.by_network(session.scalars(
        select(Agreement).where(Agreement.network_id.in_([n.id for n in county]))
        .options(selectinload(Agreement.sections))))
    staff = export.by_network(session.scalars(
        select(StaffResource).where(StaffResource.network_id.in_([n.id for n in county]))))
    records = [export.network_record(n, agreements.get(n.id, []), staff.get(n.id, []))
               for n in county]
    index = next(i for i, n in enumerate(county) if n.id == network.id)
    reference = Reference.from_session(session)

    def problems_with(value: Any) -> list[str]:
        record = dict(records[index])
        if part == "details":
            record.update(value)
        else:
            record[part] = without_ids(value)
        docs = list(records)
        docs[index] = record
        return validate(_document(network, docs), reference)

    before = set(problems_with(old))
    introduced = [p for p in problems_with(new) if p not in before]
    problems = (_record_problems(introduced, f"networks[{index}] ({network.id})", part)
                + _extra_rules(part, new))
    if problems:
        raise Invalid(problems)


def _extra_rules(part: str, value: Any) -> list[Problem]:
    """Rules the bundle format does not state but the database needs."""
    problems = []
    if part == "steering_groups":
        for i, group in enumerate(value):
            for org, count in group.get("seats", {}).items():
                if isinstance(count, int) and count > SEATS_MAX:
                    problems.append(Problem((i, "seats", org), "too_large", {"max": SEATS_MAX},
                                            f"seats.{org}: at most {SEATS_MAX}"))
    return problems


# --- saving ---------------------------------------------------------------------------

def save_part(session: Session, network_id: str, expected_version: int | None, part: str,
              value: Any, *, may_verify: bool = False, unknown_ids: str = "refuse") -> Network:
    """Replace one part of a network's record by ``value`` (see the module docstring).

    List items with an ``id`` update that row; items without one are added; rows not
    in ``value`` are deleted. ``unknown_ids``: ``"refuse"`` (forms: an id that is not
    one of this network's rows raises ``UnknownRecord``) or ``"insert"`` (restore: a
    row deleted since comes back as a new row). ``may_verify``: whether the writer may
    set the status ``verified`` (only the monitoring authority does).
    """
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}")
    network = get_network(session, network_id)
    if expected_version is None or network.version != expected_version:
        raise Conflict(expected_version, network.version)
    rows = network_rows(session, network)
    old = part_value(part, rows)
    new = copy.deepcopy(value)
    if part != "details":
        known = {item["id"] for item in old}
        for item in new:
            if item.get("id") is not None and item["id"] not in known:
                if unknown_ids == "refuse":
                    raise UnknownRecord(f"{part} id {item['id']} is not a record of {network_id}")
                item["id"] = None
    if new == old:
        raise NoChange(part)
    if part == "details" and new.get("status") == NetworkStatus.verified.value \
            and old.get("status") != NetworkStatus.verified.value and not may_verify:
        raise Invalid([Problem(("status",), "verified_reserved", {},
                               "only the monitoring authority sets the status verified")])
    check_part(session, network, part, old, new)
    with _versioned(session, network, expected_version):
        APPLY[part](session, network, new)
    return network


@contextmanager
def _versioned(session: Session, network: Network, expected_version: int):
    """Bump ``Network.version`` with the changes made in the block, also when only child
    rows change: the network's row is updated (``WHERE version = <read>``) in the first
    flush, which locks it until commit; a concurrent save makes that update miss."""
    network.updated_at = dt.datetime.now(dt.UTC)
    try:
        yield
        session.flush()
    except StaleDataError:
        raise Conflict(expected_version, None) from None


def _enum(cls: type[enum.Enum], value: Any):
    return None if value is None else cls(value)


def _set(obj, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)


def _apply_details(_session: Session, network: Network, value: dict) -> None:
    _set(network, {"name_fi": value["name_fi"], "name_sv": value["name_sv"],
                   "status": NetworkStatus(value["status"]),
                   "valid_from": parse_date(value["valid_from"]),
                   "valid_to": parse_date(value["valid_to"]),
                   "last_confirmed_on": parse_date(value["last_confirmed_on"])})


def _sync(existing: list, items: list[dict], make: Callable[[dict], Any],
          update: Callable[[Any, dict], None], remove: Callable[[Any], None],
          add: Callable[[Any], None]) -> None:
    """Make the rows ``existing`` equal to ``items``: update by id, remove, add."""
    by_id = {row.id: row for row in existing}
    keep = {item["id"] for item in items if item.get("id") is not None}
    for row in list(existing):
        if row.id not in keep:
            remove(row)
    for item in items:
        row = by_id.get(item.get("id"))
        if row is None:
            add(make(item))
        else:
            update(row, item)


def _leader_values(item: dict) -> dict:
    return {"title": item["title"], "organisation": item["organisation"],
            "name": item.get("name"), "public_contact": item.get("public_contact"),
            "valid_from": parse_date(item.get("valid_from")),
            "valid_to": parse_date(item.get("valid_to"))}


def _apply_leaders(_session: Session, network: Network, items: list[dict]) -> None:
    _sync(network.leaders, items, lambda i: Leader(**_leader_values(i)),
          lambda row, i: _set(row, _leader_values(i)), network.leaders.remove,
          network.leaders.append)


def _set_seats(group: SteeringGroup, item: dict) -> None:
    names = item.get("member_names") or {}
    wanted = {org: (count, "\n".join(names.get(org, []))) for org, count in item["seats"].items()}
    for seat in list(group.seats):
        if seat.org_type.value not in wanted:
            group.seats.remove(seat)
    held = {seat.org_type.value: seat for seat in group.seats}
    for org, (count, member_names) in wanted.items():
        seat = held.get(org)
        if seat is None:
            group.seats.append(SteeringSeat(org_type=OrgType(org), count=count,
                                            member_names=member_names))
        else:
            _set(seat, {"count": count, "member_names": member_names})


def _group_values(item: dict) -> dict:
    return {"chair": OrgType(item["chair"]), "vice_chair": _enum(OrgType, item.get("vice_chair")),
            "valid_from": parse_date(item.get("valid_from")),
            "valid_to": parse_date(item.get("valid_to"))}


def _new_group(item: dict) -> SteeringGroup:
    group = SteeringGroup(**_group_values(item))
    _set_seats(group, item)
    return group


def _update_group(group: SteeringGroup, item: dict) -> None:
    _set(group, _group_values(item))
    _set_seats(group, item)


def _apply_steering_groups(_session: Session, network: Network, items: list[dict]) -> None:
    _sync(network.steering_groups, items, _new_group, _update_group,
          network.steering_groups.remove, network.steering_groups.append)


def _agreement_values(item: dict) -> dict:
    services = item.get("services") or {}
    return {"parties": "\n".join(item.get("parties") or []),
            "signed_on": parse_date(item.get("signed_on")),
            "valid_from": parse_date(item.get("valid_from")),
            "valid_to": parse_date(item.get("valid_to")),
            "document_url": item.get("document_url"),
            "objectives_specific": item.get("objectives_specific"),
            "target_group_defined": item.get("target_group_defined"),
            "shared_service_points": item.get("shared_service_points"),
            "cost_sharing": CostSharing(item.get("cost_sharing") or "not_stated"),
            "information_system": item.get("information_system") or "",
            **{f"services_{name}": bool(services.get(name, False))
               for name in schema.SERVICES}}


def _set_sections(agreement: Agreement, sections: dict[str, str]) -> None:
    for section in list(agreement.sections):
        if str(section.number) not in sections:
            agreement.sections.remove(section)
    held = {str(s.number): s for s in agreement.sections}
    for number, coding in sections.items():
        if number in held:
            _set(held[number], {"coding": SectionCoding(coding)})
        else:
            agreement.sections.append(AgreementSection(number=int(number),
                                                       coding=SectionCoding(coding)))


def _apply_agreements(session: Session, network: Network, items: list[dict]) -> None:
    existing = agreements_of(session, network.id)

    def make(item: dict) -> Agreement:
        agreement = Agreement(network_id=network.id, source=FORM_SOURCE,
                              **_agreement_values(item))
        _set_sections(agreement, item.get("sections") or {})
        return agreement

    def update(agreement: Agreement, item: dict) -> None:
        _set(agreement, _agreement_values(item))
        _set_sections(agreement, item.get("sections") or {})

    _sync(existing, items, make, update, session.delete, session.add)


def _staff_values(item: dict) -> dict:
    return {"year": item["year"], "organisation": StaffOrganisation(item["organisation"]),
            "profession": item["profession"], "sector": Sector(item["sector"]),
            "fte": float(item["fte"])}


def _apply_staff(session: Session, network: Network, items: list[dict]) -> None:
    existing = staff_of(session, network.id)
    # Remove first: a unique (year, organisation, profession) may move between rows.
    keep = {i["id"] for i in items if i.get("id") is not None}
    for row in existing:
        if row.id not in keep:
            session.delete(row)
    session.flush()
    _sync([r for r in existing if r.id in keep], items,
          lambda i: StaffResource(network_id=network.id, source=FORM_SOURCE, **_staff_values(i)),
          lambda row, i: _set(row, _staff_values(i)), session.delete, session.add)


def _maturity_values(item: dict) -> dict:
    return {"year": item["year"], "level": item["level"],
            "assessed_on": parse_date(item.get("assessed_on")), "notes": item.get("notes") or ""}


def _apply_maturity(session: Session, network: Network, items: list[dict]) -> None:
    keep = {i["id"] for i in items if i.get("id") is not None}
    for row in list(network.maturity):
        if row.id not in keep:
            network.maturity.remove(row)
    session.flush()
    _sync(list(network.maturity), items, lambda i: MaturityAssessment(**_maturity_values(i)),
          lambda row, i: _set(row, _maturity_values(i)), network.maturity.remove,
          network.maturity.append)


APPLY: dict[str, Callable[[Session, Network, Any], None]] = {
    "details": _apply_details, "leaders": _apply_leaders,
    "steering_groups": _apply_steering_groups, "agreements": _apply_agreements,
    "staff": _apply_staff, "maturity": _apply_maturity,
}


# --- the operations the forms offer -------------------------------------------------------

def update_details(session: Session, network_id: str, expected_version: int | None,
                   values: dict, *, may_verify: bool = False) -> Network:
    """Names, status and period (``values``: any of ``DETAILS``)."""
    details = current_part(session, network_id, "details")
    details.update({k: v for k, v in values.items() if k in DETAILS})
    return save_part(session, network_id, expected_version, "details", details,
                     may_verify=may_verify)


def confirm_current(session: Session, network_id: str, expected_version: int | None,
                    today: dt.date) -> Network:
    """"Our record is current": the last confirmation date becomes ``today``."""
    return update_details(session, network_id, expected_version,
                          {"last_confirmed_on": today.isoformat()})


def save_leaders(session: Session, network_id: str, expected_version: int | None,
                 leaders: list[dict]) -> Network:
    return save_part(session, network_id, expected_version, "leaders", leaders)


def save_item(session: Session, network_id: str, expected_version: int | None, part: str,
              item_id: int | None, values: dict) -> tuple[Network, int]:
    """Add (``item_id`` None) or replace one item of a list part; the item is placed
    last, so problems about it have the path ``(len - 1, ...)``. Returns its index."""
    items = current_part(session, network_id, part)
    others = [i for i in items if i["id"] != item_id]
    if item_id is not None and len(others) == len(items):
        raise UnknownRecord(f"{part} id {item_id} is not a record of {network_id}")
    network = save_part(session, network_id, expected_version, part,
                        [*others, {**values, "id": item_id}])
    return network, len(others)


def save_steering_group(session: Session, network_id: str, expected_version: int | None,
                        group_id: int | None, values: dict) -> Network:
    return save_item(session, network_id, expected_version, "steering_groups", group_id,
                     values)[0]


def save_agreement(session: Session, network_id: str, expected_version: int | None,
                   agreement_id: int | None, values: dict) -> Network:
    return save_item(session, network_id, expected_version, "agreements", agreement_id,
                     values)[0]


def save_staff_year(session: Session, network_id: str, expected_version: int | None,
                    year: int, rows: list[dict]) -> Network:
    """Replace the staff rows of ``year`` by ``rows`` (other years stay as they are);
    ``rows`` come last in the part, in order."""
    items = current_part(session, network_id, "staff")
    others = [i for i in items if i["year"] != year]
    return save_part(session, network_id, expected_version, "staff",
                     others + [{**r, "year": r.get("year", year)} for r in rows])


def staff_offset(session: Session, network_id: str, year: int) -> int:
    """Where the rows of ``year`` start in the list ``save_staff_year`` validates."""
    return sum(1 for i in current_part(session, network_id, "staff") if i["year"] != year)


def save_maturity(session: Session, network_id: str, expected_version: int | None,
                  values: dict) -> Network:
    """The self-assessment of ``values["year"]`` (added or replaced)."""
    items = current_part(session, network_id, "maturity")
    existing = next((i for i in items if i["year"] == values.get("year")), None)
    return save_item(session, network_id, expected_version, "maturity",
                     existing["id"] if existing else None, values)[0]


# --- agreement documents --------------------------------------------------------------------

def document_type(filename: str, data: bytes, max_bytes: int) -> str:
    """The content type of an agreement document, judged by its bytes (and its name must
    agree): PDF or DOCX (Word without macros). Raises ``Invalid`` otherwise."""
    suffix = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    if not data:
        raise Invalid([Problem(("document",), "document_empty", {}, "the file is empty")])
    if len(data) > max_bytes:
        raise Invalid([Problem(("document",), "document_too_large", {"max": max_bytes},
                               f"larger than {max_bytes} bytes")])
    detected = None
    if data.startswith(b"%PDF-"):
        detected = PDF
    elif data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            names = set()
        if {"[Content_Types].xml", "word/document.xml"} <= names \
                and "word/vbaProject.bin" not in names:
            detected = DOCX
    if detected is None:
        raise Invalid([Problem(("document",), "document_type", {},
                               "not a PDF or DOCX document")])
    if DOCUMENT_TYPES.get(suffix) != detected:
        raise Invalid([Problem(("document",), "document_name", {},
                               f"the name {filename!r} does not match its content")])
    return detected


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def clean_filename(filename: str) -> str:
    """A file name safe to store and show: no path, no control or reserved characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .") or "document"
    if len(name) > 200:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[:190] + dot + suffix[:9]) if dot else name[:200]
    return name


def add_document(session: Session, network_id: str, expected_version: int | None,
                 agreement_id: int | None, filename: str, data: bytes, uploaded_by: str,
                 max_bytes: int) -> AgreementDocument:
    """Store an uploaded agreement document (checked by ``document_type``)."""
    network = get_network(session, network_id)
    if expected_version is None or network.version != expected_version:
        raise Conflict(expected_version, network.version)
    if agreement_id is not None and agreement_id not in {
            a.id for a in agreements_of(session, network_id)}:
        raise UnknownRecord(f"agreement {agreement_id} is not a record of {network_id}")
    name = clean_filename(filename)
    content_type = document_type(name, data, max_bytes)
    document = AgreementDocument(
        network_id=network_id, agreement_id=agreement_id, filename=name,
        content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
        data=data, uploaded_by=uploaded_by[:200])
    with _versioned(session, network, expected_version):
        session.add(document)
    return document


def get_document(session: Session, network_id: str, document_id: int) -> AgreementDocument:
    document = session.get(AgreementDocument, document_id)
    if document is None or document.network_id != network_id:
        raise UnknownRecord(f"document {document_id} is not a document of {network_id}")
    return document


def is_published(network: Network) -> bool:
    """Whether anonymous visitors may read the network's record: drafts are internal."""
    return network.status != NetworkStatus.draft


__all__ = [
    "Conflict", "DOCUMENT_TYPES", "EditError", "Invalid", "MATURITY_STEPS", "MODEL_SECTIONS",
    "NetworkNotFound", "NoChange", "PARTS", "Problem", "UnknownRecord", "add_document",
    "classify", "confirm_current", "current_part", "document_type", "get_document",
    "is_published", "part_value", "save_agreement", "save_item", "save_leaders",
    "save_maturity", "save_part", "save_staff_year", "save_steering_group", "update_details",
]

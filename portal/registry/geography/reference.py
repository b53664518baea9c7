"""The reference classification as a bundle: read, validate, and load idempotently.

A ``ReferenceBundle`` is the whole classification (counties, municipalities,
employment areas and the two membership tables) in plain rows. It comes from the
snapshot shipped in ``portal/reference_data`` (``read_snapshot``) or from the
Statistics Finland classification service (``etl.sources.classifications``).
``sync_reference`` makes the database equal to the bundle in one transaction and
reports what changed; loading the same bundle twice changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.registry.geography.models import (
    CountyMembership,
    EmploymentArea,
    EmploymentAreaMembership,
    Municipality,
    OrganisingModel,
    WellbeingCounty,
)
from portal.registry.validity import is_valid_on

SNAPSHOT_DIR = Path(__file__).resolve().parents[2] / "reference_data"
SNAPSHOT_SOURCE = "Statistics Finland classifications, CC BY 4.0 (tym-portal reference snapshot)"


class ReferenceError(ValueError):
    """The reference data cannot be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:20]
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__("\n".join(shown) + more)


@dataclass
class ReferenceBundle:
    counties: list[dict[str, Any]] = field(default_factory=list)
    municipalities: list[dict[str, Any]] = field(default_factory=list)
    employment_areas: list[dict[str, Any]] = field(default_factory=list)
    county_memberships: list[dict[str, Any]] = field(default_factory=list)
    area_memberships: list[dict[str, Any]] = field(default_factory=list)
    source: str = SNAPSHOT_SOURCE


# file name, bundle attribute, columns, parsers for typed columns
_DATE = "date"
_FILES: dict[str, tuple[str, dict[str, str | None]]] = {
    "counties": ("wellbeing_counties.csv", {
        "code": None, "name_fi": None, "name_sv": None, "name_en": None, "unit_type": None,
        "in_tym_scope": "bool", "valid_from": _DATE, "valid_to": _DATE}),
    "municipalities": ("municipalities.csv", {
        "code": None, "name_fi": None, "name_sv": None, "valid_from": _DATE,
        "valid_to": _DATE, "merged_into_code": "optional"}),
    "employment_areas": ("employment_areas.csv", {
        "id": None, "statfi_code": "int", "name_fi": None, "name_sv": None, "name_en": None,
        "organising_model": "model", "host_municipality_code": "optional", "host_status": None,
        "valid_from": _DATE, "valid_to": _DATE}),
    "county_memberships": ("county_memberships.csv", {
        "municipality_code": None, "county_code": None, "valid_from": _DATE,
        "valid_to": _DATE}),
    "area_memberships": ("employment_area_memberships.csv", {
        "municipality_code": None, "area_id": None, "valid_from": _DATE, "valid_to": _DATE}),
}


def _parse(kind: str | None, raw: str) -> Any:
    raw = raw.strip()
    if kind is None:
        if not raw:
            raise ValueError("is empty")
        return raw
    if kind == "optional":
        return raw or None
    if kind == _DATE:
        return dt.date.fromisoformat(raw) if raw else None
    if kind == "int":
        return int(raw)
    if kind == "bool":
        if raw.lower() not in {"true", "false"}:
            raise ValueError(f"must be true or false, not {raw!r}")
        return raw.lower() == "true"
    if kind == "model":
        return OrganisingModel(raw).value
    raise AssertionError(kind)


def read_snapshot(directory: Path | str = SNAPSHOT_DIR) -> ReferenceBundle:
    """Read the five CSV files of a snapshot; every bad row or column is reported."""
    directory = Path(directory)
    bundle = ReferenceBundle()
    problems: list[str] = []
    for attr, (filename, columns) in _FILES.items():
        path = directory / filename
        if not path.is_file():
            problems.append(f"{path}: file is missing")
            continue
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh)
                header = reader.fieldnames or []
                missing = [c for c in columns if c not in header]
                if missing:
                    problems.append(
                        f"{filename}: wrong columns: missing {', '.join(missing)} "
                        f"(expected {', '.join(columns)})")
                    continue
                rows = []
                for line, raw in enumerate(reader, start=2):
                    row, row_ok = {}, True
                    for column, kind in columns.items():
                        try:
                            row[column] = _parse(kind, raw.get(column) or "")
                        except ValueError as exc:
                            problems.append(f"{filename} row {line}: {column} {exc}")
                            row_ok = False
                    if row_ok:
                        rows.append(row)
                setattr(bundle, attr, rows)
        except UnicodeDecodeError:
            problems.append(f"{filename}: not UTF-8 text")
    if problems:
        raise ReferenceError(problems)
    validate_bundle(bundle)
    return bundle


def validate_bundle(bundle: ReferenceBundle, check_date: dt.date | None = None) -> None:
    """Raise ``ReferenceError`` unless the bundle is internally consistent.

    Checks: unique keys, memberships refer to known units, periods are ordered and
    do not overlap, and on ``check_date`` (default: the start of the latest period in
    the bundle) every mainland municipality is in exactly one county and exactly one
    employment area.
    """
    problems: list[str] = []
    for attr, key in (("counties", "code"), ("municipalities", "code"),
                      ("employment_areas", "id")):
        dupes = [k for k, n in Counter(r[key] for r in getattr(bundle, attr)).items() if n > 1]
        if dupes:
            problems.append(f"{attr}: duplicate {key} {', '.join(sorted(dupes))}")
    county_codes = {c["code"] for c in bundle.counties}
    municipality_codes = {m["code"] for m in bundle.municipalities}
    area_ids = {a["id"] for a in bundle.employment_areas}
    for rows, name in ((bundle.counties, "counties"), (bundle.municipalities, "municipalities"),
                       (bundle.employment_areas, "employment_areas"),
                       (bundle.county_memberships, "county_memberships"),
                       (bundle.area_memberships, "area_memberships")):
        for i, row in enumerate(rows, start=1):
            if row["valid_from"] and row["valid_to"] and row["valid_from"] > row["valid_to"]:
                problems.append(f"{name} record {i}: valid_from after valid_to")
    for m in bundle.municipalities:
        if m["merged_into_code"] and m["merged_into_code"] not in municipality_codes:
            problems.append(f"municipality {m['code']}: merged into unknown "
                            f"{m['merged_into_code']}")
    for a in bundle.employment_areas:
        host = a["host_municipality_code"]
        if host and host not in municipality_codes:
            problems.append(f"employment area {a['id']}: unknown host municipality {host}")
    for rows, unit_key, known, label in (
        (bundle.county_memberships, "county_code", county_codes, "county"),
        (bundle.area_memberships, "area_id", area_ids, "employment area"),
    ):
        for r in rows:
            if r["municipality_code"] not in municipality_codes:
                problems.append(f"{label} membership: unknown municipality "
                                f"{r['municipality_code']}")
            if r[unit_key] not in known:
                problems.append(f"{label} membership of {r['municipality_code']}: unknown "
                                f"{label} {r[unit_key]}")
        by_municipality: dict[str, list[dict]] = {}
        for r in rows:
            by_municipality.setdefault(r["municipality_code"], []).append(r)
        for code, periods in by_municipality.items():
            periods.sort(key=lambda r: r["valid_from"] or dt.date.min)
            for earlier, later in zip(periods, periods[1:], strict=False):
                if earlier["valid_to"] is None or (
                        later["valid_from"] and earlier["valid_to"] >= later["valid_from"]):
                    problems.append(f"municipality {code}: overlapping {label} memberships")
    on = check_date or max(
        (r["valid_from"] for r in bundle.area_memberships if r["valid_from"]),
        default=dt.date.today())
    scope = {c["code"] for c in bundle.counties if c["in_tym_scope"]}
    for m in bundle.municipalities:
        if not is_valid_on(m["valid_from"], m["valid_to"], on):
            continue
        counties = [r["county_code"] for r in bundle.county_memberships
                    if r["municipality_code"] == m["code"]
                    and is_valid_on(r["valid_from"], r["valid_to"], on)]
        if len(counties) != 1:
            problems.append(f"municipality {m['code']} {m['name_fi']}: in {len(counties)} "
                            f"counties on {on}, expected exactly 1")
            continue
        if counties[0] not in scope:
            continue  # Åland: outside TYM, no employment area
        areas = [r["area_id"] for r in bundle.area_memberships
                 if r["municipality_code"] == m["code"]
                 and is_valid_on(r["valid_from"], r["valid_to"], on)]
        if len(areas) != 1:
            problems.append(f"municipality {m['code']} {m['name_fi']}: in {len(areas)} "
                            f"employment areas on {on}, expected exactly 1")
    if problems:
        raise ReferenceError(problems)


@dataclass
class SyncReport:
    inserted: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> int:
        return sum(self.inserted.values()) + sum(self.updated.values()) + sum(
            self.removed.values())

    def summary(self) -> str:
        parts = []
        for table in sorted(set(self.inserted) | set(self.updated) | set(self.removed)
                            | set(self.unchanged)):
            parts.append(f"{table}: {self.inserted[table]} inserted, {self.updated[table]} "
                         f"updated, {self.removed[table]} removed, {self.unchanged[table]} "
                         "unchanged")
        return "\n".join(parts)


def _sync_table(session: Session, model, key: tuple[str, ...], rows: list[dict],
                report: SyncReport, source: str, delete_missing: bool) -> None:
    table = model.__tablename__
    existing = {tuple(getattr(obj, k) for k in key): obj
                for obj in session.scalars(select(model))}
    seen = set()
    for row in rows:
        values = dict(row, source=source)
        ident = tuple(values[k] for k in key)
        seen.add(ident)
        obj = existing.get(ident)
        if obj is None:
            session.add(model(**values))
            report.inserted[table] += 1
            continue
        changed = False
        for name, value in values.items():
            if name == "source":
                continue
            current = getattr(obj, name)
            if isinstance(current, OrganisingModel):
                current = current.value
            if current != value:
                setattr(obj, name, value)
                changed = True
        if changed:
            obj.source = source
            report.updated[table] += 1
        else:
            report.unchanged[table] += 1
    if delete_missing:
        for ident, obj in existing.items():
            if ident not in seen:
                session.delete(obj)
                report.removed[table] += 1


def sync_reference(session: Session, bundle: ReferenceBundle) -> SyncReport:
    """Make the reference tables equal to ``bundle``; the caller owns the transaction.

    Units (counties, municipalities, areas) are upserted and never deleted, because
    later data refers to them; memberships are replaced to equal the bundle.
    """
    validate_bundle(bundle)
    report = SyncReport()
    _sync_table(session, WellbeingCounty, ("code",), bundle.counties, report, bundle.source,
                False)
    # Merge targets before the municipalities merged into them (self-referencing FK).
    municipalities = sorted(bundle.municipalities, key=lambda m: m["merged_into_code"] is not None)
    _sync_table(session, Municipality, ("code",), municipalities, report, bundle.source, False)
    session.flush()
    _sync_table(session, EmploymentArea, ("id",), bundle.employment_areas, report,
                bundle.source, False)
    session.flush()
    _sync_table(session, CountyMembership, ("municipality_code", "valid_from"),
                bundle.county_memberships, report, bundle.source, True)
    _sync_table(session, EmploymentAreaMembership, ("municipality_code", "valid_from"),
                bundle.area_memberships, report, bundle.source, True)
    session.flush()
    return report


"""Validate a parsed registry bundle against the format and the reference geography.

``validate(document, reference)`` returns every problem found, as strings naming the
record and the field path, e.g.
``networks[3] (etela-savo).steering_groups[0].seats.kela: must be a whole number >= 0``.
An empty list means the bundle can be loaded. Nothing here reads or writes the
database: the reference geography comes in as a ``Reference``.

Beyond the field rules, the whole registry must hold together: ids are unique, each
covered employment area has members in the network's county, and on every date where a
county has networks, each of its municipalities is in exactly one of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from portal.registry.bundle import schema
from portal.registry.bundle.checks import CHECKS, is_int, is_line, show
from portal.registry.bundle.reference import ONE_DAY, Reference
from portal.registry.bundle.schema import Field
from portal.registry.networks.coverage import TYM_START, derive_municipalities
from portal.registry.validity import is_valid_on

INVALID: Any = object()  # a field that failed its check: later rules skip it


def validate(document: Any, reference: Reference) -> list[str]:
    """Every problem of ``document`` (a parsed ``tym-registry/1`` bundle); [] if none."""
    checker = _Checker(reference)
    checker.document(document)
    return checker.problems


# --- records ------------------------------------------------------------------------------

def _at(path: str, name: str | int) -> str:
    if isinstance(name, int):
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else name


def _record_path(collection: str, index: int, record: Any) -> str:
    ident = record.get("id") if isinstance(record, dict) else None
    label = f" ({ident})" if isinstance(ident, str) and ident else ""
    return f"{collection}[{index}]{label}"


def _period(start: dt.date | None, end: dt.date | None) -> str:
    return f"{start or 'open'}..{end or 'open'}"


def _overlap(a: tuple[dt.date | None, dt.date | None],
             b: tuple[dt.date | None, dt.date | None]) -> bool:
    return ((a[0] is None or b[1] is None or a[0] <= b[1])
            and (b[0] is None or a[1] is None or b[0] <= a[1]))


@dataclass
class _Cover:
    """A network's coverage inputs, kept for the county-wide checks."""

    index: int
    path: str
    id: str
    county: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    areas: list[str]
    include: list[str]
    exclude: list[str]


class _Checker:
    def __init__(self, reference: Reference):
        self.ref = reference
        self.problems: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def fields(self, path: str, record: Any, fields: tuple[Field, ...]) -> dict[str, Any] | None:
        """Check each field of ``record``; invalid ones come back as ``INVALID``."""
        if not isinstance(record, dict):
            self.add(path or "document", "must be an object")
            return None
        out: dict[str, Any] = {}
        for f in fields:
            where = _at(path, f.name)
            if f.name not in record:
                if f.required:
                    hint = f' (expected "{schema.FORMAT}")' if f.kind == "format" else ""
                    self.add(where, f"is required{hint}")
                    out[f.name] = INVALID
                else:
                    out[f.name] = f.default
                continue
            message = CHECKS[f.kind](record[f.name], f)
            if message:
                self.add(where, message)
                out[f.name] = INVALID
            else:
                out[f.name] = record[f.name]
        known = {f.name for f in fields}
        for key in record:
            if key not in known:
                self.add(_at(path, key), "unknown field")
        return out

    def dates(self, path: str, values: dict[str, Any], start: str = "valid_from",
              end: str = "valid_to") -> tuple[Any, Any]:
        """Parsed (start, end); INVALID for a bad one; reports a reversed period."""
        a, b = (INVALID if values[n] is INVALID else schema.parse_date(values[n])
                for n in (start, end))
        if a is not INVALID and b is not INVALID and a and b and a > b:
            self.add(_at(path, end), f"{b} is before {start} {a}")
        return a, b

    # --- document --------------------------------------------------------------------------

    def document(self, document: Any) -> None:
        top = self.fields("", document, schema.TOP_LEVEL)
        if top is None:
            return
        covers: list[_Cover] = []
        blocked: set[str] = set()  # counties whose networks could not all be read
        seen: dict[str, int] = {}
        if top["networks"] is not INVALID:
            for i, record in enumerate(top["networks"]):
                path = _record_path("networks", i, record)
                cover, county = self.network(path, i, record)
                if cover is None:
                    if county:
                        blocked.add(county)
                else:
                    covers.append(cover)
                self.unique(path, i, record, seen, "networks")
        self.coverage([c for c in covers if c.county not in blocked])
        seen = {}
        if top["typ_networks"] is not INVALID:
            for i, record in enumerate(top["typ_networks"]):
                path = _record_path("typ_networks", i, record)
                self.typ_network(path, record)
                self.unique(path, i, record, seen, "typ_networks")

    def unique(self, path: str, index: int, record: Any, seen: dict[str, int],
               collection: str) -> None:
        ident = record.get("id") if isinstance(record, dict) else None
        if not isinstance(ident, str):
            return
        if ident in seen:
            self.add(_at(path, "id"),
                     f"duplicate id {show(ident)} (also {collection}[{seen[ident]}])")
        else:
            seen[ident] = index

    # --- network ---------------------------------------------------------------------------

    def network(self, path: str, index: int, record: Any) -> tuple[_Cover | None, str | None]:
        """Check one network; its coverage inputs when they are all valid."""
        values = self.fields(path, record, schema.NETWORK)
        if values is None:
            return None, None
        before = len(self.problems)
        start, end = self.dates(path, values)
        county = self.county(path, values["county"])
        on = max(start or TYM_START, TYM_START) if start is not INVALID else TYM_START
        areas = self.areas(path, values["employment_areas"], county, on)
        include, exclude = self.exceptions(path, values["municipality_exceptions"], county,
                                           areas, on)
        # Coverage is checked county-wide only from networks whose inputs are all sound.
        coverage_ok = len(self.problems) == before and county is not None and INVALID not in (
            start, end, values["employment_areas"], values["municipality_exceptions"])
        self.each(path, values, "leaders", self.leader)
        self.steering_groups(path, values["steering_groups"])
        self.each(path, values, "agreements", self.agreement)
        self.staff(path, values["staff"])
        self.maturity(path, values["maturity"])
        county_code = values["county"] if isinstance(values["county"], str) else None
        if not coverage_ok or values["id"] is INVALID:
            return None, county_code
        return _Cover(index, path, values["id"], county, start, end, areas, include,
                      exclude), county_code

    def each(self, path: str, values: dict, name: str, check) -> None:
        if values[name] is INVALID:
            return
        for i, item in enumerate(values[name]):
            check(_at(_at(path, name), i), item)

    def county(self, path: str, code: Any) -> str | None:
        if code is INVALID:
            return None
        ref = self.ref.counties.get(code)
        if ref is None:
            self.add(_at(path, "county"), f"unknown wellbeing county {show(code)}")
            return None
        if not ref.in_scope:
            self.add(_at(path, "county"), f"county {code} {ref.name} is outside TYM scope")
            return None
        return code

    def areas(self, path: str, areas: Any, county: str | None, on: dt.date) -> list[str]:
        if areas is INVALID:
            return []
        where = _at(path, "employment_areas")
        if not areas:
            self.add(where, "must list at least one employment area")
        seen: dict[str, int] = {}
        good = []
        for i, area in enumerate(areas):
            if not isinstance(area, str) or area not in self.ref.areas:
                self.add(_at(where, i), f"unknown employment area {show(area)}")
                continue
            if area in seen:
                self.add(_at(where, i), f"duplicate employment area {area} "
                                        f"(also employment_areas[{seen[area]}])")
                continue
            seen[area] = i
            if county is None:
                continue
            geography = self.ref.geography(on)
            if not geography.area_members.get(area, frozenset()) & geography.county_members.get(
                    county, frozenset()):
                self.add(_at(where, i), f"employment area {area} has no member municipalities "
                                        f"in county {county} on {on}")
                continue
            good.append(area)
        return good

    def exceptions(self, path: str, items: Any, county: str | None, areas: list[str],
                   on: dt.date) -> tuple[list[str], list[str]]:
        include: list[str] = []
        exclude: list[str] = []
        if items is INVALID:
            return include, exclude
        geography = self.ref.geography(on)
        county_members = geography.county_members.get(county or "", frozenset())
        derived = derive_municipalities(areas, geography.area_members, county_members)
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            where = _at(_at(path, "municipality_exceptions"), i)
            values = self.fields(where, item, schema.EXCEPTION)
            if values is None or values["municipality"] is INVALID:
                continue
            code, kind = values["municipality"], values["kind"]
            at = _at(where, "municipality")
            ref = self.ref.municipalities.get(code)
            if ref is None:
                self.add(at, f"unknown municipality {show(code)}")
                continue
            if code in seen:
                self.add(at, f"duplicate municipality {code} "
                             f"(also municipality_exceptions[{seen[code]}])")
                continue
            seen[code] = i
            label = self.ref.municipality(code)
            if not is_valid_on(ref.valid_from, ref.valid_to, on):
                self.add(at, f"municipality {label} does not exist on {on}")
            elif county is None or kind is INVALID:
                continue
            elif kind == "include":
                if code not in county_members:
                    self.add(at, f"{label} is not in county {county} on {on}")
                elif code in derived:
                    self.add(at, f"{label} is already covered through the employment areas; "
                                 "nothing to include")
                else:
                    include.append(code)
            elif code not in derived:
                self.add(at, f"{label} is not covered through the employment areas; "
                             "nothing to exclude")
            else:
                exclude.append(code)
        return include, exclude

    def leader(self, path: str, item: Any) -> None:
        values = self.fields(path, item, schema.LEADER)
        if values is not None:
            self.dates(path, values)

    def steering_groups(self, path: str, groups: Any) -> None:
        if groups is INVALID:
            return
        periods: list[tuple[int, tuple[dt.date | None, dt.date | None]]] = []
        for i, item in enumerate(groups):
            where = _at(_at(path, "steering_groups"), i)
            values = self.fields(where, item, schema.STEERING_GROUP)
            if values is None:
                continue
            start, end = self.dates(where, values)
            seats = self.seats(where, values["seats"])
            if seats is not None:
                for role in ("chair", "vice_chair"):
                    org = values[role]
                    if org is not INVALID and org is not None and not seats.get(org):
                        self.add(_at(where, role), f"{org} holds no seats (the "
                                 f"{role.replace('_', '-')}'s organisation must be represented)")
            self.member_names(where, values["member_names"], seats)
            if start is INVALID or end is INVALID or (start and end and start > end):
                continue
            for j, other in periods:
                if _overlap(other, (start, end)):
                    self.add(where, f"period {_period(start, end)} overlaps "
                                    f"steering_groups[{j}] ({_period(*other)})")
            periods.append((i, (start, end)))

    def seats(self, path: str, seats: Any) -> dict[str, int] | None:
        if seats is INVALID:
            return None
        out: dict[str, int] = {}
        ok = True
        for org, count in seats.items():
            where = _at(_at(path, "seats"), org)
            if org not in schema.ORG_TYPES:
                self.add(where, "unknown organisation type (expected one of "
                                f"{', '.join(schema.ORG_TYPES)})")
                ok = False
            elif not is_int(count) or count < 0:
                self.add(where, "must be a whole number >= 0")
                ok = False
            else:
                out[org] = count
        return out if ok else None

    def member_names(self, path: str, names: Any, seats: dict[str, int] | None) -> None:
        if names is INVALID:
            return
        for org, listed in names.items():
            where = _at(_at(path, "member_names"), org)
            if org not in schema.ORG_TYPES:
                self.add(where, "unknown organisation type (expected one of "
                                f"{', '.join(schema.ORG_TYPES)})")
                continue
            if not isinstance(listed, list) or not all(is_line(n) for n in listed):
                self.add(where, "must be a list of names (non-empty, one line each)")
                continue
            held = seats.get(org, 0) if seats is not None else None
            if held is not None and len(listed) > held:
                self.add(where, f"{len(listed)} names for {held} seat{'' if held == 1 else 's'}")

    def agreement(self, path: str, item: Any) -> None:
        values = self.fields(path, item, schema.AGREEMENT)
        if values is None:
            return
        self.dates(path, values)
        parties = values["parties"]
        if parties is not INVALID:
            for i, party in enumerate(parties):
                if not is_line(party):
                    self.add(_at(_at(path, "parties"), i),
                             "must be a non-empty string on one line")
        sections = values["sections"]
        if sections is not INVALID:
            for number, coding in sections.items():
                where = _at(_at(path, "sections"), number)
                if number not in schema.SECTIONS:
                    self.add(where, 'unknown section (expected "1" to "12")')
                elif coding not in schema.CODINGS:
                    self.add(where, f"must be one of {', '.join(schema.CODINGS)} "
                                    f"(not {show(coding)})")
        services = values["services"]
        if services is not INVALID:
            for name, flag in services.items():
                where = _at(_at(path, "services"), name)
                if name not in schema.SERVICES:
                    self.add(where, f"unknown service (expected one of "
                                    f"{', '.join(schema.SERVICES)})")
                elif not isinstance(flag, bool):
                    self.add(where, "must be true or false")

    def staff(self, path: str, rows: Any) -> None:
        if rows is INVALID:
            return
        seen: dict[tuple, int] = {}
        for i, item in enumerate(rows):
            where = _at(_at(path, "staff"), i)
            values = self.fields(where, item, schema.STAFF)
            if values is None:
                continue
            key = (values["year"], values["organisation"], values["profession"])
            if INVALID in key:
                continue
            if key in seen:
                self.add(where, f"duplicate row for {key[0]}, {key[1]}, {key[2]} "
                                f"(also staff[{seen[key]}])")
            else:
                seen[key] = i

    def maturity(self, path: str, rows: Any) -> None:
        if rows is INVALID:
            return
        seen: dict[int, int] = {}
        for i, item in enumerate(rows):
            where = _at(_at(path, "maturity"), i)
            values = self.fields(where, item, schema.MATURITY)
            if values is None or values["year"] is INVALID:
                continue
            year = values["year"]
            if year in seen:
                self.add(_at(where, "year"), f"duplicate year {year} (also maturity[{seen[year]}])")
            else:
                seen[year] = i

    # --- TYP networks --------------------------------------------------------------------

    def typ_network(self, path: str, record: Any) -> None:
        values = self.fields(path, record, schema.TYP_NETWORK)
        if values is None:
            return
        start, end = self.dates(path, values)
        for name, day in (("valid_from", start), ("valid_to", end)):
            if day not in (None, INVALID) and not schema.TYP_START <= day <= schema.TYP_END:
                self.add(_at(path, name), f"must be within the TYP period "
                                          f"{schema.TYP_START}..{schema.TYP_END}")
        codes = values["municipalities"]
        if codes is INVALID:
            return
        if not codes:
            self.add(_at(path, "municipalities"), "must list at least one municipality")
        first = start if start not in (None, INVALID) else schema.TYP_START
        last = end if end not in (None, INVALID) else schema.TYP_END
        seen: dict[str, int] = {}
        for i, code in enumerate(codes):
            where = _at(_at(path, "municipalities"), i)
            ref = self.ref.municipalities.get(code) if isinstance(code, str) else None
            if ref is None:
                self.add(where, f"unknown municipality {show(code)}")
            elif code in seen:
                self.add(where, f"duplicate municipality {code} "
                                f"(also municipalities[{seen[code]}])")
            elif not _overlap((ref.valid_from, ref.valid_to), (first, last)):
                self.add(where, f"municipality {self.ref.municipality(code)} did not exist "
                                f"during {first}..{last}")
            if isinstance(code, str):
                seen.setdefault(code, i)

    # --- county-wide coverage ------------------------------------------------------------

    def coverage(self, covers: list[_Cover]) -> None:
        """No overlap, no gap: on every date a county has networks, each of its
        municipalities is in exactly one of them."""
        by_county: dict[str, list[_Cover]] = {}
        for cover in covers:
            by_county.setdefault(cover.county, []).append(cover)
        for county, networks in sorted(by_county.items()):
            reported: set[tuple] = set()
            for on in _breakpoints(networks, self.ref.change_dates):
                valid = [n for n in networks if is_valid_on(n.valid_from, n.valid_to, on)]
                if valid:
                    self.county_on(county, valid, on, reported)

    def county_on(self, county: str, networks: list[_Cover], on: dt.date,
                  reported: set[tuple]) -> None:
        geography = self.ref.geography(on)
        county_members = geography.county_members.get(county, frozenset())
        holder: dict[str, _Cover] = {}
        for n in networks:
            municipalities = derive_municipalities(n.areas, geography.area_members,
                                                   county_members, n.include, n.exclude)
            for code in sorted(municipalities):
                first = holder.setdefault(code, n)
                if first is n or (code, first.id, n.id) in reported:
                    continue
                reported.add((code, first.id, n.id))
                where = "municipality_exceptions" if code in n.include else "employment_areas"
                self.add(_at(n.path, where),
                         f"municipality {self.ref.municipality(code)} is also in network "
                         f"{first.id} (networks[{first.index}]) on {on}")
        for code in sorted(county_members - holder.keys()):
            if ("gap", code) in reported:
                continue
            reported.add(("gap", code))
            self.add(f"county {county} {self.ref.counties[county].name}",
                     f"municipality {self.ref.municipality(code)} is in no network on {on}")


def _breakpoints(networks: Iterable[_Cover], change_dates: Iterable[dt.date]) -> list[dt.date]:
    """The dates on which a county's coverage can change (from 2025 on)."""
    dates = {TYM_START, *change_dates}
    for n in networks:
        dates.add(max(n.valid_from or TYM_START, TYM_START))
        if n.valid_to is not None:
            dates.add(n.valid_to + ONE_DAY)
    return sorted(d for d in dates if d >= TYM_START)

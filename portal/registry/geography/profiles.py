"""Read-only views of the reference geography for one date: what the national map
page and an area's page show. Framework-free; the HTML pages (and later the JSON API)
call these and only format the result."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.registry.geography.boundaries import (
    get_boundary_set,
    get_shape,
    latest_boundary_set,
)
from portal.registry.geography.models import (
    AreaShape,
    BoundarySet,
    CountyMembership,
    EmploymentArea,
    EmploymentAreaMembership,
    Level,
    Municipality,
    WellbeingCounty,
)
from portal.registry.geography.services import (
    UnknownArea,
    areas_of_county,
    counties_of_area,
    get_unit,
    list_units,
    member_counts_on,
    members_on,
    units_of_municipality,
)
from portal.registry.validity import is_valid_on, valid_on

# What a code of each level looks like; anything else cannot name a unit (and never
# reaches the database: PostgreSQL rejects some byte sequences outright).
CODE_PATTERNS = {
    Level.county: re.compile(r"\d{2}"),
    Level.employment_area: re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*"),
    Level.municipality: re.compile(r"\d{3}"),
}
_MODELS = {
    Level.county: WellbeingCounty,
    Level.employment_area: EmploymentArea,
    Level.municipality: Municipality,
}


def find_unit(session: Session, level: Level, code: str):
    """The unit of ``level`` with ``code`` (valid or not); ``UnknownArea`` if none."""
    pattern = CODE_PATTERNS[level]
    if len(code) > 60 or not pattern.fullmatch(code):
        raise UnknownArea(f"no {level.value} with code {code!r}")
    return get_unit(session, level, code)


def boundary_set_for(session: Session, on: dt.date) -> BoundarySet | None:
    """The boundaries to draw for date ``on``: that year's vintage, else the latest."""
    return get_boundary_set(session, on.year) or latest_boundary_set(session)


def unit_code(unit) -> str:
    """The code that names ``unit`` in URLs and geometry (an employment area's slug)."""
    return unit.id if isinstance(unit, EmploymentArea) else unit.code


def units_by_code(session: Session, level: Level, codes: list[str]) -> list:
    """Units of ``level`` with the given codes, in the order of ``codes`` (unknown skipped)."""
    model = _MODELS[level]
    key = model.id if level is Level.employment_area else model.code
    found = {unit_code(u): u for u in session.scalars(select(model).where(key.in_(codes)))}
    return [found[c] for c in codes if c in found]


# --- the national overview --------------------------------------------------------------

@dataclass(frozen=True)
class MunicipalityRow:
    municipality: Municipality
    county: WellbeingCounty | None
    employment_area: EmploymentArea | None


@dataclass(frozen=True)
class Overview:
    """Every unit of the three levels valid on ``on``, for the map page's tables."""

    on: dt.date
    counties: list[WellbeingCounty]
    county_members: dict[str, int]
    employment_areas: list[EmploymentArea]
    area_members: dict[str, int]
    municipalities: list[MunicipalityRow]
    boundary_set: BoundarySet | None


def _county_of(session: Session, on: dt.date) -> dict[str, str]:
    """Municipality code -> county code, for every county membership valid on ``on``."""
    return dict(session.execute(
        select(CountyMembership.municipality_code, CountyMembership.county_code)
        .where(valid_on(CountyMembership, on))).all())


def _area_of(session: Session, on: dt.date) -> dict[str, str]:
    """Municipality code -> employment area id, for every area membership valid on ``on``."""
    return dict(session.execute(
        select(EmploymentAreaMembership.municipality_code, EmploymentAreaMembership.area_id)
        .where(valid_on(EmploymentAreaMembership, on))).all())


def national_overview(session: Session, on: dt.date) -> Overview:
    counties = list_units(session, Level.county, on)
    areas = list_units(session, Level.employment_area, on)
    county_by_code = {c.code: c for c in counties}
    area_by_id = {a.id: a for a in areas}
    county_of = _county_of(session, on)
    area_of = _area_of(session, on)
    rows = [MunicipalityRow(m, county_by_code.get(county_of.get(m.code)),
                            area_by_id.get(area_of.get(m.code)))
            for m in list_units(session, Level.municipality, on)]
    return Overview(
        on=on,
        counties=counties,
        county_members=member_counts_on(session, Level.county, on),
        employment_areas=areas,
        area_members=member_counts_on(session, Level.employment_area, on),
        municipalities=rows,
        boundary_set=boundary_set_for(session, on),
    )


# --- one area ---------------------------------------------------------------------------

@dataclass(frozen=True)
class MemberRow:
    """A member municipality and the unit of the *other* level it belongs to."""

    municipality: Municipality
    other: WellbeingCounty | EmploymentArea | None


@dataclass(frozen=True)
class AreaProfile:
    """What an area's page shows for one date."""

    level: Level
    unit: WellbeingCounty | EmploymentArea | Municipality
    on: dt.date
    valid: bool
    members: list[MemberRow] = field(default_factory=list)
    county: WellbeingCounty | None = None            # municipality
    employment_area: EmploymentArea | None = None    # municipality
    counties: list[WellbeingCounty] = field(default_factory=list)   # employment area
    employment_areas: list[EmploymentArea] = field(default_factory=list)  # county
    boundary_set: BoundarySet | None = None
    shape: AreaShape | None = None
    neighbours: list = field(default_factory=list)
    merged_into: Municipality | None = None           # a municipality that merged away

    @property
    def code(self) -> str:
        return unit_code(self.unit)


def area_profile(session: Session, level: Level, code: str, on: dt.date) -> AreaProfile:
    """The unit ``code`` of ``level`` as it was on ``on``; ``UnknownArea`` if no such unit.

    A unit that exists but was not valid on ``on`` (say 588 Pertunmaa in 2025) gets a
    profile with ``valid=False`` and whatever memberships the date still has.
    """
    unit = find_unit(session, level, code)
    valid = is_valid_on(unit.valid_from, unit.valid_to, on)
    parts: dict = {}
    if level is Level.municipality:
        belonging = units_of_municipality(session, code, on)
        parts.update(county=belonging.county, employment_area=belonging.employment_area)
        if unit.merged_into_code:
            parts["merged_into"] = session.get(Municipality, unit.merged_into_code)
    else:
        members = members_on(session, level, code, on)
        # each member's unit on the other level, fetched in two queries for all members
        other, other_of = ((Level.employment_area, _area_of(session, on))
                           if level is Level.county else (Level.county, _county_of(session, on)))
        other_codes = sorted({other_of[m.code] for m in members if m.code in other_of})
        other_units = {unit_code(u): u for u in units_by_code(session, other, other_codes)}
        parts["members"] = [MemberRow(m, other_units.get(other_of.get(m.code)))
                            for m in members]
        if level is Level.county:
            parts["employment_areas"] = areas_of_county(session, code, on)
        else:
            parts["counties"] = counties_of_area(session, code, on)
    boundary_set = boundary_set_for(session, on)
    shape = get_shape(session, boundary_set.year, level, code) if boundary_set else None
    neighbours = units_by_code(session, level, json.loads(shape.neighbours)) if shape else []
    neighbours.sort(key=lambda u: u.name_fi)
    return AreaProfile(level=level, unit=unit, on=on, valid=valid, boundary_set=boundary_set,
                       shape=shape, neighbours=neighbours, **parts)

"""Questions about the reference geography, answered for a given date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.registry.geography.models import (
    CountyMembership,
    EmploymentArea,
    EmploymentAreaMembership,
    Level,
    Municipality,
    WellbeingCounty,
)
from portal.registry.validity import valid_on

_UNIT_MODEL = {
    Level.county: WellbeingCounty,
    Level.employment_area: EmploymentArea,
    Level.municipality: Municipality,
}
_MEMBERSHIP = {
    Level.county: (CountyMembership, CountyMembership.county_code),
    Level.employment_area: (EmploymentAreaMembership, EmploymentAreaMembership.area_id),
}


class UnknownArea(LookupError):
    """No unit of that level has that code."""


def get_unit(session: Session, level: Level, code: str):
    unit = session.get(_UNIT_MODEL[level], code)
    if unit is None:
        raise UnknownArea(f"no {level.value} with code {code!r}")
    return unit


def list_units(session: Session, level: Level, on: dt.date) -> list:
    """Every unit of ``level`` valid on ``on``, ordered by Finnish name."""
    model = _UNIT_MODEL[level]
    return list(session.scalars(select(model).where(valid_on(model, on)).order_by(model.name_fi)))


def members_on(session: Session, level: Level, code: str, on: dt.date) -> list[Municipality]:
    """The municipalities that belonged to county/employment area ``code`` on ``on``."""
    membership, unit_column = _MEMBERSHIP[level]
    stmt = (
        select(Municipality)
        .join(membership, membership.municipality_code == Municipality.code)
        .where(unit_column == code, valid_on(membership, on), valid_on(Municipality, on))
        .order_by(Municipality.name_fi)
    )
    return list(session.scalars(stmt))


def member_counts_on(session: Session, level: Level, on: dt.date) -> dict[str, int]:
    """Number of member municipalities per unit of ``level`` on ``on``."""
    membership, unit_column = _MEMBERSHIP[level]
    stmt = (
        select(unit_column, func.count())
        .join(Municipality, Municipality.code == membership.municipality_code)
        .where(valid_on(membership, on), valid_on(Municipality, on))
        .group_by(unit_column)
    )
    return dict(session.execute(stmt).all())


@dataclass(frozen=True)
class Belonging:
    """The units a municipality belonged to on one date."""

    county: WellbeingCounty | None
    employment_area: EmploymentArea | None


def units_of_municipality(session: Session, code: str, on: dt.date) -> Belonging:
    county = session.scalar(
        select(WellbeingCounty)
        .join(CountyMembership, CountyMembership.county_code == WellbeingCounty.code)
        .where(CountyMembership.municipality_code == code, valid_on(CountyMembership, on)))
    area = session.scalar(
        select(EmploymentArea)
        .join(EmploymentAreaMembership, EmploymentAreaMembership.area_id == EmploymentArea.id)
        .where(EmploymentAreaMembership.municipality_code == code,
               valid_on(EmploymentAreaMembership, on)))
    return Belonging(county=county, employment_area=area)


def counties_of_area(session: Session, area_id: str, on: dt.date) -> list[WellbeingCounty]:
    """Counties with member municipalities of employment area ``area_id`` on ``on``."""
    stmt = (
        select(WellbeingCounty)
        .join(CountyMembership, CountyMembership.county_code == WellbeingCounty.code)
        .join(EmploymentAreaMembership,
              EmploymentAreaMembership.municipality_code == CountyMembership.municipality_code)
        .where(EmploymentAreaMembership.area_id == area_id,
               valid_on(EmploymentAreaMembership, on), valid_on(CountyMembership, on))
        .distinct()
        .order_by(WellbeingCounty.code)
    )
    return list(session.scalars(stmt))


def areas_of_county(session: Session, county_code: str, on: dt.date) -> list[EmploymentArea]:
    """Employment areas with member municipalities in county ``county_code`` on ``on``."""
    stmt = (
        select(EmploymentArea)
        .join(EmploymentAreaMembership, EmploymentAreaMembership.area_id == EmploymentArea.id)
        .join(CountyMembership,
              CountyMembership.municipality_code == EmploymentAreaMembership.municipality_code)
        .where(CountyMembership.county_code == county_code,
               valid_on(EmploymentAreaMembership, on), valid_on(CountyMembership, on))
        .distinct()
        .order_by(EmploymentArea.name_fi)
    )
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class Census:
    municipalities: int
    employment_areas: int
    counties: int


def census_on(session: Session, on: dt.date) -> Census:
    """How many units of each level are valid on ``on``."""
    def count(model) -> int:
        return session.scalar(select(func.count()).select_from(model).where(valid_on(model, on)))

    return Census(count(Municipality), count(EmploymentArea), count(WellbeingCounty))


def display_name(unit, locale: str) -> str:
    """The unit's name in ``locale``; municipalities have no English name, so Finnish."""
    if locale == "sv":
        return unit.name_sv or unit.name_fi
    if locale == "en":
        return getattr(unit, "name_en", None) or unit.name_fi
    return unit.name_fi

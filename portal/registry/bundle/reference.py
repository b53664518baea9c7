"""The reference geography as validation sees it: codes, names, validity dates and
membership sets per date (read from the database once per validation)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.registry.geography.models import (
    CountyMembership,
    EmploymentArea,
    EmploymentAreaMembership,
    Municipality,
    WellbeingCounty,
)
from portal.registry.networks.coverage import TYM_START, Geography

ONE_DAY = dt.timedelta(days=1)


class GeographyOn(Protocol):
    """Membership sets on one date (``portal.registry.networks.coverage.Geography``)."""

    county_members: dict[str, frozenset[str]]
    area_members: dict[str, frozenset[str]]


@dataclass(frozen=True)
class CountyRef:
    name: str
    in_scope: bool


@dataclass(frozen=True)
class MunicipalityRef:
    name: str
    valid_from: dt.date | None
    valid_to: dt.date | None


@dataclass
class Reference:
    """What validation needs to know about the reference geography."""

    counties: dict[str, CountyRef]
    areas: frozenset[str]
    municipalities: dict[str, MunicipalityRef]
    change_dates: tuple[dt.date, ...]  # dates on or after 2025 when memberships change
    geography_on: Callable[[dt.date], GeographyOn]
    _cache: dict[dt.date, GeographyOn] = field(default_factory=dict, repr=False)

    @classmethod
    def from_session(cls, session: Session) -> Reference:
        counties = {c.code: CountyRef(c.name_fi, c.in_tym_scope)
                    for c in session.scalars(select(WellbeingCounty))}
        municipalities = {m.code: MunicipalityRef(m.name_fi, m.valid_from, m.valid_to)
                          for m in session.scalars(select(Municipality))}
        dates: set[dt.date] = set()
        for model in (CountyMembership, EmploymentAreaMembership, Municipality):
            for start, end in session.execute(select(model.valid_from, model.valid_to)):
                dates.update(d for d in (start, end and end + ONE_DAY) if d is not None)
        return cls(counties=counties,
                   areas=frozenset(session.scalars(select(EmploymentArea.id))),
                   municipalities=municipalities,
                   change_dates=tuple(sorted(d for d in dates if d >= TYM_START)),
                   geography_on=lambda on: Geography(session, on))

    def geography(self, on: dt.date) -> GeographyOn:
        if on not in self._cache:
            self._cache[on] = self.geography_on(on)
        return self._cache[on]

    def municipality(self, code: str) -> str:
        ref = self.municipalities.get(code)
        return f"{code} {ref.name}" if ref else code

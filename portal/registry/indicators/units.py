"""The units indicators are computed for, on one date: the networks in force, their
municipalities and counties, and the employment areas their networks tile; and every
unit's names. Read from the registry, nothing stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.registry.geography.models import EmploymentArea, Municipality, WellbeingCounty
from portal.registry.networks.coverage import Geography
from portal.registry.networks.models import Network
from portal.registry.validity import is_valid_on

NATION = "FI"


class Coverage:
    """Networks valid on one date, their municipalities, counties, and the employment
    areas their networks tile (every municipality of the area in networks that lie
    wholly inside it)."""

    def __init__(self, session: Session, on: dt.date, networks: list[Network]):
        self.on = on
        geography = Geography(session, on)
        self.geography = geography
        valid = [n for n in networks if is_valid_on(n.valid_from, n.valid_to, on)]
        self._networks = {n.id: n for n in valid}
        self.network_ids = [n.id for n in valid]
        self.municipalities = {n.id: geography.municipalities_of(n) for n in valid}
        self.by_county: dict[str, list[str]] = {}
        for n in valid:
            self.by_county.setdefault(n.county_code, []).append(n.id)
        self.area_networks: dict[str, list[str]] = {}
        for area, members in geography.area_members.items():
            inside = [n for n in self.network_ids
                      if self.municipalities[n] and self.municipalities[n] <= members]
            covered = frozenset().union(*(self.municipalities[n] for n in inside))
            if inside and covered == members:
                self.area_networks[area] = inside
        self._units: dict[str, list[str]] = {}

    def network(self, network_id: str) -> Network:
        return self._networks[network_id]

    def area_ids(self, session: Session) -> list[str]:
        return self.units("employment_area", session)

    def units(self, level: str, session: Session) -> list[str]:
        if level not in self._units:
            self._units[level] = self._read_units(level, session)
        return self._units[level]

    def _read_units(self, level: str, session: Session) -> list[str]:
        if level == "network":
            return list(self.network_ids)
        if level == "nation":
            return [NATION]
        if level == "employment_area":
            return sorted(a for a in self.geography.area_members)
        if level == "county":
            rows = session.scalars(select(WellbeingCounty.code).where(
                WellbeingCounty.in_tym_scope).order_by(WellbeingCounty.code))
            return [c for c in rows if c in self.geography.county_members]
        raise ValueError(f"unknown level {level!r}")


@dataclass(frozen=True)
class UnitInfo:
    level: str
    code: str
    name_fi: str
    name_sv: str
    name_en: str
    county: str | None = None  # the county of a network


def unit_names(session: Session) -> dict[tuple[str, str], UnitInfo]:
    """Names of every unit an indicator row can name, by (level, code)."""
    found = {("nation", NATION): UnitInfo("nation", NATION, "Koko maa", "Hela landet",
                                          "Whole country")}
    for c in session.scalars(select(WellbeingCounty)):
        found[("county", c.code)] = UnitInfo("county", c.code, c.name_fi, c.name_sv, c.name_en)
    for a in session.scalars(select(EmploymentArea)):
        found[("employment_area", a.id)] = UnitInfo("employment_area", a.id, a.name_fi,
                                                    a.name_sv, a.name_en)
    for n in session.scalars(select(Network)):
        found[("network", n.id)] = UnitInfo("network", n.id, n.name_fi, n.name_sv, n.name_fi,
                                            n.county_code)
    for m in session.scalars(select(Municipality)):
        found[("municipality", m.code)] = UnitInfo("municipality", m.code, m.name_fi,
                                                   m.name_sv, m.name_fi)
    return found

"""Which municipalities a network covers, derived from its employment areas.

Rule (docs/registry-format.md): for each covered employment area, the area's members on
date D that lie in the network's county; plus ``include`` exceptions; minus ``exclude``
exceptions. ``derive_municipalities`` is the pure rule; ``network_municipalities``
applies it to the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.registry.geography.models import (
    CountyMembership,
    EmploymentAreaMembership,
    Municipality,
)
from portal.registry.networks.models import ExceptionKind, Network, SteeringGroup
from portal.registry.validity import valid_on

TYM_START = dt.date(2025, 1, 1)


def derive_municipalities(
    areas: Iterable[str],
    area_members: Mapping[str, frozenset[str]],
    county_members: frozenset[str],
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
) -> frozenset[str]:
    """Municipalities of a network: (∪ area members ∩ county) ∪ include − exclude."""
    derived: set[str] = set()
    for area in areas:
        derived |= area_members.get(area, frozenset()) & county_members
    return frozenset((derived | set(include)) - set(exclude))


def reference_date(network: Network, on: dt.date | None = None) -> dt.date:
    """The date a network's coverage is evaluated on: ``on``, or its start (not before 2025)."""
    if on is not None:
        return on
    start = network.valid_from or TYM_START
    return max(start, TYM_START)


class Geography:
    """Membership sets on one date, read once and reused for every network."""

    def __init__(self, session: Session, on: dt.date):
        self.on = on
        valid_munis = set(session.scalars(select(Municipality.code)
                                          .where(valid_on(Municipality, on))))
        self.county_members: dict[str, frozenset[str]] = _group(session.execute(
            select(CountyMembership.county_code, CountyMembership.municipality_code)
            .where(valid_on(CountyMembership, on))), valid_munis)
        self.area_members: dict[str, frozenset[str]] = _group(session.execute(
            select(EmploymentAreaMembership.area_id, EmploymentAreaMembership.municipality_code)
            .where(valid_on(EmploymentAreaMembership, on))), valid_munis)

    def areas_in_county(self, county: str) -> dict[str, frozenset[str]]:
        """Employment areas with members in ``county`` → all their members (any county)."""
        members = self.county_members.get(county, frozenset())
        return {a: m for a, m in self.area_members.items() if m & members}

    def municipalities_of(self, network: Network) -> frozenset[str]:
        return derive_municipalities(
            [a.area_id for a in network.areas],
            self.area_members,
            self.county_members.get(network.county_code, frozenset()),
            [e.municipality_code for e in network.exceptions if e.kind == ExceptionKind.include],
            [e.municipality_code for e in network.exceptions if e.kind == ExceptionKind.exclude],
        )


def _group(rows, valid: set[str]) -> dict[str, frozenset[str]]:
    grouped: dict[str, set[str]] = {}
    for unit, municipality in rows:
        if municipality in valid:
            grouped.setdefault(unit, set()).add(municipality)
    return {k: frozenset(v) for k, v in grouped.items()}


def networks_on(session: Session, on: dt.date) -> list[Network]:
    """Networks valid on ``on`` with their areas, exceptions and governance loaded."""
    stmt = (select(Network).where(valid_on(Network, on)).order_by(Network.id)
            .options(selectinload(Network.areas), selectinload(Network.exceptions),
                     selectinload(Network.leaders), selectinload(Network.maturity),
                     selectinload(Network.steering_groups).selectinload(SteeringGroup.seats)))
    return list(session.scalars(stmt))


def network_municipalities(session: Session, network: Network,
                           on: dt.date | None = None) -> frozenset[str]:
    return Geography(session, reference_date(network, on)).municipalities_of(network)

"""Configuration type of each wellbeing county's TYM networks (THL study, 2025-2026).

For a county W on date D: A = employment areas with member municipalities in W,
N = networks of W valid on D, and for each network the set of areas it covers.

- type 1: |A| = 1, |N| = 1 and the area's municipalities are exactly W's
- type 5: |A| = 1, |N| = 1 but the sets differ (the area crosses the county border)
- type 2: |A| > 1 and every network covers exactly one area (one network per area)
- type 3: |A| > 1 and |N| = 1 (one network for all areas)
- type 4: |A| > 1, 1 < |N| < |A| and some network covers several areas
- incomplete: anything else — no network registered, an area split between networks
  (an area's part in W is covered by more than one network), covered areas that differ
  from A, or municipalities of W outside every network.

The classifier is pure (``classify``); ``classify_counties`` reads the registry. Nothing
is stored: the types are recomputed from the registry on every read, so they can
never be stale.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.registry.geography.models import WellbeingCounty
from portal.registry.networks.coverage import Geography, networks_on


class ConfigType(enum.StrEnum):
    type1 = "1"
    type2 = "2"
    type3 = "3"
    type4 = "4"
    type5 = "5"
    incomplete = "incomplete"


@dataclass(frozen=True)
class NetworkCover:
    areas: frozenset[str]
    municipalities: frozenset[str]


@dataclass(frozen=True)
class Classification:
    county: str
    type: ConfigType
    reason: str  # machine-readable reason code for incomplete, "" otherwise
    areas: int
    networks: int


def classify(county: str, county_members: frozenset[str],
             areas: Mapping[str, frozenset[str]],
             networks: Mapping[str, NetworkCover]) -> Classification:
    """Classify one county. ``areas``: area id → all its members (any county)."""
    a, n = len(areas), len(networks)

    def result(kind: ConfigType, reason: str = "") -> Classification:
        return Classification(county, kind, reason, a, n)

    if n == 0:
        return result(ConfigType.incomplete, "no_networks")
    covered = [area for cover in networks.values() for area in cover.areas]
    if any(count > 1 for count in Counter(covered).values()):
        return result(ConfigType.incomplete, "area_split")
    if set(covered) != set(areas):
        return result(ConfigType.incomplete, "areas_mismatch")
    in_networks = frozenset().union(*(c.municipalities for c in networks.values()))
    if county_members - in_networks:
        return result(ConfigType.incomplete, "municipality_uncovered")
    if a == 1:
        if n != 1:  # unreachable after the split check, kept for clarity
            return result(ConfigType.incomplete, "area_split")
        (members,) = areas.values()
        return result(ConfigType.type1 if members == county_members else ConfigType.type5)
    if n == 1:
        return result(ConfigType.type3)
    if all(len(c.areas) == 1 for c in networks.values()):
        return result(ConfigType.type2)
    if 1 < n < a:
        return result(ConfigType.type4)
    return result(ConfigType.incomplete, "other")


def classify_counties(session: Session, on: dt.date) -> dict[str, Classification]:
    """Classification of every county in TYM scope on ``on``."""
    geography = Geography(session, on)
    by_county: dict[str, dict[str, NetworkCover]] = {}
    for network in networks_on(session, on):
        by_county.setdefault(network.county_code, {})[network.id] = NetworkCover(
            frozenset(a.area_id for a in network.areas), geography.municipalities_of(network))
    counties = session.scalars(select(WellbeingCounty.code).where(WellbeingCounty.in_tym_scope)
                               .order_by(WellbeingCounty.code))
    return {
        code: classify(code, geography.county_members.get(code, frozenset()),
                       geography.areas_in_county(code), by_county.get(code, {}))
        for code in counties
    }


def distribution(classifications: Mapping[str, Classification]) -> dict[ConfigType, int]:
    """How many counties of each type (every type present, zeros included)."""
    counts = Counter(c.type for c in classifications.values())
    return {kind: counts.get(kind, 0) for kind in ConfigType}

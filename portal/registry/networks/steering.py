"""Steering-group composition, derived from seats (never typed twice), and the
national summary in the form the THL study reports it: number of groups, size
min/mean/max, mean seats per organisation type with ranges, and how many groups have
both social and health representation from the county."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import fmean

from portal.registry.networks.models import OrgType, SteeringGroup

COUNTY_TYPES = (OrgType.county_social, OrgType.county_health)


def seat_counts(group: SteeringGroup) -> dict[OrgType, int]:
    """Seats per organisation type, every type present (zeros included)."""
    counts = {t: 0 for t in OrgType}
    for seat in group.seats:
        counts[OrgType(seat.org_type)] += seat.count
    return counts


def group_size(counts: Mapping[OrgType, int]) -> int:
    return sum(counts.values())


def has_social_and_health(counts: Mapping[OrgType, int]) -> bool:
    return counts[OrgType.county_social] > 0 and counts[OrgType.county_health] > 0


@dataclass(frozen=True)
class Range:
    mean: float
    min: int
    max: int


@dataclass(frozen=True)
class SteeringSummary:
    groups: int
    size: Range | None
    seats: dict[str, Range]  # org type value, plus "county" = social + health
    social_and_health: int


def summarise(compositions: Iterable[Mapping[OrgType, int]]) -> SteeringSummary:
    """National summary over the compositions of the groups in force."""
    rows = list(compositions)
    if not rows:
        return SteeringSummary(0, None, {}, 0)

    def rng(values: list[int]) -> Range:
        return Range(round(fmean(values), 1), min(values), max(values))

    seats = {t.value: rng([r[t] for r in rows]) for t in OrgType}
    seats["county"] = rng([r[OrgType.county_social] + r[OrgType.county_health] for r in rows])
    return SteeringSummary(
        groups=len(rows),
        size=rng([group_size(r) for r in rows]),
        seats=seats,
        social_and_health=sum(has_social_and_health(r) for r in rows),
    )

"""Peer groups for fair comparison: units of a level grouped by the size of their labour
force (open statistics, the same month; the latest earlier month when that one is not
released). Raw counts and rates of a network of 8,000 people and one of 300,000 are not
comparable; a peer group's median is the fairer yardstick.

The classes are fixed (not quantiles of the day), so a unit keeps its group as long as
its labour force stays in the band, and a download says which band it was compared in.
"""

from __future__ import annotations

import datetime as dt

from portal.registry.indicators.catalogue import Text
from portal.registry.indicators.compute import IndicatorData, parse_period

# (upper bound exclusive, id); the last band has no upper bound.
BANDS: tuple[tuple[float, str], ...] = (
    (20_000, "lf-under-20k"),
    (50_000, "lf-20k-50k"),
    (100_000, "lf-50k-100k"),
    (float("inf"), "lf-100k-plus"),
)
NAMES = {
    "lf-under-20k": Text("Työvoima alle 20 000", "Arbetskraft under 20 000",
                         "Labour force under 20,000"),
    "lf-20k-50k": Text("Työvoima 20 000–49 999", "Arbetskraft 20 000–49 999",
                       "Labour force 20,000-49,999"),
    "lf-50k-100k": Text("Työvoima 50 000–99 999", "Arbetskraft 50 000–99 999",
                        "Labour force 50,000-99,999"),
    "lf-100k-plus": Text("Työvoima vähintään 100 000", "Arbetskraft minst 100 000",
                         "Labour force 100,000 or more"),
}
LOOKBACK_MONTHS = 24


def band(labour_force: float | None) -> str | None:
    if labour_force is None:
        return None
    for upper, name in BANDS:
        if labour_force < upper:
            return name
    return None


def _previous(month: dt.date) -> dt.date:
    return dt.date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def labour_force(data: IndicatorData, level: str, unit: str, month: dt.date) -> float | None:
    """The unit's labour force in ``month`` or the latest of the preceding months."""
    for _ in range(LOOKBACK_MONTHS):
        value, _reason = data.statistic("labour_force", level, unit, month)
        if value is not None:
            return value
        month = _previous(month)
    return None


def peer_groups(data: IndicatorData, level: str, period: str,
                units: list[str]) -> dict[str, str]:
    """unit -> peer group id (units whose labour force is not known are left out)."""
    if level == "nation":
        return {}
    first = parse_period(period)
    if len(period) == 4:  # a year: its last month
        first = dt.date(first.year, 12, 1)
    found = {}
    for unit in units:
        group = band(labour_force(data, level, unit, first))
        if group:
            found[unit] = group
    return found

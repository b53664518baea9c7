"""The national list of networks: one row per network with what the overview table shows,
sortable by any column (stable: ties keep the order of the names), plus the national
summaries of completeness and continuity. Built from ``services.overview``; pure."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from portal.registry.geography.models import WellbeingCounty
from portal.registry.networks.configuration import ConfigType
from portal.registry.networks.continuity import Continuity
from portal.registry.networks.models import Network, NetworkStatus
from portal.registry.networks.services import COMPLETENESS_ITEMS, Overview

# Finnish and Swedish put å, ä, ö after z (in that order); Python's code-point order does
# not. Good enough for names; a full collation would need ICU.
_COLLATION = str.maketrans({"å": "z{", "ä": "z|", "ö": "z}", "æ": "z|", "ø": "z}",
                            "ü": "y", "é": "e", "è": "e", "á": "a", "à": "a"})


def collation_key(text: str) -> str:
    return text.casefold().translate(_COLLATION)


def local_name(unit, locale: str) -> str:
    """A network's or county's name in ``locale``: Swedish for sv, else Finnish (or the
    English name of a county on an English page)."""
    if locale == "sv" and unit.name_sv:
        return unit.name_sv
    if locale == "en" and getattr(unit, "name_en", None):
        return unit.name_en
    return unit.name_fi


@dataclass(frozen=True)
class NetworkRow:
    network: Network
    county: WellbeingCounty
    areas: int
    municipalities: int
    config_type: ConfigType | None
    continuity: Continuity | None
    completeness: float
    missing: tuple[str, ...]

    @property
    def status(self) -> NetworkStatus:
        return NetworkStatus(self.network.status)

    @property
    def last_confirmed(self) -> dt.date | None:
        return self.network.last_confirmed_on


def network_rows(overview: Overview, counties: dict[str, WellbeingCounty]) -> list[NetworkRow]:
    rows = []
    for n in overview.networks:
        classification = overview.classifications.get(n.county_code)
        continuity = overview.continuity.get(n.id)
        done = overview.completeness[n.id]
        rows.append(NetworkRow(
            network=n, county=counties[n.county_code], areas=len(n.areas),
            municipalities=overview.municipality_counts[n.id],
            config_type=classification.type if classification else None,
            continuity=continuity.kind if continuity else None,
            completeness=done.share, missing=tuple(done.missing)))
    return rows


def _order(enum_cls) -> dict:
    return {member: i for i, member in enumerate(enum_cls)}


_TYPE_ORDER = _order(ConfigType)
_CONTINUITY_ORDER = _order(Continuity)
_STATUS_ORDER = _order(NetworkStatus)

# column -> (the value to sort by, None = missing and always last) for a page locale
SortKey = Callable[[NetworkRow, str], object]
SORT_KEYS: dict[str, SortKey] = {
    "name": lambda r, loc: collation_key(local_name(r.network, loc)),
    "county": lambda r, loc: collation_key(local_name(r.county, loc)),
    "areas": lambda r, loc: r.areas,
    "municipalities": lambda r, loc: r.municipalities,
    "type": lambda r, loc: None if r.config_type is None else _TYPE_ORDER[r.config_type],
    "continuity": lambda r, loc: (None if r.continuity is None
                                  else _CONTINUITY_ORDER[r.continuity]),
    "status": lambda r, loc: _STATUS_ORDER[r.status],
    "confirmed": lambda r, loc: r.last_confirmed,
    "completeness": lambda r, loc: r.completeness,
}
DEFAULT_SORT = "name"


def sort_rows(rows: list[NetworkRow], column: str, descending: bool,
              locale: str) -> list[NetworkRow]:
    """``rows`` ordered by ``column``; ties stay in name order (then id), in either
    direction; rows without a value (never confirmed, no type) come last either way."""
    key = SORT_KEYS[column]
    by_name = sorted(rows, key=lambda r: (SORT_KEYS["name"](r, locale), r.network.id))
    present = [r for r in by_name if key(r, locale) is not None]
    missing = [r for r in by_name if key(r, locale) is None]
    # list.sort is stable, also with reverse=True: equal keys keep the name order
    present.sort(key=lambda r: key(r, locale), reverse=descending)
    return present + missing


@dataclass(frozen=True)
class CompletenessSummary:
    """How many networks lack each item, and how many lack nothing."""

    networks: int
    complete: int
    missing: dict[str, int]  # every item of COMPLETENESS_ITEMS, zeros included


def completeness_summary(rows: list[NetworkRow]) -> CompletenessSummary:
    counts = Counter(item for r in rows for item in r.missing)
    return CompletenessSummary(len(rows), sum(not r.missing for r in rows),
                               {item: counts.get(item, 0) for item in COMPLETENESS_ITEMS})


def continuity_counts(overview: Overview) -> dict[Continuity, int]:
    """Networks per continuity class, every class present (zeros included)."""
    counts = Counter(r.kind for r in overview.continuity.values())
    return {kind: counts.get(kind, 0) for kind in Continuity}

"""From Sotkanet rows to values per municipality or wellbeing county and year (pure)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from etl.runs import Rejected

LEVELS = {"KUNTA": ("municipality", 3), "HYVINVOINTIALUE": ("county", 2)}
MEASURE = "value"


@dataclass
class Transformed:
    values: pd.DataFrame
    rejected: list[Rejected] = field(default_factory=list)
    other_levels: Counter = field(default_factory=Counter)  # category -> rows not stored


def region_index(regions: Iterable[Mapping]) -> dict[int, tuple[str, str]]:
    """Region id -> (category, code) from ``/regions``."""
    index = {}
    for region in regions:
        if isinstance(region, Mapping) and isinstance(region.get("id"), int):
            index[region["id"]] = (str(region.get("category", "")), str(region.get("code", "")))
    return index


def to_values(rows: list, indicator_id: int, regions: Mapping[int, tuple[str, str]],
              municipalities: set[str], counties: set[str]) -> Transformed:
    """Keep municipality and wellbeing-county rows; refuse what cannot be read."""
    result = Transformed(pd.DataFrame())
    kept: dict[tuple[str, str, dt.date], float] = {}
    known = {"municipality": municipalities, "county": counties}
    for number, row in enumerate(rows, start=1):
        record = row if isinstance(row, Mapping) else {"row": row}

        def refuse(reason: str, number=number, record=record) -> None:
            result.rejected.append(Rejected(number, {k: _plain(v) for k, v in record.items()},
                                            reason))

        if not isinstance(row, Mapping):
            refuse("not an object")
            continue
        if row.get("indicator") not in (indicator_id, str(indicator_id)):
            refuse(f"indicator {row.get('indicator')!r} is not {indicator_id}")
            continue
        if row.get("gender", "total") != "total":
            refuse(f"gender {row.get('gender')!r} was not asked for (total)")
            continue
        year, value, region = row.get("year"), row.get("value"), row.get("region")
        if not isinstance(year, int) or not 1900 <= year <= 2100:
            refuse(f"year {year!r} is not a year")
            continue
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                  or not math.isfinite(value)):
            refuse(f"value {value!r} is not a number")
            continue
        if region not in regions:
            refuse(f"region id {region!r} is not in Sotkanet's /regions")
            continue
        category, raw_code = regions[region]
        if category not in LEVELS:
            result.other_levels[category] += 1
            continue
        level, width = LEVELS[category]
        code = raw_code.strip().zfill(width) if raw_code.strip().isdigit() else raw_code
        if code not in known[level]:
            refuse(f"{category} code {raw_code!r} is not a {level} of the reference geography")
            continue
        key = (level, code, dt.date(year, 1, 1))
        if key in kept:
            refuse(f"a second value for {category} {code} in {year}")
            continue
        kept[key] = value
    result.values = pd.DataFrame(
        [(MEASURE, level, code, period, math.nan if value is None else float(value),
          None if value is not None else "..")
         for (level, code, period), value in kept.items()],
        columns=["measure", "level", "unit_code", "period", "value", "status"])
    return result


def _plain(value):
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)

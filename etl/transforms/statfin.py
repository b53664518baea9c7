"""From a StatFin JSON-stat2 frame to the values stored per municipality and month.

Pure functions of DataFrames. Area codes are ``KU`` + a municipality code, or ``SSS``
(the whole country, kept as the nation's published value); months are ``YYYYMmm``.
A cell is refused (quarantined with the reason) when its area or month code cannot be
read, its municipality is not in the reference geography, or it has a value for a month
in which its municipality did not exist. A blank cell of a municipality that did not
exist that month carries no information and is only counted.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from etl.runs import Rejected

_MUNICIPALITY = re.compile(r"^KU(\d{3})$")
_MONTH = re.compile(r"^(\d{4})M(\d{2})$")
NATION_CODE = "SSS"


def area_of(code: str) -> tuple[str, str] | None:
    """(level, unit code) of a PxWeb area code, or None when it is not one we store."""
    if code == NATION_CODE:
        return "nation", NATION_CODE
    match = _MUNICIPALITY.match(code)
    return ("municipality", match.group(1)) if match else None


def month_of(code: str) -> dt.date | None:
    match = _MONTH.match(code)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def month_code(day: dt.date) -> str:
    return f"{day.year}M{day.month:02d}"


def wanted_areas(codes: list[str]) -> list[str]:
    """The area codes of a table worth requesting: municipalities and the nation."""
    return [c for c in codes if area_of(c) is not None]


def month_end(first: dt.date) -> dt.date:
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


@dataclass
class Transformed:
    values: pd.DataFrame  # measure, level, unit_code, period, value, status
    rejected: list[Rejected] = field(default_factory=list)
    blank_outside_validity: int = 0


def to_values(frame: pd.DataFrame, area: str, time: str, measure: str,
              municipalities: pd.DataFrame) -> Transformed:
    """``frame``: one JSON-stat2 answer (columns ``area``, ``time``, ``measure`` codes,
    ``value``, ``status``). ``municipalities``: ``code``, ``name``, ``valid_from``,
    ``valid_to`` (dates or None), ``merged_into``.

    The checks are made once per distinct area, month and (area, month) pair and spread
    to the cells through category codes, so a table of a million cells costs little
    more than its distinct codes."""
    area_cat = frame[area].astype("category")
    month_cat = frame[time].astype("category")
    areas = list(area_cat.cat.categories)
    months = list(month_cat.cat.categories)
    a_codes = area_cat.cat.codes.to_numpy()
    m_codes = month_cat.cat.codes.to_numpy()
    area_info = [area_of(str(code)) for code in areas]
    month_info = [month_of(str(code)) for code in months]
    known = {row.code: row for row in municipalities.itertuples(index=False)}

    # reason per (area, month) pair: None = keep, "" = blank outside validity is fine
    pair_reason = np.full((len(areas), len(months)), None, dtype=object)
    outside = np.zeros((len(areas), len(months)), dtype=bool)
    for i, info in enumerate(area_info):
        if info is None:
            pair_reason[i, :] = "area code is neither KU + a municipality code nor SSS"
            continue
        for j, first in enumerate(month_info):
            if first is None:
                pair_reason[i, j] = "month code is not YYYYMmm"
            elif info[0] == "municipality":
                reason, is_outside = _municipality_problem(known.get(info[1]), info[1], first)
                pair_reason[i, j], outside[i, j] = reason, is_outside
    cell_reason = pair_reason[a_codes, m_codes]
    cell_outside = outside[a_codes, m_codes]
    blank = np.isnan(frame["value"].to_numpy(dtype=float))
    dropped_blank = cell_outside & blank
    refused = np.array([r is not None for r in cell_reason]) & ~dropped_blank \
        if pair_reason.any() else np.zeros(len(frame), dtype=bool)
    keep = ~refused & ~dropped_blank

    status = frame["status"].to_numpy(dtype=object)
    rejected = [
        Rejected(None, {"area": str(areas[a_codes[i]]), "period": str(months[m_codes[i]]),
                        "measure": str(frame[measure].iat[i]),
                        "value": None if blank[i] else float(frame["value"].iat[i]),
                        "status": None if _missing(status[i]) else str(status[i])},
                 cell_reason[i])
        for i in np.flatnonzero(refused)]
    levels = np.array([i[0] if i else None for i in area_info], dtype=object)
    units = np.array([i[1] if i else None for i in area_info], dtype=object)
    periods = np.array(month_info, dtype=object)
    kept_status = status[keep]
    values = pd.DataFrame({
        "measure": frame[measure].astype(str).to_numpy()[keep],
        "level": levels[a_codes[keep]],
        "unit_code": units[a_codes[keep]],
        "period": periods[m_codes[keep]],
        "value": frame["value"].to_numpy(dtype=float)[keep],
        "status": pd.Series(kept_status, dtype=object).where(
            ~pd.isna(kept_status), None).to_numpy(),
    })
    return Transformed(values, rejected, int(dropped_blank.sum()))


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _municipality_problem(row, code: str, first: dt.date) -> tuple[str | None, bool]:
    """(reason, outside validity) for a municipality's cells in the month ``first``."""
    if row is None:
        return f"municipality {code} is not in the reference geography", False
    start, end = _date_or_none(row.valid_from), _date_or_none(row.valid_to)
    if (start is not None and month_end(first) < start) or (end is not None and first > end):
        merged = (f" (merged into {row.merged_into} on {end + dt.timedelta(days=1)})"
                  if isinstance(row.merged_into, str) and end is not None else "")
        return f"municipality {code} {row.name} did not exist in {first:%Y-%m}{merged}", True
    return None, False


def _date_or_none(value) -> dt.date | None:
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):
        return None
    return value

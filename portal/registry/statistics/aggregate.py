"""Aggregating municipal values to larger units with the memberships valid in each
period. Pure functions of DataFrames (no database): ``services.aggregate`` feeds them.

A municipality's value for a period counts for the unit it belonged to at the end of
that period (the statistics are month-end or year-end stocks). So a municipality that
merged keeps counting, for the periods it existed, for the units it belonged to then
(Pertunmaa's 2024 values go to Etelä-Savo in 2024), and a period counts each
municipality once, because a municipality belongs to one unit of a level at a time.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

_FAR_PAST = pd.Timestamp("1800-01-01")
_FAR_FUTURE = pd.Timestamp("2200-12-31")
INCOMPLETE = "incomplete"  # status of an aggregate with a blank member value


def period_end(first: dt.date, frequency: str) -> dt.date:
    if frequency == "year":
        return dt.date(first.year, 12, 31)
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def assign_units(values: pd.DataFrame, memberships: pd.DataFrame,
                 frequency: str = "month") -> pd.DataFrame:
    """Attach ``unit`` to each municipal value: the unit whose membership
    (``municipality_code``, ``unit``, ``valid_from``, ``valid_to``; None = open) covers the
    end of the value's period, or, when the memberships have a ``period`` column instead,
    the unit of exactly that period. Values of municipalities with no such membership are
    dropped (they belong to no unit of that level then, e.g. no employment areas before
    2025)."""
    if values.empty or memberships.empty:
        return values.assign(unit=pd.Series(dtype=object)).iloc[0:0]
    if "period" in memberships.columns:
        # memberships given per period (networks): match the period exactly
        merged = values.merge(memberships.rename(columns={"municipality_code": "unit_code"}),
                              on=["unit_code", "period"], how="inner")
        return merged
    ends = {p: pd.Timestamp(period_end(p, frequency)) for p in values["period"].unique()}
    left = values.assign(_end=values["period"].map(ends))
    right = memberships.assign(
        valid_from=pd.to_datetime(memberships["valid_from"]).fillna(_FAR_PAST),
        valid_to=pd.to_datetime(memberships["valid_to"]).fillna(_FAR_FUTURE))
    merged = left.merge(right, left_on="unit_code", right_on="municipality_code", how="inner")
    inside = (merged["valid_from"] <= merged["_end"]) & (merged["_end"] <= merged["valid_to"])
    merged = merged[inside]
    return merged.drop(columns=["_end", "municipality_code", "valid_from", "valid_to"])


def aggregate(values: pd.DataFrame, memberships: pd.DataFrame,
              frequency: str = "month") -> pd.DataFrame:
    """Sum municipal ``values`` (``unit_code``, ``period``, ``measure``, ``value``) per unit,
    period and measure. Returns ``unit``, ``period``, ``measure``, ``value``, ``members``
    (municipalities counted), ``blank`` (of which blank); ``value`` is NaN and ``status``
    ``incomplete`` when any member's value is blank (a sum without it would mislead)."""
    assigned = assign_units(values, memberships, frequency)
    columns = ["unit", "period", "measure", "value", "status", "members", "blank"]
    if assigned.empty:
        return pd.DataFrame(columns=columns)
    assigned = assigned.assign(_blank=assigned["value"].isna())
    grouped = assigned.groupby(["unit", "period", "measure"], observed=True, sort=True)
    result = grouped.agg(value=("value", "sum"), members=("value", "size"),
                         blank=("_blank", "sum")).reset_index()
    incomplete = result["blank"] > 0
    result["value"] = result["value"].where(~incomplete, np.nan)
    result["status"] = np.where(incomplete, INCOMPLETE, None)
    result["members"] = result["members"].astype(int)
    result["blank"] = result["blank"].astype(int)
    return result[columns]

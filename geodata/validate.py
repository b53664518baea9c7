"""Checks on a municipality layer before anything is built from it.

Every check returns a list of human-readable problems (empty = fine), so that one
report can name every reason at once; ``validate_layer`` runs them in order and
raises ``ValidationError``. The expected municipalities come from the caller (the
registry), as ``KnownMunicipality`` records: this module knows no database.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

POLYGONAL = {"Polygon", "MultiPolygon"}


class ValidationError(ValueError):
    """The layer cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:20]
        more = f"\n... and {len(problems) - 20} more problems" if len(problems) > 20 else ""
        super().__init__("\n".join(shown) + more)


@dataclass(frozen=True)
class KnownMunicipality:
    """A municipality the registry knows, with the period it is valid in."""

    code: str
    name: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    merged_into: tuple[str, str] | None = None  # (code, name) of the successor

    def valid_on(self, on: dt.date) -> bool:
        return ((self.valid_from is None or self.valid_from <= on)
                and (self.valid_to is None or self.valid_to >= on))


def listing(items: Iterable, limit: int = 20) -> str:
    """``a, b, c`` with at most ``limit`` items shown, then how many more there are."""
    items = [str(i) for i in items]
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _labels(frame: gpd.GeoDataFrame, mask) -> list[str]:
    """``091 (Helsinki)`` for each selected row, using the file's own names."""
    rows = frame.loc[mask]
    return [f"{c} ({n})" if n else str(c) for c, n in zip(rows["code"], rows["name_fi"],
                                                          strict=True)]


def geometry_problems(frame: gpd.GeoDataFrame) -> list[str]:
    """Non-polygons and invalid polygons, each named by municipality."""
    problems = []
    types = frame.geometry.geom_type
    for label, kind in zip(_labels(frame, ~types.isin(POLYGONAL)),
                           types[~types.isin(POLYGONAL)], strict=True):
        problems.append(f"municipality {label}: geometry is a {kind}, expected a polygon")
    geoms = frame.geometry.values
    invalid = np.asarray(types.isin(POLYGONAL)) & ~shapely.is_valid(geoms)
    for label, geom in zip(_labels(frame, invalid), geoms[invalid], strict=True):
        problems.append(f"invalid geometry for municipality {label}: "
                        f"{shapely.is_valid_reason(geom)}")
    return problems


def duplicate_problems(frame: gpd.GeoDataFrame) -> list[str]:
    problems = []
    blank = int((frame["code"] == "").sum())
    if blank:
        problems.append(f"{blank} features have no municipality code")
    for code, n in sorted(Counter(c for c in frame["code"] if c).items()):
        if n > 1:
            problems.append(f"municipality {code} appears {n} times in the file "
                            "(expected one feature per municipality)")
    return problems


def code_problems(frame: gpd.GeoDataFrame, known: Mapping[str, KnownMunicipality],
                  on: dt.date) -> list[str]:
    """Codes in the file that are not valid on ``on``, and valid codes the file lacks.

    ``known`` holds every municipality the registry knows, valid on ``on`` or not, so
    that a retired code can be explained (merged into another, abolished, not yet valid).
    """
    file_names = {c: n for c, n in zip(frame["code"], frame["name_fi"], strict=True) if c}
    problems = []
    for code in sorted(file_names):
        municipality = known.get(code)
        if municipality is not None and municipality.valid_on(on):
            continue
        if municipality is None:
            named = f" ({file_names[code]})" if file_names[code] else ""
            problems.append(f"file has municipality code {code}{named} that the registry "
                            "does not know")
            continue
        problems.append(f"file has municipality {code} ({municipality.name}) that is not "
                        f"valid on {on.isoformat()} ({_why_not(municipality, on)})")
    expected = sorted(c for c, m in known.items() if m.valid_on(on))
    missing = [c for c in expected if c not in file_names]
    if len(missing) == 1:
        code = missing[0]
        problems.append(f"file lacks municipality {code} ({known[code].name}), valid on "
                        f"{on.isoformat()}")
    elif missing:
        problems.append(f"file lacks {len(missing)} of the {len(expected)} municipalities "
                        f"valid on {on.isoformat()}: "
                        + listing(f"{c} ({known[c].name})" for c in missing))
    return problems


def _why_not(municipality: KnownMunicipality, on: dt.date) -> str:
    if municipality.valid_from and municipality.valid_from > on:
        return f"valid from {municipality.valid_from.isoformat()}"
    if municipality.merged_into:
        code, name = municipality.merged_into
        return f"merged into {code} {name}"
    return f"abolished after {municipality.valid_to.isoformat()}"


def vintage_problems(vintages: Iterable[int], year: int) -> list[str]:
    """The file's own year column (Statistics Finland ``vuosi``) must agree with ``year``."""
    vintages = sorted(set(vintages))
    if vintages and vintages != [year]:
        return [f"the file is the municipal division of {listing(vintages)} (its year "
                f"column says so), but boundaries for {year} were asked for"]
    return []


def coverage_problems(frame: gpd.GeoDataFrame) -> list[str]:
    """Neighbouring municipalities must neither overlap nor disagree on their border.

    Simplification keeps shared borders shared only when they are identical in the
    input (a valid polygon coverage), so anything else is refused here.
    """
    edges = shapely.coverage_invalid_edges(frame.geometry.values)
    bad = ~shapely.is_empty(edges) & ~shapely.is_missing(edges)
    if not bad.any():
        return []
    return [f"borders of {int(bad.sum())} municipalities do not match their neighbours' "
            "(overlapping areas or different vertices along a shared border): "
            + listing(_labels(frame, bad))]


def validate_layer(frame: gpd.GeoDataFrame, known: Mapping[str, KnownMunicipality],
                   on: dt.date, vintages: Iterable[int] = ()) -> None:
    """Run every check; raise ``ValidationError`` naming all problems found.

    The coverage check needs valid polygons, so it runs only when the rest passed.
    """
    problems = (geometry_problems(frame) + duplicate_problems(frame)
                + vintage_problems(vintages, on.year) + code_problems(frame, known, on))
    if not problems:
        problems = coverage_problems(frame)
    if problems:
        raise ValidationError(problems)

"""Dissolve municipalities into larger units (employment areas, counties)."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import shapely


def dissolve(frame: gpd.GeoDataFrame, unit_of: Mapping[str, str]) -> gpd.GeoDataFrame:
    """One polygon per unit: the union of its municipalities.

    ``frame`` has ``code`` and ``geometry`` columns and must be a polygon coverage
    (neighbours share identical borders), so the union is exact and adds no vertex.
    ``unit_of`` maps a municipality code to its unit; municipalities missing from it
    belong to no unit (Åland in no employment area) and are left out. The result has
    columns ``code`` (the unit) and ``geometry``, sorted by code, in ``frame``'s CRS.
    """
    members: dict[str, list] = {}
    for code, geometry in zip(frame["code"], frame.geometry.values, strict=True):
        unit = unit_of.get(code)
        if unit is not None:
            members.setdefault(unit, []).append(geometry)
    units = sorted(members)
    geometries = [shapely.coverage_union_all(members[u]) for u in units]
    return gpd.GeoDataFrame({"code": units}, geometry=geometries, crs=frame.crs)

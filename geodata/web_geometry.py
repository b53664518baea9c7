"""From municipality polygons to the map's web geometry for every level, in one call.

``build_web_geometry`` simplifies the municipalities as a coverage, dissolves them
into the larger units, builds the shared-arc topology and decodes it back into one
lon/lat geometry per area; it also measures each area's largest simplification error
and finds its neighbours in the source geometry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import shapely

from geodata.crs import METRIC_CRS, to_metric
from geodata.dissolve import dissolve
from geodata.topology import (
    TopologyError,
    build_topology,
    decode,
    dumps,
    invalid_shapes,
    largest_errors,
    neighbours,
    simplify_coverage,
)


@dataclass
class WebGeometry:
    """The topology (dict and its JSON text) and, per object name and code: the
    decoded lon/lat shape, its largest error in metres and its neighbours' codes."""

    topology: dict[str, Any]
    text: str
    shapes: dict[str, dict[str, shapely.Geometry]]
    errors_m: dict[str, dict[str, float]]
    neighbours: dict[str, dict[str, list[str]]]

    @property
    def max_error_m(self) -> dict[str, float]:
        return {name: max(errors.values(), default=0.0) for name, errors in self.errors_m.items()}

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(shapes) for name, shapes in self.shapes.items()}


def build_web_geometry(municipalities: gpd.GeoDataFrame,
                       groupings: Mapping[str, Mapping[str, str]],
                       properties: Mapping[str, Mapping[str, dict]],
                       tolerance_m: float,
                       base_name: str = "municipality") -> WebGeometry:
    """Build the web geometry of ``municipalities`` and the units they group into.

    ``municipalities`` has ``code`` and ``geometry`` (any CRS) and is a valid polygon
    coverage (see ``geodata.validate``). ``groupings`` maps an object name (such as
    ``county``) to ``{municipality code: unit code}``; ``properties`` maps an object
    name to ``{code: properties}``. Raises ``TopologyError`` if a simplified shape is
    not valid (lower the tolerance).
    """
    source = {base_name: to_metric(municipalities[["code", "geometry"]])}
    simplified = {base_name: simplify_coverage(source[base_name], tolerance_m)}
    for name, unit_of in groupings.items():
        source[name] = dissolve(source[base_name], unit_of)
        simplified[name] = dissolve(simplified[base_name], unit_of)
    topology = build_topology(simplified, properties)
    shapes = {name: decode(topology, name) for name in simplified}
    invalid = [f"{name} {problem}" for name, by_code in shapes.items()
               for problem in invalid_shapes(by_code)]
    if invalid:
        raise TopologyError(
            f"simplifying with a tolerance of {tolerance_m:g} m made invalid shapes ("
            + "; ".join(invalid[:10]) + "); try a smaller tolerance")
    errors = {name: largest_errors(shapes[name], _by_code(frame), METRIC_CRS)
              for name, frame in source.items()}
    adjacent = {name: neighbours(frame) for name, frame in source.items()}
    return WebGeometry(topology=topology, text=dumps(topology), shapes=shapes,
                       errors_m=errors, neighbours=adjacent)


def _by_code(frame: gpd.GeoDataFrame) -> dict[str, shapely.Geometry]:
    return dict(zip(frame["code"], frame.geometry.to_numpy(), strict=True))

"""Simplified, shared-arc web geometry: one TopoJSON topology for all levels.

The pipeline, in metres (EPSG:3067) until the very end:

1. ``simplify_coverage``: the municipalities are simplified together as a polygon
   coverage (GEOS coverage simplification), so a border shared by two municipalities
   is simplified once and stays shared: no gaps, no overlaps, every polygon valid.
2. The simplified municipalities are dissolved into the larger units
   (``geodata.dissolve``); a unit's outline is then made of municipality borders.
3. ``build_topology`` cuts all layers into arcs with the ``topojson`` package, so each
   border is stored once and every object refers to the same arcs; then the arcs are
   moved to EPSG:4326 and quantized on a grid of ``10**-decimals`` degrees.
4. ``decode`` turns an object back into one shapely geometry per area (lon/lat), the
   same coordinates a browser draws, for storage, bounding boxes and error measurement.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
import topojson
from shapely.geometry import mapping

from geodata.crs import METRIC_CRS, WEB_CRS, crs_name, transform_xy

DECIMALS = 5  # grid of 1e-5 degrees: about 1.1 m north-south, 0.5 m east-west in Finland


class TopologyError(ValueError):
    """The simplified geometry cannot be used; the message names the areas."""


def simplify_coverage(frame: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    """The frame with its polygons simplified together, keeping shared borders shared.

    ``frame`` must be a valid polygon coverage in a metric CRS. ``tolerance_m`` is
    roughly the square root of the area of the triangles removed (Visvalingam-Whyatt).
    """
    if frame.crs is None or not frame.crs.axis_info[0].unit_name.startswith("met"):
        raise ValueError("simplify_coverage needs a metric CRS, e.g. " + METRIC_CRS)
    simplified = frame.copy()
    if tolerance_m > 0:
        simplified.geometry = shapely.coverage_simplify(frame.geometry.values, tolerance_m)
    return simplified


def build_topology(layers: Mapping[str, gpd.GeoDataFrame],
                   properties: Mapping[str, Mapping[str, dict]] | None = None,
                   decimals: int = DECIMALS) -> dict[str, Any]:
    """One quantized TopoJSON topology in EPSG:4326 holding one object per layer.

    ``layers`` maps an object name to a frame with ``code`` and ``geometry`` columns,
    all in the same CRS; an empty frame gives an empty object. Every geometry gets
    ``"id"`` = its code and ``"properties"`` = ``properties[name][code]`` (or ``{}``).
    Borders that coincide in the input, within a layer or across layers, become one
    arc that every object using it refers to.
    """
    properties = properties or {}
    filled = {name: frame for name, frame in layers.items() if len(frame)}
    objects: dict[str, Any] = {name: {"type": "GeometryCollection", "geometries": []}
                               for name in layers}
    arcs: list[np.ndarray] = []
    if filled:
        crs = {crs_name(frame) for frame in filled.values()}
        if len(crs) != 1:
            raise ValueError(f"layers are in different CRSs: {', '.join(sorted(crs))}")
        topo = topojson.Topology(
            [frame[["code", "geometry"]].reset_index(drop=True) for frame in filled.values()],
            object_name=list(filled), prequantize=False, topology=True)
        output = topo.output
        arcs = [np.asarray(arc, dtype=float) for arc in output["arcs"]]
        for name in filled:
            for geometry in output["objects"][name]["geometries"]:
                code = geometry["properties"]["code"]
                objects[name]["geometries"].append({
                    "type": geometry["type"], "arcs": geometry["arcs"], "id": code,
                    "properties": dict(properties.get(name, {}).get(code, {}))})
        arcs = _to_web(arcs, crs.pop())
    quantum = 10.0 ** -decimals
    all_points = np.concatenate(arcs) if arcs else np.zeros((1, 2))
    origin = np.floor(all_points.min(axis=0) / quantum).astype(np.int64)
    quantized = [_dedupe(np.rint(arc / quantum).astype(np.int64) - origin) for arc in arcs]
    top = np.max([q.max(axis=0) for q in quantized], axis=0) if quantized else np.zeros(2)
    translate = [round(float(v) * quantum, decimals) for v in origin]
    return {
        "type": "Topology",
        "bbox": [translate[0], translate[1], round((origin[0] + top[0]) * quantum, decimals),
                 round((origin[1] + top[1]) * quantum, decimals)],
        "transform": {"scale": [quantum, quantum], "translate": translate},
        "objects": objects,
        "arcs": [_delta(q) for q in quantized],
    }


def _to_web(arcs: list[np.ndarray], source: str) -> list[np.ndarray]:
    if source == WEB_CRS:
        return arcs
    lengths = [len(a) for a in arcs]
    moved = transform_xy(np.concatenate(arcs), source, WEB_CRS)
    return np.split(moved, np.cumsum(lengths)[:-1])


def _dedupe(arc: np.ndarray) -> np.ndarray:
    """Drop points that fell on the same grid cell as the one before; keep both ends."""
    keep = np.ones(len(arc), dtype=bool)
    keep[1:] = np.any(arc[1:] != arc[:-1], axis=1)
    kept = arc[keep]
    if len(kept) == 1:  # the whole arc is within one cell: keep it a (zero-length) line
        kept = np.vstack([kept, kept])
    return kept


def _delta(arc: np.ndarray) -> list[list[int]]:
    deltas = arc.copy()
    deltas[1:] -= arc[:-1]
    return deltas.tolist()


def dumps(topology: Mapping[str, Any]) -> str:
    """Compact, deterministic JSON text (the same topology always gives the same text)."""
    return json.dumps(topology, ensure_ascii=False, separators=(",", ":"))


def sizes(text: str) -> tuple[int, int]:
    """Bytes of ``text`` as UTF-8, raw and gzip-compressed (what a browser downloads)."""
    raw = text.encode("utf-8")
    return len(raw), len(gzip.compress(raw, compresslevel=6, mtime=0))


def vertex_count(topology: Mapping[str, Any]) -> int:
    """Points in the arcs: what the browser decodes and draws."""
    return sum(len(arc) for arc in topology["arcs"])


def subset(topology: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """A topology with only the objects ``names`` and the arcs they use, re-indexed."""
    used: set[int] = set()
    for name in names:
        for geometry in topology["objects"][name]["geometries"]:
            used.update(i if i >= 0 else ~i for i in _arc_refs(geometry["arcs"]))
    new_index = {old: new for new, old in enumerate(sorted(used))}

    def renumber(refs):
        if isinstance(refs, list):
            return [renumber(r) for r in refs]
        return new_index[refs] if refs >= 0 else ~new_index[~refs]

    objects = {name: {"type": "GeometryCollection", "geometries": [
        dict(g, arcs=renumber(g["arcs"])) for g in topology["objects"][name]["geometries"]]}
        for name in names}
    return dict(topology, objects=objects,
                arcs=[topology["arcs"][old] for old in sorted(used)])


def _arc_refs(refs) -> Iterable[int]:
    if isinstance(refs, list):
        for r in refs:
            yield from _arc_refs(r)
    else:
        yield refs


def decode(topology: Mapping[str, Any], name: str) -> dict[str, shapely.Geometry]:
    """Every geometry of object ``name`` as a shapely geometry in lon/lat, by id.

    Coordinates are those a TopoJSON client computes, rounded to the grid's decimals.
    """
    arcs = _absolute_arcs(topology)
    result = {}
    for geometry in topology["objects"][name]["geometries"]:
        if geometry["type"] == "Polygon":
            shape = _polygon(geometry["arcs"], arcs)
        elif geometry["type"] == "MultiPolygon":
            shape = shapely.MultiPolygon([_polygon(p, arcs) for p in geometry["arcs"]])
        else:
            raise TopologyError(f"{name} {geometry.get('id')}: unexpected geometry type "
                                f"{geometry['type']}")
        result[geometry["id"]] = shape
    return result


def _absolute_arcs(topology: Mapping[str, Any]) -> list[np.ndarray]:
    transform = topology.get("transform")
    if transform is None:
        return [np.asarray(arc, dtype=float) for arc in topology["arcs"]]
    scale = np.asarray(transform["scale"], dtype=float)
    translate = np.asarray(transform["translate"], dtype=float)
    digits = -math.log10(scale[0])
    decimals = round(digits) if abs(digits - round(digits)) < 1e-9 else None
    result = []
    for arc in topology["arcs"]:
        xy = np.cumsum(np.asarray(arc, dtype=float), axis=0) * scale + translate
        result.append(np.round(xy, decimals) if decimals is not None else xy)
    return result


def _polygon(rings: list[list[int]], arcs: list[np.ndarray]) -> shapely.Polygon:
    coords = [_ring(ring, arcs) for ring in rings]
    return shapely.Polygon(coords[0], coords[1:])


def _ring(refs: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    parts = []
    for i, ref in enumerate(refs):
        arc = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
        parts.append(arc if i == 0 else arc[1:])
    return np.concatenate(parts)


def to_geojson_geometry(geometry: shapely.Geometry, decimals: int = DECIMALS) -> dict:
    """A GeoJSON geometry (RFC 7946: exterior rings counter-clockwise), rounded."""
    oriented = shapely.orient_polygons(geometry, exterior_cw=False)
    return _rounded(mapping(oriented), decimals)


def _rounded(value, decimals: int):
    if isinstance(value, float):
        return round(value, decimals)
    if isinstance(value, (list, tuple)):
        return [_rounded(v, decimals) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v, decimals) for k, v in value.items()}
    return value


def feature_collection(topology: Mapping[str, Any], name: str) -> dict[str, Any]:
    """Object ``name`` as a plain GeoJSON FeatureCollection (same ids and properties)."""
    shapes = decode(topology, name)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": g["id"], "properties": g.get("properties", {}),
         "geometry": to_geojson_geometry(shapes[g["id"]])}
        for g in topology["objects"][name]["geometries"]]}


def invalid_shapes(shapes: Mapping[str, shapely.Geometry]) -> list[str]:
    """``code: reason`` for every shape that is not a valid polygon."""
    return [f"{code}: {shapely.is_valid_reason(shape)}"
            for code, shape in shapes.items() if not shapely.is_valid(shape)]


def largest_errors(simplified: Mapping[str, shapely.Geometry],
                   source: Mapping[str, shapely.Geometry],
                   source_crs: str = METRIC_CRS) -> dict[str, float]:
    """Hausdorff distance in metres between each simplified outline (lon/lat) and its
    source outline (in ``source_crs``, metric), by code.

    Outlines are densified so that the distance is measured along the segments, not
    only at the vertices.
    """
    codes = list(source)
    moved = shapely.transform(np.array([simplified[c] for c in codes], dtype=object),
                              lambda xy: transform_xy(xy, WEB_CRS, source_crs))
    original = np.array([source[c] for c in codes], dtype=object)
    distances = shapely.hausdorff_distance(shapely.boundary(moved), shapely.boundary(original),
                                           densify=0.25)
    return {code: float(d) for code, d in zip(codes, distances, strict=True)}


def neighbours(frame: gpd.GeoDataFrame) -> dict[str, list[str]]:
    """For each code, the sorted codes of the areas that share a border line with it.

    Touching at a single point (a corner) does not count. ``frame`` has ``code`` and
    ``geometry``; use the source geometry, not the simplified one.
    """
    geoms = frame.geometry.to_numpy()
    codes = list(frame["code"])
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = left < right
    left, right = left[pairs], right[pairs]
    # DE-9IM: boundary/boundary intersection of dimension 1 means a shared border line
    shared = shapely.relate_pattern(geoms[left], geoms[right], "****1****")
    result: dict[str, set[str]] = {code: set() for code in codes}
    for i, j in zip(left[shared], right[shared], strict=True):
        result[codes[i]].add(codes[j])
        result[codes[j]].add(codes[i])
    return {code: sorted(others) for code, others in result.items()}

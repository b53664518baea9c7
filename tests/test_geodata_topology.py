"""Shared-arc topology: simplified neighbours still share their borders exactly.

The first tests check the stored 2025 boundaries (the shared Statistics Finland file);
the last ones check the geodata functions on small inline shapes.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from geodata.crs import METRIC_CRS, WEB_CRS, web_to_metric
from geodata.dissolve import dissolve
from geodata.topology import (
    build_topology,
    decode,
    largest_errors,
    neighbours,
    simplify_coverage,
    subset,
)
from portal.registry.geography.boundaries import get_boundary_set, list_shapes
from portal.registry.geography.models import Level
from portal.registry.geography.services import members_on
from portal.registry.validity import year_start
from tests.conftest import STATFI_2025

JAN_2025 = year_start(2025)
SQ_M_PER_KM2 = 1_000_000


def _metric(geometry):
    return shapely.transform(geometry, web_to_metric)


@pytest.fixture
def shapes(boundaries_2025, session):
    """Stored shapes of 2025 in metres (EPSG:3067), by level and code."""
    return {level: {s.code: _metric(shape(json.loads(s.geometry)))
                    for s in list_shapes(session, 2025, level)}
            for level in Level}


def test_every_simplified_shape_is_valid(shapes):
    for level, by_code in shapes.items():
        invalid = [code for code, geometry in by_code.items() if not geometry.is_valid]
        assert invalid == [], level


def test_simplified_municipalities_do_not_overlap(shapes):
    codes = list(shapes[Level.municipality])
    geoms = np.array([shapes[Level.municipality][c] for c in codes])
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = left < right
    assert pairs.sum() > 500  # the neighbours touch
    overlap = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    assert overlap.max() < 1.0  # m²: borders coincide, areas do not overlap


@pytest.mark.parametrize("level", [Level.county, Level.employment_area])
def test_each_unit_is_exactly_the_union_of_its_simplified_municipalities(
        shapes, session, level):
    municipalities = shapes[Level.municipality]
    for code, unit in shapes[level].items():
        members = [municipalities[m.code] for m in members_on(session, level, code, JAN_2025)]
        union = shapely.union_all(members)
        # no gap between neighbours, no sliver along the outline
        assert shapely.symmetric_difference(union, unit).area < 1.0, code
        assert shapely.get_num_interior_rings(union) == shapely.get_num_interior_rings(unit)


def test_the_counties_cover_exactly_what_the_municipalities_cover(shapes):
    all_municipalities = shapely.union_all(list(shapes[Level.municipality].values()))
    all_counties = shapely.union_all(list(shapes[Level.county].values()))
    assert shapely.symmetric_difference(all_municipalities, all_counties).area < 1.0
    total = sum(g.area for g in shapes[Level.county].values())
    assert abs(total - all_counties.area) < 10.0  # counties do not overlap either


def test_dissolved_objects_use_only_municipality_arcs(boundaries_2025, session):
    topology = json.loads(get_boundary_set(session, 2025).topology)

    def arcs_of(name):
        used = set()
        for g in topology["objects"][name]["geometries"]:
            used.update(i if i >= 0 else ~i for i in np.ravel(_flatten(g["arcs"])))
        return used

    municipality_arcs = arcs_of("municipality")
    assert municipality_arcs == set(range(len(topology["arcs"])))
    assert arcs_of("county") <= municipality_arcs
    assert arcs_of("employment_area") <= municipality_arcs


def _flatten(nested):
    if isinstance(nested, list):
        return [x for item in nested for x in _flatten(item)]
    return [nested]


def test_stored_shapes_are_the_topology_decoded(boundaries_2025, session):
    topology = json.loads(get_boundary_set(session, 2025).topology)
    for level in Level:
        decoded = decode(topology, level.value)
        for stored in list_shapes(session, 2025, level):
            geometry = shape(json.loads(stored.geometry))
            assert shapely.equals(geometry, decoded[stored.code]), (level, stored.code)
            assert geometry.bounds == (stored.min_lon, stored.min_lat, stored.max_lon,
                                       stored.max_lat)


def test_winding_follows_topojson_and_geojson_conventions(boundaries_2025, session):
    topology = json.loads(get_boundary_set(session, 2025).topology)
    helsinki_topo = decode(topology, "municipality")["091"]
    exterior = (helsinki_topo if helsinki_topo.geom_type == "Polygon"
                else helsinki_topo.geoms[0]).exterior
    assert not exterior.is_ccw  # TopoJSON/d3: exterior rings clockwise
    stored = shape(json.loads(next(s for s in list_shapes(session, 2025, "municipality")
                                   if s.code == "091").geometry))
    exterior = (stored if stored.geom_type == "Polygon" else stored.geoms[0]).exterior
    assert exterior.is_ccw  # GeoJSON (RFC 7946): counter-clockwise


def test_largest_border_error_is_under_a_kilometre(shapes, boundaries_2025, session):
    stats = json.loads(get_boundary_set(session, 2025).stats)
    assert stats["max_error_m"] < 1000
    # measured again here, against the file itself
    source = gpd.read_file(STATFI_2025).to_crs(METRIC_CRS).set_index("kunta").geometry
    distances = [shapely.hausdorff_distance(shapes[Level.municipality][code].boundary,
                                            source[code].boundary, densify=0.25)
                 for code in source.index]
    assert max(distances) < 1000
    assert max(distances) == pytest.approx(stats["max_error_m_by_level"]["municipality"],
                                           abs=1.0)


@pytest.mark.parametrize("area, counties", [("kerava-sipoo", ("01", "04")),
                                            ("suupohja", ("16", "17"))])
def test_cross_county_employment_areas_span_both_counties(shapes, area, counties):
    geometry = shapes[Level.employment_area][area]
    for county in counties:
        shared = shapely.intersection(geometry, shapes[Level.county][county]).area
        assert shared > 10 * SQ_M_PER_KM2, (area, county)  # Kerava alone is 31 km²


# --- the functions, on small inline shapes ---------------------------------------------

def _grid() -> gpd.GeoDataFrame:
    """Four 10 km squares in EPSG:3067; the north-south border zigzags by 50 m."""
    x0, y0, size = 300_000.0, 6_700_000.0, 10_000.0
    middle = x0 + size
    zigzag = [(middle + (50.0 if k % 2 else 0.0), y0 + k * 1000.0) for k in range(21)]
    south, north = zigzag[:11], zigzag[10:]
    a = shapely.Polygon([(x0, y0), *south, (x0, y0 + size)])
    b = shapely.Polygon([*south, (x0 + 2 * size, y0 + size), (x0 + 2 * size, y0)])
    c = shapely.Polygon([(x0, y0 + size), *north, (x0, y0 + 2 * size)])
    d = shapely.Polygon([*north, (x0 + 2 * size, y0 + 2 * size), (x0 + 2 * size, y0 + size)])
    geoms = [shapely.orient_polygons(g) for g in (a, b, c, d)]
    return gpd.GeoDataFrame({"code": ["a", "b", "c", "d"]}, geometry=geoms, crs=METRIC_CRS)


def test_grid_fixture_is_a_valid_coverage():
    grid = _grid()
    assert grid.is_valid.all() and shapely.coverage_is_valid(grid.geometry.to_numpy())


def test_simplification_keeps_shared_borders_shared():
    grid = _grid()
    simplified = simplify_coverage(grid, 500.0)
    before = shapely.get_num_coordinates(grid.geometry.to_numpy()).sum()
    after = shapely.get_num_coordinates(simplified.geometry.to_numpy()).sum()
    assert after < before  # the zigzag is gone...
    assert shapely.coverage_is_valid(simplified.geometry.to_numpy())  # ...on both sides
    union = shapely.union_all(simplified.geometry.to_numpy())
    assert union.area == pytest.approx(grid.geometry.union_all().area, rel=1e-6)


def test_neighbours_need_a_shared_line_not_a_corner():
    assert neighbours(_grid()) == {"a": ["b", "c"], "b": ["a", "d"], "c": ["a", "d"],
                                   "d": ["b", "c"]}


def test_dissolve_leaves_out_unmapped_members():
    grid = _grid()
    halves = dissolve(grid, {"a": "west", "c": "west", "b": "east"})
    assert list(halves["code"]) == ["east", "west"]
    assert halves.geometry.iloc[1].geom_type == "Polygon"
    assert halves.geometry.iloc[1].area == pytest.approx(grid.area[0] + grid.area[2], rel=1e-9)
    assert shapely.equals(halves.geometry.iloc[0], grid.geometry.iloc[1])  # d is in no unit


def test_topology_objects_share_arcs_and_subset_keeps_only_used_ones():
    grid = _grid()
    halves = dissolve(grid, {"a": "west", "c": "west", "b": "east", "d": "east"})
    topology = build_topology({"cell": grid, "half": halves},
                              {"half": {"west": {"name_fi": "Länsi"}}})
    assert topology["transform"]["scale"] == [1e-5, 1e-5]
    half = {g["id"]: g for g in topology["objects"]["half"]["geometries"]}
    assert half["west"]["properties"] == {"name_fi": "Länsi"}
    assert half["east"]["properties"] == {}
    decoded = decode(topology, "cell")
    assert set(decoded) == {"a", "b", "c", "d"}
    assert all(g.is_valid for g in decoded.values())
    assert decoded["a"].bounds[0] == pytest.approx(
        gpd.GeoSeries([grid.geometry.iloc[0]], crs=METRIC_CRS).to_crs(WEB_CRS).total_bounds[0],
        abs=1e-5)
    only_half = subset(topology, ["half"])
    assert list(only_half["objects"]) == ["half"]
    assert len(only_half["arcs"]) < len(topology["arcs"])  # the middle line is not needed
    assert shapely.equals(decode(only_half, "half")["west"], decode(topology, "half")["west"])


def test_largest_errors_measure_metres():
    grid = _grid()
    topology = build_topology({"cell": simplify_coverage(grid, 500.0)})
    errors = largest_errors(decode(topology, "cell"),
                            dict(zip(grid["code"], grid.geometry, strict=True)))
    assert set(errors) == {"a", "b", "c", "d"}
    assert 20 < max(errors.values()) < 60  # the 50 m zigzag, flattened

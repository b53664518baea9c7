"""``tym load boundaries`` from files: what is stored, replacing, and bad input."""

from __future__ import annotations

import hashlib
import json

import geopandas as gpd
import pytest
import shapely
from sqlalchemy import func, select

from portal.registry.geography.boundaries import (
    ATTRIBUTION,
    get_boundary_set,
    get_shape,
    latest_boundary_set,
    list_shapes,
)
from portal.registry.geography.models import AreaShape, BoundarySet, Level
from tests.boundary_state import boundary_state
from tests.conftest import NLS_PRE2025, STATFI_2025


def _shape_counts(session, year: int) -> dict[str, int]:
    rows = session.execute(
        select(AreaShape.level, func.count())
        .join(BoundarySet, BoundarySet.id == AreaShape.boundary_set_id)
        .where(BoundarySet.year == year)
        .group_by(AreaShape.level)).all()
    return {level.value: n for level, n in rows}


def test_loading_the_2025_file_stores_every_level(cli, session):
    result = cli("load", "boundaries", "--source", str(STATFI_2025), "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "308 municipality, 45 employment_area, 23 county" in result.output

    boundary_set = get_boundary_set(session, 2025)
    assert _shape_counts(session, 2025) == {"municipality": 308, "employment_area": 45,
                                            "county": 23}
    assert boundary_set.source == str(STATFI_2025)
    assert boundary_set.attribution == ATTRIBUTION
    assert boundary_set.tolerance_m == 250
    assert boundary_set.etag == hashlib.sha256(boundary_set.topology.encode()).hexdigest()
    stats = json.loads(boundary_set.stats)
    assert stats["counts"] == {"municipality": 308, "employment_area": 45, "county": 23}
    assert stats["vertices"] > 1000
    assert 0 < stats["bytes_gzip"] < stats["bytes_raw"]
    assert 0 < stats["max_error_m"] < 1000
    assert stats["seconds"] > 0
    assert latest_boundary_set(session).year == 2025


def test_the_topology_holds_three_named_objects_with_codes_and_registry_names(
        boundaries_2025, session):
    topology = json.loads(get_boundary_set(session, 2025).topology)
    assert topology["type"] == "Topology"
    assert set(topology["transform"]) == {"scale", "translate"}
    assert list(topology["objects"]) == ["municipality", "employment_area", "county"]
    by_id = {name: {g["id"]: g for g in obj["geometries"]}
             for name, obj in topology["objects"].items()}
    assert len(by_id["municipality"]) == 308
    assert len(by_id["employment_area"]) == 45
    assert len(by_id["county"]) == 23
    # names from the registry, not from the file (the file says "Maarianhamina")
    assert by_id["municipality"]["478"]["properties"] == {
        "name_fi": "Maarianhamina - Mariehamn", "name_sv": "Mariehamn",
        "name_en": "Maarianhamina - Mariehamn"}
    assert by_id["employment_area"]["kerava-sipoo"]["properties"]["name_sv"] == "Kervo-Sibbo"
    assert by_id["county"]["91"]["properties"]["name_fi"] == "Ahvenanmaa"
    lon_min, lat_min, lon_max, lat_max = topology["bbox"]
    assert 19 < lon_min < lon_max < 32 and 59 < lat_min < lat_max < 71


def test_shapes_are_geojson_in_lon_lat_with_bbox_and_neighbours(boundaries_2025, session):
    helsinki = get_shape(session, 2025, Level.municipality, "091")
    geometry = json.loads(helsinki.geometry)
    assert geometry["type"] in {"Polygon", "MultiPolygon"}
    lon, lat = (geometry["coordinates"][0][0] if geometry["type"] == "Polygon"
                else geometry["coordinates"][0][0][0])
    assert 24.7 < lon < 25.3 and 60.0 < lat < 60.4
    assert len(str(lon).split(".")[1]) <= 5
    assert helsinki.min_lon < lon < helsinki.max_lon or lon in (helsinki.min_lon,
                                                               helsinki.max_lon)
    assert json.loads(helsinki.neighbours) == ["049", "092", "753"]  # Espoo, Vantaa, Sipoo
    assert json.loads(get_shape(session, 2025, "county", "91").neighbours) == []  # Åland
    assert "kerava-sipoo" in json.loads(
        get_shape(session, 2025, "employment_area", "vantaa").neighbours)
    assert get_shape(session, 2025, Level.municipality, "588") is None
    assert [s.code for s in list_shapes(session, 2025, "county")][:3] == ["01", "02", "03"]


def test_loading_twice_replaces_the_set(cli, session, boundaries_2025):
    before_etag = get_boundary_set(session, 2025).etag
    result = cli("load", "boundaries", "--source", str(STATFI_2025), "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "replacing the earlier 2025 set" in result.output
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(BoundarySet)
                          .where(BoundarySet.year == 2025)) == 1
    after = get_boundary_set(session, 2025)
    assert after.etag == before_etag  # same input, same topology text
    assert _shape_counts(session, 2025) == {"municipality": 308, "employment_area": 45,
                                            "county": 23}


def test_2024_from_the_nls_file_has_309_municipalities_and_no_employment_areas(cli, session):
    result = cli("load", "boundaries", "--source", str(NLS_PRE2025), "--year", "2024")
    assert result.exit_code == 0, result.output
    assert _shape_counts(session, 2024) == {"municipality": 309, "county": 23}
    assert get_shape(session, 2024, "municipality", "588") is not None  # Pertunmaa
    topology = json.loads(get_boundary_set(session, 2024).topology)
    assert topology["objects"]["employment_area"] == {"type": "GeometryCollection",
                                                      "geometries": []}
    assert len(topology["objects"]["county"]["geometries"]) == 23
    latest = 2025 if get_boundary_set(session, 2025) is not None else 2024
    assert latest_boundary_set(session).year == latest


def _shapefile_without_prj(tmp_path):
    frame = gpd.read_file(STATFI_2025)[["kunta", "nimi", "namn", "geometry"]].to_crs(3067)
    path = tmp_path / "kunnat.shp"
    frame.to_file(path)
    path.with_suffix(".prj").unlink()
    return path


def _geojson_in_metres_without_crs(tmp_path):
    frame = gpd.read_file(STATFI_2025)[["kunta", "nimi", "geometry"]].to_crs(3067)
    data = json.loads(frame.to_json())
    data.pop("crs", None)
    path = tmp_path / "kunnat.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _geojson_latitude_first(tmp_path):
    frame = gpd.read_file(STATFI_2025)[["kunta", "nimi", "geometry"]]
    frame.geometry = shapely.transform(frame.geometry.to_numpy(), lambda xy: xy[:, ::-1])
    path = tmp_path / "latlon.geojson"
    frame.to_file(path)
    return path


@pytest.mark.parametrize("make, note", [
    (_shapefile_without_prj, "the file has no coordinate reference system; its coordinates "
                             "fit EPSG:3067"),
    (_geojson_in_metres_without_crs, "the coordinates are ETRS-TM35FIN metres although the "
                                     "file is read as EPSG:4326; they were read as EPSG:3067"),
    (_geojson_latitude_first, "the coordinates were in latitude/longitude order"),
])
def test_files_with_a_missing_or_wrong_crs_are_read_sensibly(cli, session, tmp_path, make,
                                                             note):
    result = cli("load", "boundaries", "--source", str(make(tmp_path)), "--year", "2025")
    assert result.exit_code == 0, result.output
    assert f"note: {note}" in " ".join(result.output.split())
    helsinki = json.loads(get_shape(session, 2025, "municipality", "091").geometry)
    lon, lat = helsinki["coordinates"][0][0]
    assert 24.7 < lon < 25.3 and 60.0 < lat < 60.4


def test_a_geopackage_with_numeric_codes_and_nls_columns_loads(cli, session, tmp_path):
    frame = gpd.read_file(STATFI_2025)
    frame = gpd.GeoDataFrame({"NATCODE": frame["kunta"].astype(int), "NAMEFIN": frame["nimi"],
                              "NAMESWE": frame["namn"]}, geometry=frame.geometry, crs=frame.crs)
    path = tmp_path / "kunnat.gpkg"
    frame.to_crs(3067).to_file(path, layer="kunnat")
    result = cli("load", "boundaries", "--source", str(path), "--year", "2025")
    assert result.exit_code == 0, result.output
    assert get_shape(session, 2025, "municipality", "005") is not None  # 5 -> 005


# --- bad input: a clear message, a non-zero exit, and nothing changed ------------------

def _features(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _write(tmp_path, name: str, content) -> str:
    path = tmp_path / name
    if isinstance(content, (dict, list)):
        path.write_text(json.dumps(content), encoding="utf-8")
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def _refused(cli, session, source: str, year: str = "2025") -> str:
    before = boundary_state(session)
    assert before["sets"], "the 2025 set loaded by the boundaries_2025 fixture is missing"
    result = cli("load", "boundaries", "--source", source, "--year", year)
    assert result.exit_code != 0
    assert "boundaries not loaded, nothing changed" in result.output
    assert boundary_state(session) == before
    return result.output


@pytest.mark.usefixtures("boundaries_2025")
def test_the_pre_2025_division_for_2025_names_pertunmaa(cli, session):
    output = _refused(cli, session, str(NLS_PRE2025))
    assert ("file has municipality 588 (Pertunmaa) that is not valid on 2025-01-01 "
            "(merged into 507 Mäntyharju)") in output
    assert "load this file with the --year it describes" in output


@pytest.mark.usefixtures("boundaries_2025")
def test_a_file_lacking_municipalities_names_them(cli, session, tmp_path):
    data = _features(STATFI_2025)
    data["features"] = [f for f in data["features"]
                        if f["properties"]["kunta"] not in {"091", "049"}]
    output = _refused(cli, session, _write(tmp_path, "trimmed.geojson", data))
    assert ("file lacks 2 of the 308 municipalities valid on 2025-01-01: "
            "049 (Espoo), 091 (Helsinki)") in output


@pytest.mark.usefixtures("boundaries_2025")
def test_an_unknown_and_a_duplicated_code_are_named(cli, session, tmp_path):
    data = _features(STATFI_2025)
    first, second = data["features"][:2]
    data["features"].append(json.loads(json.dumps(first)))
    second["properties"]["kunta"] = "999"
    output = _refused(cli, session, _write(tmp_path, "odd.geojson", data))
    assert f"municipality {first['properties']['kunta']} appears 2 times" in output
    assert "file has municipality code 999 (Alavieska) that the registry does not know" in output


@pytest.mark.usefixtures("boundaries_2025")
def test_an_invalid_geometry_is_named(cli, session, tmp_path):
    data = _features(STATFI_2025)
    helsinki = next(f for f in data["features"] if f["properties"]["kunta"] == "091")
    helsinki["geometry"] = {"type": "Polygon", "coordinates": [[
        [24.9, 60.15], [25.1, 60.25], [25.1, 60.15], [24.9, 60.25], [24.9, 60.15]]]}
    output = _refused(cli, session, _write(tmp_path, "bowtie.geojson", data))
    assert "invalid geometry for municipality 091 (Helsinki): Self-intersection" in output


@pytest.mark.usefixtures("boundaries_2025")
def test_overlapping_municipalities_are_refused(cli, session, tmp_path):
    data = _features(STATFI_2025)
    helsinki = next(f for f in data["features"] if f["properties"]["kunta"] == "091")
    # a valid square reaching into Espoo and Vantaa
    helsinki["geometry"] = {"type": "Polygon", "coordinates": [[
        [24.7, 60.1], [25.3, 60.1], [25.3, 60.35], [24.7, 60.35], [24.7, 60.1]]]}
    output = _refused(cli, session, _write(tmp_path, "overlap.geojson", data))
    assert "do not match their neighbours'" in output and "091 (Helsinki)" in output


@pytest.mark.usefixtures("boundaries_2025")
def test_a_file_that_is_not_geodata_is_refused(cli, session, tmp_path):
    output = _refused(cli, session, _write(tmp_path, "boundaries.geojson",
                                           "Dear colleague,\nthe borders are attached.\n"))
    assert "is not geodata that can be read (GeoJSON, GeoPackage or Shapefile)" in output


@pytest.mark.usefixtures("boundaries_2025")
def test_a_csv_with_the_wrong_columns_is_refused(cli, session, tmp_path):
    output = _refused(cli, session, _write(tmp_path, "kunnat.csv",
                                           "kuntakoodi;nimi\n091;Helsinki\n"))
    assert "is a table without geometry (columns: kuntakoodi, nimi)" in output


@pytest.mark.usefixtures("boundaries_2025")
def test_features_without_a_code_column_are_refused(cli, session, tmp_path):
    data = _features(STATFI_2025)
    for feature in data["features"]:
        feature["properties"] = {"label": feature["properties"]["nimi"]}
    output = _refused(cli, session, _write(tmp_path, "nocode.geojson", data))
    assert "has no municipality code column: its columns are id, label" in output


@pytest.mark.usefixtures("boundaries_2025")
def test_an_empty_file_and_a_missing_file_are_refused(cli, session, tmp_path):
    assert "is empty" in _refused(cli, session, _write(tmp_path, "empty.geojson", ""))
    assert "has no features" in _refused(
        cli, session, _write(tmp_path, "none.geojson",
                             {"type": "FeatureCollection", "features": []}))
    assert "no such file" in _refused(cli, session, str(tmp_path / "nowhere.gpkg"))


@pytest.mark.usefixtures("boundaries_2025")
def test_coordinates_outside_finland_are_refused(cli, session, tmp_path):
    data = _features(STATFI_2025)
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    output = _refused(cli, session, _write(tmp_path, "mercator.geojson", data))
    assert "the features are not in Finland" in output


@pytest.mark.usefixtures("boundaries_2025")
def test_a_file_of_another_year_is_refused(cli, session):
    output = _refused(cli, session, str(STATFI_2025), year="2024")
    assert "the file is the municipal division of 2025" in output
    assert "boundaries for 2024 were asked for" in output

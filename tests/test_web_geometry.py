"""Geometry and map-script endpoints: valid TopoJSON/GeoJSON, ETag and 304
revalidation, gzip, Cache-Control, immutable hashed URLs."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from portal.registry.geography.boundaries import get_boundary_set
from tests.html_tree import parse

IMMUTABLE = "public, max-age=31536000, immutable"


def _topology_url(client) -> str:
    script_url = _script_url(client, "/")
    script = client.get(script_url).get_data(as_text=True)
    return re.search(r'fetch\("([^"]+)"', script).group(1)


def _script_url(client, page: str) -> str:
    root = parse(client.get(page).get_data(as_text=True))
    return next(s.attrs["src"] for s in root.find_all("script")
                if s.attrs["src"].startswith("/maps/"))


def _specs(script: str) -> list[dict]:
    return json.loads(re.search(r"var specs = (\[.*\]);", script).group(1))


def test_topology_is_valid_topojson_with_every_unit(boundaries_2025, client, session):
    response = client.get("/geo/2025/topology.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    topology = response.get_json()
    assert topology["type"] == "Topology"
    assert topology["transform"]["scale"] and topology["arcs"]
    objects = topology["objects"]
    areas = objects["employment_area"]["geometries"]
    assert len(areas) == 45
    assert {g["type"] for g in areas} <= {"Polygon", "MultiPolygon"}
    assert {g["id"] for g in areas} >= {"kerava-sipoo", "helsinki", "kymppi"}
    kerava_sipoo = next(g for g in areas if g["id"] == "kerava-sipoo")
    assert kerava_sipoo["properties"] == {"name_fi": "Kerava-Sipoo", "name_sv": "Kervo-Sibbo",
                                          "name_en": "Kerava-Sipoo"}
    assert len(objects["county"]["geometries"]) == 23
    assert len(objects["municipality"]["geometries"]) == 308
    # arcs are indexed within range
    arc_count = len(topology["arcs"])
    for geometry in areas:
        rings = geometry["arcs"] if geometry["type"] == "Polygon" else [
            r for polygon in geometry["arcs"] for r in polygon]
        for ring in rings:
            assert all(-arc_count <= i < arc_count for i in ring)
    boundary_set = get_boundary_set(session, 2025)
    assert response.headers["ETag"] == f'"{boundary_set.etag}"'
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert "Content-Encoding" not in response.headers


def test_topology_revalidates_with_304(boundaries_2025, client):
    first = client.get("/geo/2025/topology.json")
    etag = first.headers["ETag"]
    again = client.get("/geo/2025/topology.json", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "public, max-age=300"
    weak = client.get("/geo/2025/topology.json", headers={"If-None-Match": f"W/{etag}"})
    assert weak.status_code == 304  # a proxy may weaken the tag; If-None-Match compares weakly
    other = client.get("/geo/2025/topology.json", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data


def test_topology_is_gzipped_when_the_client_accepts_it(boundaries_2025, client):
    plain = client.get("/geo/2025/topology.json")
    zipped = client.get("/geo/2025/topology.json", headers={"Accept-Encoding": "gzip, br"})
    assert zipped.status_code == 200
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data) / 2
    assert int(zipped.headers["Content-Length"]) == len(zipped.data)
    # its own validator, recognised on revalidation
    assert zipped.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    again = client.get("/geo/2025/topology.json",
                       headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304
    refused = client.get("/geo/2025/topology.json", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers


def test_the_map_uses_an_immutable_content_hashed_topology_url(boundaries_2025, client, session):
    url = _topology_url(client)
    etag = get_boundary_set(session, 2025).etag
    assert url == f"/geo/2025/topology.{etag[:16]}.json"
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert response.get_json()["type"] == "Topology"
    stale = client.get("/geo/2025/topology.0123456789abcdef.json")
    assert stale.status_code == 302 and stale.headers["Location"].endswith(url)


@pytest.mark.parametrize("url", ["/geo/1999/topology.json", "/geo/1999/topology.abc.json",
                                 "/geo/2025/counties/99.geojson",
                                 "/geo/2025/municipalities/588.geojson",
                                 "/geo/2025/regions/12.geojson",
                                 "/geo/2024/counties/12.geojson"])
def test_missing_geometry_is_a_json_404(boundaries_2025, client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


@pytest.mark.parametrize("url, level, code", [
    ("/geo/2025/counties/12.geojson", "county", "12"),
    ("/geo/2025/employment-areas/kerava-sipoo.geojson", "employment_area", "kerava-sipoo"),
    ("/geo/2025/municipalities/091.geojson", "municipality", "091"),
])
def test_area_geojson_is_a_feature_with_names_and_bbox(boundaries_2025, client, url, level,
                                                       code):
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    feature = response.get_json()
    assert feature["type"] == "Feature" and feature["id"] == code
    assert feature["properties"]["level"] == level
    assert feature["properties"]["name_fi"]
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    west, south, east, north = feature["bbox"]
    assert 19 < west < east < 32 and 59 < south < north < 71  # lon/lat, EPSG:4326
    etag = response.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_map_script_is_served_from_a_cacheable_url(boundaries_2025, client):
    url = _script_url(client, "/")
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == IMMUTABLE  # ?v= matches the content
    script = response.get_data(as_text=True)
    assert 'L.map(\n                "map_national"' in script
    layers = {spec["object_name"]: spec for spec in _specs(script)}
    assert layers["employment_area"] == {
        "object_name": "employment_area", "label": "Työllisyysalueet",
        "css_class": "tym-area--employment_area", "href": "/employment-areas/{code}",
        "selected": False}
    assert [spec["selected"] for spec in layers.values()] == [True, False, False]
    assert "L.tileLayer" not in script  # no base map unless TILE_URL is set
    assert not re.search(r"https?://(?!leafletjs\.com/)", script)
    # deterministic: the same inputs give the same bytes, so the hash is stable
    assert client.get(url).data == response.data
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    unversioned = client.get(url.split("?")[0])
    assert unversioned.headers["Cache-Control"] == "public, max-age=300"
    swedish = client.get(_script_url(client, "/?lang=sv")).get_data(as_text=True)
    assert [spec["label"] for spec in _specs(swedish)] == [
        "Välfärdsområden", "Sysselsättningsområden", "Kommuner"]


def test_area_map_script_fetches_the_area_geojson(boundaries_2025, client):
    url = _script_url(client, "/employment-areas/kerava-sipoo")
    assert url.startswith("/maps/2025/employment-areas/kerava-sipoo.fi.js?v=")
    script = client.get(url).get_data(as_text=True)
    assert 'fetch("/geo/2025/employment-areas/kerava-sipoo.geojson"' in script
    assert "fitBounds" in script
    assert client.get("/maps/2025/employment-areas/no-such.fi.js").status_code == 404
    assert client.get("/maps/2025/national.de.js").status_code == 404


def test_tile_layer_only_when_configured(boundaries_2025, app, client):
    app.config.update(TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png",
                      TILE_ATTRIBUTION="© Example tiles")
    script = client.get(_script_url(client, "/")).get_data(as_text=True)
    assert 'L.tileLayer(\n                "https://tiles.example.org/{z}/{x}/{y}.png"' in script
    assert "© Example tiles" in json.loads('"' + re.search(
        r'"attribution": "([^"]*)"', script).group(1) + '"')

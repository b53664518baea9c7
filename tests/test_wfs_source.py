"""Boundaries from a WFS: the request the client makes, and every way the service fails.

A local replay server stands in for geo.stat.fi; no test touches the internet.
"""

from __future__ import annotations

import json
import socket
from urllib.parse import parse_qs

import pytest

from etl.sources.http import HttpClient
from etl.sources.wfs import WfsError, fetch_municipalities, getfeature_url, service_exception
from portal.registry.geography.boundaries import get_boundary_set
from tests.boundary_state import boundary_state
from tests.conftest import STATFI_2025
from tests.replay_server import Answer

WFS_PATH = "/geoserver/tilastointialueet/wfs"

EXCEPTION_REPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="2.0.0">
  <ows:Exception exceptionCode="InvalidParameterValue" locator="typeName">
    <ows:ExceptionText>Feature type tilastointialueet:kunta4500k_2025 unknown</ows:ExceptionText>
  </ows:Exception>
</ows:ExceptionReport>"""


def test_getfeature_url_asks_for_geojson_in_lon_lat():
    url = getfeature_url("https://geo.stat.fi/geoserver/tilastointialueet/wfs", 2025)
    assert url == ("https://geo.stat.fi/geoserver/tilastointialueet/wfs?service=WFS"
                   "&version=2.0.0&request=GetFeature"
                   "&typeNames=tilastointialueet:kunta4500k_2025&srsName=EPSG:4326"
                   "&outputFormat=application/json")
    assert getfeature_url("http://host/wfs?key=1", 2024).startswith(
        "http://host/wfs?key=1&service=WFS")


def test_service_exception_reads_the_report():
    assert service_exception(EXCEPTION_REPORT) == (
        "Feature type tilastointialueet:kunta4500k_2025 unknown (InvalidParameterValue)")
    assert service_exception(b'{"type": "FeatureCollection"}') is None


def test_load_from_the_wfs(cli, session, replay):
    replay.add(WFS_PATH, Answer(STATFI_2025.read_bytes(), content_type="application/json"))
    base = replay.url + WFS_PATH
    result = cli("load", "boundaries", "--source", base, "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "308 municipality, 45 employment_area, 23 county" in result.output

    (request,) = replay.seen
    assert request.method == "GET" and request.path == WFS_PATH
    query = parse_qs(request.query)
    assert query["service"] == ["WFS"] and query["request"] == ["GetFeature"]
    assert query["version"] == ["2.0.0"]
    assert query["typeNames"] == ["tilastointialueet:kunta4500k_2025"]
    assert query["srsName"] == ["EPSG:4326"]
    assert query["outputFormat"] == ["application/json"]
    assert get_boundary_set(session, 2025).source == getfeature_url(base, 2025)


def test_the_default_source_setting_is_used(cli, session, replay):
    replay.add(WFS_PATH, Answer(STATFI_2025.read_bytes()))
    result = cli("load", "boundaries", BOUNDARIES_SOURCE=replay.url + WFS_PATH,
                 BOUNDARIES_YEAR=2025)
    assert result.exit_code == 0, result.output
    assert len(replay.seen) == 1


# --- failures: a clear message, a non-zero exit, and nothing changed -------------------

def _refused(cli, session, source: str) -> str:
    before = boundary_state(session)
    assert before["sets"], "the 2025 set loaded by the boundaries_2025 fixture is missing"
    result = cli("load", "boundaries", "--source", source, "--year", "2025")
    assert result.exit_code != 0
    assert "boundaries not loaded, nothing changed" in result.output
    assert boundary_state(session) == before
    return result.output


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.usefixtures("boundaries_2025")
def test_an_unreachable_wfs_is_reported(cli, session):
    base = f"http://127.0.0.1:{_closed_port()}/wfs"
    output = _refused(cli, session, base)
    assert f"could not fetch tilastointialueet:kunta4500k_2025 from the WFS at {base}" in output
    assert "cannot connect" in output


@pytest.mark.usefixtures("boundaries_2025")
def test_an_exception_report_is_reported(cli, session, replay):
    replay.add(WFS_PATH, Answer(EXCEPTION_REPORT, content_type="application/xml"))
    output = _refused(cli, session, replay.url + WFS_PATH)
    assert "refused the request for tilastointialueet:kunta4500k_2025" in output
    assert "Feature type tilastointialueet:kunta4500k_2025 unknown (InvalidParameterValue)" \
        in output


@pytest.mark.usefixtures("boundaries_2025")
def test_http_500_is_retried_a_bounded_number_of_times_then_reported(cli, session, replay):
    replay.add(WFS_PATH, Answer(b"Internal error", status=500, content_type="text/plain"))
    output = _refused(cli, session, replay.url + WFS_PATH)
    assert "HTTP 500" in output
    assert len(replay.seen) == 2  # HTTP_RETRIES = 1 in the test settings


@pytest.mark.usefixtures("boundaries_2025")
def test_http_400_suggests_the_layer_may_not_exist(cli, session, replay):
    replay.add(WFS_PATH, Answer(EXCEPTION_REPORT, status=400, content_type="application/xml"))
    output = _refused(cli, session, replay.url + WFS_PATH)
    assert "HTTP 400" in output and "is there a layer tilastointialueet:kunta4500k_2025" in output


@pytest.mark.usefixtures("boundaries_2025")
def test_an_html_page_is_not_geojson(cli, session, replay):
    replay.add(WFS_PATH, Answer(b"<html><body>Maintenance break</body></html>",
                                content_type="text/html"))
    output = _refused(cli, session, replay.url + WFS_PATH)
    assert "did not answer with GeoJSON (text/html" in output and "Maintenance break" in output


@pytest.mark.usefixtures("boundaries_2025")
def test_json_that_is_not_a_feature_collection_is_refused(cli, session, replay):
    replay.add(WFS_PATH, Answer(json.dumps({"error": "quota"}).encode()))
    output = _refused(cli, session, replay.url + WFS_PATH)
    assert "answered JSON that is not a GeoJSON FeatureCollection" in output


@pytest.mark.usefixtures("boundaries_2025")
def test_a_truncated_answer_is_refused(cli, session, replay):
    data = json.loads(STATFI_2025.read_bytes())
    data["features"] = data["features"][:100]
    data["numberReturned"] = 100
    replay.add(WFS_PATH, Answer(json.dumps(data).encode()))
    output = _refused(cli, session, replay.url + WFS_PATH)
    assert "returned only 100 of 308 features" in output


@pytest.mark.usefixtures("boundaries_2025")
def test_an_empty_feature_collection_is_refused(cli, session, replay):
    replay.add(WFS_PATH, Answer(b'{"type": "FeatureCollection", "features": []}'))
    output = _refused(cli, session, replay.url + WFS_PATH)
    assert "the WFS answer for tilastointialueet:kunta4500k_2025 has no features" in output


def test_fetch_returns_the_geojson_bytes(replay):
    body = STATFI_2025.read_bytes()
    replay.add(WFS_PATH, Answer(body))
    client = HttpClient(timeout=5, retries=0)
    assert fetch_municipalities(client, replay.url + WFS_PATH, 2025) == body
    replay.add(WFS_PATH, Answer(b"", status=404))
    with pytest.raises(WfsError, match="HTTP 404"):
        fetch_municipalities(client, replay.url + WFS_PATH, 2025)

"""Open data through the real interface (the Flask test client): CSV in both flavours
round-trips to the values in the database (csv module and pandas), JSON pages follow
next_url to the end, GeoJSON is EPSG:4326, the bulk ZIP passes the Frictionless
validator, the DCAT catalogue and OpenAPI document are well-formed, every answer
revalidates to 304, and monitors get unsuppressed values that no shared cache keeps."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from xml.etree import ElementTree

import pandas as pd
import pytest
from sqlalchemy import select

from portal.registry.clients.models import COUNT_FIELDS, ClientVolume
from portal.registry.indicators.catalogue import CATALOGUE
from tests.indicator_support import *  # noqa: F403 - fixtures

MONTH = "2026-10"


def _volumes(session, month: dt.date) -> dict[str, dict[str, int]]:
    return {v.network_id: {f: getattr(v, f) for f in COUNT_FIELDS}
            for v in session.scalars(select(ClientVolume).where(ClientVolume.month == month))}


def test_csv_round_trip_rfc4180(demo_client, demo_session):
    response = demo_client.get(f"/downloads/client-volumes.csv?level=network&month={MONTH}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv; charset=utf-8")
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    stored = _volumes(demo_session, dt.date(2026, 10, 1))
    published = hidden = 0
    for row in rows:
        assert row["synthetic"] == "true"
        if row["measure"] == "ended_total":
            continue
        value = stored[row["unit_code"]][row["measure"]]
        if row["status"] == "suppressed":
            assert row["value"] == ""
            hidden += 1
        else:
            assert row["status"] == "" and int(row["value"]) == value >= 5
            published += 1
    assert published and hidden
    assert {r["unit_code"] for r in rows} == set(stored)


def test_csv_round_trip_excel_with_pandas(demo_client, demo_session):
    indicator = "clients-per-1000-long-term-unemployed"
    query = f"level=network&period={MONTH}"
    plain = pd.read_csv(io.BytesIO(demo_client.get(
        f"/downloads/indicators/{indicator}.csv?{query}").get_data()),
        dtype={"unit_code": str, "county_code": str})
    response = demo_client.get(f"/downloads/indicators/{indicator}.excel.csv?{query}")
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").split("\r\n", 1)[0]
    assert header.startswith("indicator;level;unit_code")
    assert "," in raw.decode("utf-8-sig").split("\r\n")[1]  # a decimal comma
    excel = pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", encoding="utf-8-sig",
                        dtype={"unit_code": str, "county_code": str})
    assert len(excel) == len(plain) > 30
    pd.testing.assert_series_equal(excel["value"], plain["value"], check_exact=False,
                                   rtol=1e-9)
    stored = _volumes(demo_session, dt.date(2026, 10, 1))
    for row in excel.itertuples():
        if pd.notna(row.value):
            assert row.numerator == stored[row.unit_code]["active_end"]
            assert row.value == pytest.approx(1000 * row.numerator / row.denominator)
        else:
            assert row.status in ("suppressed", "not_reported", "not_released")


def test_json_pages_follow_next_url_to_the_end(demo_client):
    url = "/api/v1/indicators/unemployment-rate/values?_size=50&level=network"
    rows, pages = [], 0
    while url:
        response = demo_client.get(url)
        assert response.status_code == 200 and response.mimetype == "application/json"
        body = response.get_json()
        rows.extend(body["rows"])
        pages += 1
        url = body["next_url"]
        assert (url is None) == (body["next"] is None)
    assert pages > 2 and len(rows) == body["total"]
    assert body["synthetic"] is True and body["licence"]["id"] == "CC-BY-4.0"
    csv_rows = list(csv.DictReader(io.StringIO(demo_client.get(
        "/downloads/indicators/unemployment-rate.csv?level=network").get_data()
        .decode("utf-8"))))
    assert [r["unit_code"] for r in csv_rows] == [r["unit_code"] for r in rows]
    assert [float(r["value"]) for r in csv_rows] == pytest.approx([r["value"] for r in rows])


def test_bad_arguments_are_400_with_a_message(demo_client):
    for url in ("/api/v1/indicators/unemployment-rate/values?level=planet",
                "/api/v1/indicators/unemployment-rate/values?period=2026-13",
                "/api/v1/networks?_size=0", "/api/v1/networks?_next=abc",
                "/api/v1/comparison?indicator=nope"):
        response = demo_client.get(url)
        assert response.status_code == 400, url
        assert response.get_json()["error"]
    assert demo_client.get("/api/v1/indicators/nope").status_code == 404


@pytest.mark.parametrize("url", [
    "/api/v1/indicators", f"/api/v1/indicators/active-clients/values?period={MONTH}",
    "/downloads/networks.csv", "/downloads/indicators/active-clients.excel.csv",
    "/downloads/areas/county.geojson", "/indicators/", "/indicators/unemployment-rate",
    "/catalog.ttl", "/api/v1/openapi.json",
])
def test_every_answer_revalidates_to_304(demo_client, url):
    first = demo_client.get(url)
    assert first.status_code == 200, url
    etag, modified = first.headers["ETag"], first.headers.get("Last-Modified")
    assert etag and modified
    # pages are revalidated on every view (a change shows at once); data may be kept 5 min
    assert first.headers["Cache-Control"] == (
        "public, no-cache" if first.mimetype == "text/html" else "public, max-age=300")
    assert "Cookie" in first.headers.get("Vary", "")
    again = demo_client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert demo_client.get(url, headers={"If-Modified-Since": modified}).status_code == 304


def test_monitors_see_unsuppressed_values_in_private_answers(demo_client, monitor_client):
    url = f"/api/v1/client-volumes?level=network&month={MONTH}&_size=1000"
    public = demo_client.get(url)
    private = monitor_client.get(url)
    assert private.headers["Cache-Control"] == "private, no-store"
    assert public.headers["ETag"] != private.headers["ETag"]
    public_rows = public.get_json()["rows"]
    private_rows = private.get_json()["rows"]
    assert private.get_json()["suppression"]["unsuppressed_view"] is True
    hidden = [r for r in public_rows if r["status"] == "suppressed"]
    shown = [r for r in private_rows if r["unsuppressed"]]
    assert hidden and len(shown) == len(hidden)
    assert all(r["value"] is not None for r in shown)
    page = monitor_client.get("/indicators/exits-to-work-or-education-per-100-ended"
                              "?tab=table&level=network")
    assert "unsuppressed-note" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-store"


def test_geojson_is_wgs84_with_values_and_the_synthetic_flag(demo_client):
    layer = demo_client.get("/downloads/areas/network.geojson").get_json()
    assert layer["type"] == "FeatureCollection" and len(layer["features"]) == 42

    def coordinates(geometry):
        stack = [geometry["coordinates"]]
        while stack:
            item = stack.pop()
            if item and isinstance(item[0], int | float):
                yield item
            else:
                stack.extend(item)

    for feature in layer["features"][:5]:
        for lon, lat in coordinates(feature["geometry"]):
            assert 19 <= lon <= 32 and 59 <= lat <= 71
    values = demo_client.get("/downloads/indicators/unemployment-rate.geojson?level=county"
                             f"&period={MONTH}").get_json()
    assert values["synthetic"] is True
    by_code = {f["id"]: f["properties"] for f in values["features"]}
    assert by_code["91"]["status"] == "not_applicable"  # Åland is outside the TYM model
    assert all(p["value"] > 0 for code, p in by_code.items() if code != "91")


def test_the_bulk_zip_is_a_valid_data_package(demo_client, tmp_path):
    from frictionless import validate

    response = demo_client.get("/downloads/tym-open-data.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        archive.extractall(tmp_path)
        names = set(archive.namelist())
    assert {"datapackage.json", "README.txt", "data/indicator-values.csv",
            "data/client-volumes.csv", "data/networks.csv"} <= names
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0" and package["synthetic"] is True
    assert package["sources"] and "SYNTHETIC" in package["title"]
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_the_dcat_catalogue_describes_every_indicator_in_three_languages(demo_client):
    turtle = demo_client.get("/catalog.ttl").get_data(as_text=True)
    root = ElementTree.fromstring(demo_client.get("/catalog.rdf").get_data())
    jsonld = demo_client.get("/catalog.jsonld").get_json()
    dcat = "{http://www.w3.org/ns/dcat#}"
    datasets = [d for d in root if any(
        t.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}resource") == dcat[1:-1] +
        "Dataset" for t in d.findall("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}type"))]
    assert len(datasets) == len(CATALOGUE) + 6
    for dataset in datasets:
        titles = dataset.findall("{http://purl.org/dc/terms/}title")
        assert {t.get("{http://www.w3.org/XML/1998/namespace}lang") for t in titles} == {
            "fi", "sv", "en"}
        assert dataset.findall(dcat + "distribution")
    assert "dcat:Catalog" in turtle or "ns/dcat#Catalog" in turtle
    assert "@prefix dcat:" in turtle and "SYNTHETIC" in turtle
    assert len(jsonld["@graph"]) > len(datasets)


def test_registry_resources_in_json_and_csv(demo_client):
    networks = demo_client.get("/api/v1/networks?on=2026-06-01&_size=1000").get_json()
    assert networks["total"] == 42 and all(r["synthetic"] for r in networks["rows"])
    types = demo_client.get("/api/v1/configuration-types?on=2026-06-01").get_json()
    assert {r["configuration_type"] for r in types["rows"]} >= {"1", "2", "3", "4", "5"}
    steering = list(csv.DictReader(io.StringIO(demo_client.get(
        "/downloads/steering-summary.csv?on=2026-06-01").get_data(as_text=True))))
    assert steering[0]["measure"] == "size" and int(steering[0]["groups"]) == 42
    areas = demo_client.get("/api/v1/areas?level=county&_size=100").get_json()
    assert areas["total"] >= 22
    comparison = demo_client.get(f"/api/v1/comparison?period={MONTH}&type=2").get_json()
    assert comparison["rows"] and all(r["configuration_type"] == "2"
                                      for r in comparison["rows"])


def test_the_openapi_document_lists_every_route(demo_app, demo_client):
    document = demo_client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = {"/api/v1" + p for p in document["paths"]}
    routes = {r.rule.replace("<indicator_id>", "{indicator_id}")
              for r in demo_app.url_map.iter_rules() if r.endpoint.startswith("api.")}
    routes.discard("/api/v1/openapi.json")
    assert routes == documented


def test_a_network_profile_shows_its_indicators_against_the_national_median(demo_client):
    page = demo_client.get("/networks/kainuu?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="network-indicators-table"' in html
    assert "Clients per 1,000 long-term unemployed" in html or \
        "TYM clients per 1,000 long-term unemployed" in html
    assert "median" in html and "Synthetic demonstration data" in html

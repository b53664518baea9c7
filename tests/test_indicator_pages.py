"""Indicator pages and the comparison table through HTTP (the Flask test client, demo
registry with its synthetic statistics): captions read right in every language, the URL
keeps the state, a bad parameter is a 400 page with a message (never a 500), and the
comparison filters do filter."""

from __future__ import annotations

import pytest

from portal.web.helpers import in_sentence
from tests.html_tree import body_rows, parse
from tests.indicator_support import *  # noqa: F403 - fixtures

URL = "/indicators/unemployment-rate"


def _selected(root, select_id: str) -> str:
    chosen = [o.attrs["value"] for o in root.find(id=select_id).find_all("option")
              if "selected" in o.attrs]
    assert len(chosen) == 1, chosen
    return chosen[0]


@pytest.mark.parametrize(("name", "expected"), [
    ("TYM network", "TYM network"), ("TYM-verkosto", "TYM-verkosto"),
    ("TYM-nätverk", "TYM-nätverk"), ("Employment area", "employment area"),
    ("Hyvinvointialue", "hyvinvointialue"), ("Whole country", "whole country"),
    ("", "")])
def test_level_names_keep_their_acronyms_inside_a_sentence(name, expected):
    assert in_sentence(name) == expected


@pytest.mark.parametrize(("lang", "caption"), [
    ("en", "Unemployment rate by TYM network, 2026-10 (42)"),
    ("fi", "Työttömyysaste, taso: TYM-verkosto, 2026-10 (42)"),
    ("sv", "per TYM-nätverk, 2026-10 (42)"),
])
def test_the_table_caption_names_the_level_as_written(demo_client, lang, caption):
    response = demo_client.get(f"{URL}?level=network&period=2026-10&tab=table&lang={lang}")
    assert response.status_code == 200
    root = parse(response.get_data(as_text=True))
    assert caption in root.find(id="values-caption").text()
    assert len(body_rows(root.find(id="values-table"))) == 42


def test_the_url_keeps_level_period_tab_and_sort(demo_client):
    response = demo_client.get(f"{URL}?level=county&period=2025-06&tab=table&sort=value"
                               "&dir=desc&lang=en")
    root = parse(response.get_data(as_text=True))
    assert _selected(root, "level") == "county"
    assert _selected(root, "period") == "2025-06"
    assert root.find(id="tab-table").attrs.get("aria-current") == "page"
    for tab in ("map", "chart", "sources"):
        href = root.find(id=f"tab-{tab}").attrs["href"]
        assert "level=county" in href and "period=2025-06" in href, href
    values = [row.find_all("td")[-3].text().strip()
              for row in body_rows(root.find(id="values-table"))]
    numbers = [float(v.split()[0]) for v in values if v[:1].isdigit()]
    assert len(numbers) == 22 and numbers == sorted(numbers, reverse=True)


@pytest.mark.parametrize("query", [
    "level=planet", "period=2026-13", "period=1990-01", "tab=pie", "sort=nope"])
def test_bad_view_parameters_are_a_400_page_with_a_message(demo_client, query):
    response = demo_client.get(f"{URL}?{query}&lang=en")
    assert response.status_code == 400, query
    root = parse(response.get_data(as_text=True))
    assert root.find("h1").text().strip()
    assert root.find("main").text().strip()


@pytest.mark.parametrize("units", ["%00", "x," * 500])
def test_unknown_selected_units_are_ignored(demo_client, units):
    response = demo_client.get(f"{URL}?level=network&tab=chart&unit={units}&lang=en")
    assert response.status_code == 200


def test_an_unknown_indicator_is_a_404(demo_client):
    assert demo_client.get("/indicators/no-such-indicator").status_code == 404


def test_the_comparison_filters_by_county_type_and_peer_group(demo_client):
    everything = parse(demo_client.get("/indicators/compare?lang=en").get_data(as_text=True))
    all_rows = body_rows(everything.find(id="comparison-table"))
    assert len(all_rows) == 42
    for field in ("county", "type", "peer"):
        options = [o.attrs["value"] for o in everything.find(id=field).find_all("option")
                   if o.attrs.get("value")]
        assert options, field
        counts = []
        for value in options:
            root = parse(demo_client.get(f"/indicators/compare?{field}={value}&lang=en")
                         .get_data(as_text=True))
            counts.append(len(body_rows(root.find(id="comparison-table"))))
        # every network falls in exactly one county / type / peer group
        assert sum(counts) == 42, (field, counts)
        assert max(counts) < 42, (field, counts)


def test_indicator_pages_are_kept_for_the_public_and_never_for_monitors(demo_client,
                                                                         monitor_client):
    url = f"{URL}?level=county&period=2026-01&tab=table&lang=sv"
    first = demo_client.get(url)
    assert first.headers["X-Page-Cache"] == "miss"
    second = demo_client.get(url)
    assert second.headers["X-Page-Cache"] == "hit" and second.get_data() == first.get_data()
    private = monitor_client.get(url)
    assert private.status_code == 200 and "X-Page-Cache" not in private.headers
    assert private.headers["Cache-Control"] == "private, no-store"

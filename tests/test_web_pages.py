"""The HTML pages through the Flask test client: the national map page and its table
alternative, area pages, history with ?on=, error pages, languages, accessibility
structure, and that no page loads anything from another host."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.html_tree import body_rows, parse, table_by_caption_id

PAGES = ["/", "/counties/12", "/employment-areas/kerava-sipoo", "/municipalities/091",
         "/municipalities/588", "/counties/12?on=2024-06-01", "/counties/99",
         "/counties/12?on=2024-13-01"]


def _get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return parse(response.get_data(as_text=True))


def _links(node) -> list[str]:
    return [a.attrs["href"] for a in node.find_all("a")]


def _paths(node) -> set[str]:
    return {urlsplit(h).path for h in _links(node)}


# --- the national map page ----------------------------------------------------------------

def test_map_page_shows_a_named_map_whose_script_and_data_come_from_urls(boundaries_2025, client):
    root = _get(client, "/")
    assert root.find("html").attrs["lang"] == "fi"
    assert len(root.find_all("h1")) == 1
    assert root.find("h1").text() == "Työllisyysalueet ja hyvinvointialueet"
    the_map = root.find("div", id="map_national")
    assert the_map.attrs["aria-label"].startswith("Suomen hyvinvointialueiden")
    assert root.find(id=the_map.attrs["aria-describedby"]).text()
    scripts = root.find_all("script")
    # no inline script: everything the map runs is a cacheable, CSP-friendly URL
    assert all(s.attrs.get("src") for s in scripts)
    sources = [s.attrs["src"] for s in scripts]
    assert any(re.fullmatch(r"/maps/2025/national\.fi\.js\?v=[0-9a-f]{16}", s) for s in sources)
    # static files carry their content version, so they can be cached for a year
    assert any(re.fullmatch(r"/static/vendor/leaflet/leaflet\.js\?v=[0-9a-f]{12}", s)
               for s in sources)
    assert any(re.fullmatch(
        r"/static/vendor/topojson-client/topojson-client\.min\.js\?v=[0-9a-f]{12}", s)
        for s in sources)
    # the geometry is not inlined in the page
    body = client.get("/").get_data(as_text=True)
    assert '"arcs"' not in body and "Topology" not in body
    assert "Tilastokeskus / Maanmittauslaitos, CC BY 4.0" in root.find("figure").text()


def test_table_alternative_lists_every_unit_with_links_codes_names_and_counts(
        boundaries_2025, client):
    root = _get(client, "/")
    expected = {"counties": (23, "/counties/"), "employment-areas": (45, "/employment-areas/"),
                "municipalities": (308, "/municipalities/")}
    for caption_id, (count, prefix) in expected.items():
        table = table_by_caption_id(root, caption_id)
        rows = body_rows(table)
        assert len(rows) == count, caption_id
        for row in rows:
            header = row.find("th", scope="row")
            assert urlsplit(header.find("a").attrs["href"]).path.startswith(prefix)
            assert row.find("td").text()  # the code
        assert f"({count})" in table.find("caption").text()
    counties = {r.find("td").text(): r for r in body_rows(table_by_caption_id(root, "counties"))}
    assert counties["12"].find("a").attrs["href"] == "/counties/12"
    assert [td.text() for td in counties["90"].find_all("td")] == [
        "90", "Helsingfors stad", "City of Helsinki", "1"]
    member_counts = [int(r.find_all("td")[-1].text())
                     for r in body_rows(table_by_caption_id(root, "counties"))]
    assert sum(member_counts) == 308
    area_counts = [int(r.find_all("td")[-1].text())
                   for r in body_rows(table_by_caption_id(root, "employment-areas"))]
    assert sum(area_counts) == 292  # Åland's 16 municipalities are outside the areas
    municipalities = {r.find("td").text(): r
                      for r in body_rows(table_by_caption_id(root, "municipalities"))}
    helsinki = municipalities["091"]
    assert helsinki.find("th").text() == "Helsinki"
    assert {"/counties/90", "/employment-areas/helsinki"} <= _paths(helsinki)
    assert "588" not in municipalities  # merged into Mäntyharju on 2025-01-01


def test_map_page_on_a_past_date_lists_that_day_s_division(boundaries_2025, client):
    root = _get(client, "/?on=2024-06-01")
    municipalities = body_rows(table_by_caption_id(root, "municipalities"))
    assert len(municipalities) == 309
    assert len(body_rows(table_by_caption_id(root, "employment-areas"))) == 0
    assert "1. kesäkuuta 2024" in root.find("form").text()


def test_tables_have_captions_and_scoped_headers_and_one_h1(boundaries_2025, client):
    for url in ["/", "/counties/12", "/employment-areas/kerava-sipoo", "/municipalities/091"]:
        root = _get(client, url)
        assert len(root.find_all("h1")) == 1, url
        for table in root.find_all("table"):
            assert table.find("caption").text(), url
            for th in table.find_all("th"):
                assert th.attrs.get("scope") in ("col", "row"), (url, th.text())
        assert root.find("a", class_="skip-link").attrs["href"] == "#main"
        assert root.find("main").attrs["id"] == "main"
        assert root.find_all("header") and root.find_all("footer") and root.find_all("nav")


# --- area pages ---------------------------------------------------------------------------

def test_county_page_shows_members_areas_and_neighbours(boundaries_2025, client):
    root = _get(client, "/counties/12")
    assert root.find("h1").text() == "Etelä-Savon hyvinvointialue"
    members = body_rows(table_by_caption_id(root, "members-caption"))
    codes = [r.find("td").text() for r in members]
    assert len(codes) == 11 and "507" in codes and "588" not in codes
    mantyharju = members[codes.index("507")]
    assert {"/municipalities/507", "/employment-areas/mikkelin-seutu"} <= _paths(mantyharju)
    facts = root.find("table", class_="facts-table")
    assert "/employment-areas/mikkelin-seutu" in _paths(facts)
    neighbours = table_by_caption_id(root, "neighbours-caption")
    assert _paths(neighbours) == {f"/counties/{c}" for c in ("09", "10", "11", "13", "14", "15")}
    assert root.find("div", id="map_area").attrs["aria-label"]
    assert any(s.attrs["src"].startswith("/maps/2025/counties/12.fi.js?v=")
               for s in root.find_all("script"))


def test_employment_area_page_shows_counties_host_and_members(boundaries_2025, client):
    root = _get(client, "/employment-areas/kerava-sipoo")
    assert root.find("h1").text() == "Kerava-Sipoo"
    facts = root.find("table", class_="facts-table")
    assert {"/counties/01", "/counties/04", "/municipalities/245"} <= _paths(facts)
    assert "Vastuukunta järjestää palvelut" in facts.text()
    members = body_rows(table_by_caption_id(root, "members-caption"))
    assert [(r.find("td").text(), r.find("th").text()) for r in members] == [
        ("245", "Kerava"), ("753", "Sipoo")]
    assert _paths(members[1]) == {"/municipalities/753", "/counties/01"}
    neighbours = table_by_caption_id(root, "neighbours-caption")
    assert _paths(neighbours) == {"/employment-areas/helsinki", "/employment-areas/keski-uusimaa",
                                  "/employment-areas/porvoon-seutu", "/employment-areas/vantaa"}


def test_municipality_page_shows_its_county_area_and_neighbours(boundaries_2025, client):
    root = _get(client, "/municipalities/091")
    facts = root.find("table", class_="facts-table")
    assert {"/counties/90", "/employment-areas/helsinki"} <= _paths(facts)
    neighbours = table_by_caption_id(root, "neighbours-caption")
    assert _paths(neighbours) == {"/municipalities/049", "/municipalities/092",
                                  "/municipalities/753"}
    assert "Helsingfors" in facts.text()


def test_on_date_shows_membership_of_that_day(boundaries_2025, client):
    then = _get(client, "/counties/12?on=2024-06-01")
    rows = body_rows(table_by_caption_id(then, "members-caption"))
    codes = [r.find("td").text() for r in rows]
    assert "588" in codes and len(codes) == 12
    pertunmaa = rows[codes.index("588")]
    # links keep the date, so following them stays in 2024
    assert pertunmaa.find("a").attrs["href"] == "/municipalities/588?on=2024-06-01"
    now = _get(client, "/counties/12?on=2025-06-01")
    assert "588" not in [r.find("td").text()
                         for r in body_rows(table_by_caption_id(now, "members-caption"))]


def test_merged_municipality_page_explains_and_links_its_successor(boundaries_2025, client):
    root = _get(client, "/municipalities/588?on=2025-03-01")
    notice = root.find("div", class_="notice")
    assert "yhdistettiin kuntaan Mäntyharju" in notice.text()
    assert "/municipalities/507" in _paths(notice)
    assert "/municipalities/588" in _paths(notice)  # the link to its last day
    then = _get(client, "/municipalities/588?on=2024-06-01")
    assert not then.find_all("div", class_="notice")
    assert "/counties/12" in _paths(then.find("table", class_="facts-table"))


@pytest.mark.parametrize("url", [
    "/counties/99", "/counties/1", "/counties/abc", "/employment-areas/no-such-area",
    "/employment-areas/Kerava-Sipoo", "/municipalities/999", "/municipalities/0911",
    "/municipalities/%00%01", "/municipalities/" + "9" * 200, "/no/such/page"])
def test_unknown_codes_give_the_404_page(boundaries_2025, client, url):
    root = _get(client, url, 404)
    assert root.find("h1").text() == "Sivua ei löytynyt"
    assert "/" in _links(root.find("main"))


@pytest.mark.parametrize("value", ["2024-13-01", "yesterday", "20240601", "2024-6-1",
                                   "2024-02-30", "٢٠٢٤-٠٦-٠١"])
def test_invalid_dates_give_the_400_page_with_a_clear_message(boundaries_2025, client, value):
    response = client.get("/counties/12", query_string={"on": value})
    assert response.status_code == 400
    root = parse(response.get_data(as_text=True))
    assert root.find("h1").text() == "Osoitteessa on virhe"
    detail = root.find("p", class_="error-detail").text()
    assert value in detail and "VVVV-KK-PP" in detail
    english = parse(client.get("/", query_string={"on": value, "lang": "en"})
                    .get_data(as_text=True))
    assert "Give the date as YYYY-MM-DD" in english.find("p", class_="error-detail").text()


def test_server_errors_give_a_friendly_translated_page(app, client):
    def broken():
        raise RuntimeError("boom")

    app.add_url_rule("/broken", "broken", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/broken?lang=sv")
    assert response.status_code == 500
    root = parse(response.get_data(as_text=True))
    assert root.find("h1").text() == "Ett fel uppstod i tjänsten"
    assert "boom" not in response.get_data(as_text=True)


# --- languages ----------------------------------------------------------------------------

def test_language_is_chosen_with_lang_and_remembered_in_a_cookie(boundaries_2025, client):
    response = client.get("/?lang=sv")
    root = parse(response.get_data(as_text=True))
    assert root.find("html").attrs["lang"] == "sv"
    assert root.find("h1").text() == "Sysselsättningsområden och välfärdsområden"
    assert response.headers["Content-Language"] == "sv"
    assert "Cookie" in response.headers["Vary"]
    cookie = client.get_cookie("tym_lang")
    assert cookie is not None and cookie.value == "sv"
    # the next page without ?lang= stays Swedish
    page = _get(client, "/employment-areas/kerava-sipoo")
    assert page.find("html").attrs["lang"] == "sv"
    assert page.find("h1").text() == "Kervo-Sibbo"
    assert page.find("p", class_="level-label").text() == "Sysselsättningsområde"
    english = _get(client, "/counties/12?lang=en")
    assert english.find("h1").text() == "South Savo wellbeing services county"
    assert english.find("p", class_="level-label").text() == "Wellbeing services county"
    assert client.get_cookie("tym_lang").value == "en"
    # an unknown language is ignored, the saved choice stays
    assert _get(client, "/?lang=de").find("html").attrs["lang"] == "en"


def test_every_page_has_a_language_switcher_keeping_the_address(boundaries_2025, client):
    for url in PAGES:
        response = client.get(url)
        root = parse(response.get_data(as_text=True))
        switcher = root.find("nav", class_="language-switcher")
        links = {a.attrs["hreflang"]: a for a in switcher.find_all("a")}
        assert set(links) == {"fi", "sv", "en"}, url
        assert links["sv"].text() == "Svenska" and links["sv"].attrs["lang"] == "sv"
        assert links["fi"].attrs.get("aria-current") == "true"
        assert urlsplit(links["en"].attrs["href"]).path == urlsplit(url).path


def test_names_in_another_language_than_the_page_are_marked(boundaries_2025, client):
    root = _get(client, "/municipalities/091?lang=en")
    assert root.find("h1").find("span").attrs["lang"] == "fi"  # no English name: Finnish
    facts = root.find("table", class_="facts-table")
    swedish = [td for td in facts.find_all("td") if td.text() == "Helsingfors"]
    assert swedish and swedish[0].attrs["lang"] == "sv"
    finnish_page = _get(client, "/counties/12")
    assert finnish_page.find("h1").find_all("span") == []


# --- nothing from other hosts ---------------------------------------------------------------

_RESOURCE_ATTRIBUTES = {"script": "src", "link": "href", "img": "src", "iframe": "src",
                        "source": "src", "video": "src", "audio": "src", "object": "data"}


@pytest.mark.parametrize("settings_tiles", [False, True])
def test_pages_load_nothing_from_other_hosts(boundaries_2025, app, client, settings_tiles):
    if settings_tiles:
        # a configured tile server is the one allowed outside request, made by the script
        app.config.update(TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png",
                          TILE_ATTRIBUTION="© Example")
    for url in PAGES:
        body = client.get(url).get_data(as_text=True)
        root = parse(body)
        for tag, attribute in _RESOURCE_ATTRIBUTES.items():
            for node in root.find_all(tag):
                value = node.attrs.get(attribute, "") or node.attrs.get("srcset", "")
                assert not re.match(r"^\s*(https?:)?//", value, re.I), (url, tag, value)
        assert "cdn.jsdelivr" not in body and "cdnjs" not in body and "jquery" not in body


def test_every_asset_a_page_links_is_served_by_the_portal(boundaries_2025, client):
    """The vendored libraries are installed (scripts/vendor_assets.py) and served here."""
    for url in ["/", "/counties/12"]:
        root = parse(client.get(url).get_data(as_text=True))
        assets = [s.attrs["src"] for s in root.find_all("script")]
        assets += [link.attrs["href"] for link in root.find_all("link")]
        assert len(assets) >= 5
        for asset in assets:
            response = client.get(asset)
            assert response.status_code == 200, (
                f"{asset}: {response.status_code} (run: npm ci && "
                ".venv/bin/python scripts/vendor_assets.py)")
            response.close()


def test_changing_the_date_keeps_the_page_s_other_choices(boundaries_2025, client):
    root = parse(client.get("/networks?sort=county&dir=desc&on=2025-06-01&lang=en")
                 .get_data(as_text=True))
    form = root.find("form", class_="date-form")
    hidden = {i.attrs["name"]: i.attrs["value"] for i in form.find_all("input", type="hidden")}
    assert hidden == {"sort": "county", "dir": "desc", "lang": "en"}
    assert form.find("input", name="on").attrs["value"] == "2025-06-01"
    today = form.find("a").attrs["href"]
    assert today == "/networks?sort=county&dir=desc&lang=en"
    # without other choices the form holds the date alone
    plain = parse(client.get("/counties/07?on=2025-06-01").get_data(as_text=True))
    form = plain.find("form", class_="date-form")
    assert form.find_all("input", type="hidden") == []
    assert form.find("a").attrs["href"] == "/counties/07"


@pytest.mark.parametrize(("url", "current"), [
    ("/", "/"), ("/networks", "/networks"), ("/indicators/", "/indicators/"),
    ("/indicators/unemployment-rate", "/indicators/"), ("/downloads/", "/downloads/"),
    ("/counties/07", None)])
def test_the_main_navigation_reaches_every_section(boundaries_2025, client, url, current):
    response = client.get(url + ("&" if "?" in url else "?") + "lang=en")
    assert response.status_code == 200, url
    nav = parse(response.get_data(as_text=True)).find("nav", class_="main-nav")
    links = {a.attrs["href"]: a for a in nav.find_all("a")}
    assert list(links) == ["/", "/networks", "/indicators/", "/downloads/"]
    assert [a.text() for a in links.values()] == [
        "Map and areas", "TYM networks", "Indicators", "Open data"]
    marked = [href for href, a in links.items() if a.attrs.get("aria-current") == "page"]
    assert marked == ([current] if current else [])

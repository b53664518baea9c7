"""The TYM network pages through the Flask test client, on the synthetic demonstration
registry (loaded inside each test's transaction with ``tym demo``) over the real 2025
geography: every section of a network's profile against the registry services, the
national overview (configuration map and table, distribution, sortable list, steering
groups, continuity, completeness), the demonstration-data banner, changes showing at
once, error pages, and the outline geometry's HTTP caching."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import shapely
from babel.numbers import format_decimal, format_percent
from sqlalchemy import select

from portal.registry.agreements.models import MODEL_SECTIONS, SectionCoding
from portal.registry.geography.boundaries import get_shape, list_shapes
from portal.registry.networks.configuration import classify_counties
from portal.registry.networks.continuity import Continuity
from portal.registry.networks.coverage import Geography
from portal.registry.networks.listing import SORT_KEYS, collation_key
from portal.registry.networks.models import Network, OrgType, SteeringSeat
from portal.registry.networks.services import (
    agreements_of,
    completeness,
    continuity_on,
    current,
    fte_by_organisation,
    get_network,
    health_share,
    is_synthetic,
    staff_of,
    steering_summary_on,
)
from portal.registry.networks.steering import group_size, seat_counts
from tests.html_tree import body_rows, parse, table_by_caption_id
from tests.test_registry_bundle import network as bundle_network
from tests.test_registry_bundle import typ as bundle_typ

ON = dt.date(2026, 6, 1)
KAINUU = ["105", "205", "290", "578", "620", "697", "765", "777"]
PROFILED = ["turku", "kymenlaakso", "oulun-seutu", "kainuu", "etela-savo", "salo"]


@pytest.fixture
def demo(boundaries_2025, cli):
    """The demo registry (with its synthetic statistics), loaded in the test's transaction.
    It takes seconds to load, so each test below checks several related things."""
    result = cli("demo")
    assert result.exit_code == 0, result.output
    return result


def _get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return parse(response.get_data(as_text=True))


def _en(path: str, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"on": ON.isoformat(), "lang": "en",
                                               **params}.items())
    return f"{path}?{query}"


def _fte(value: float) -> str:
    return format_decimal(value, format="#,##0.0#", locale="en")


def _percent(value: float) -> str:
    return format_percent(value, format="#,##0 %", locale="en")


def _facts(root, table_id: str) -> dict[str, object]:
    table = root.find("table", id=table_id)
    return {tr.find("th").text(): tr.find("td") for tr in body_rows(table)}


_LABELS: dict[tuple[str, str], str] = {}


def _label(app, kind: str, value) -> str:
    """The English name the pages give ``value`` of ``kind`` (the app's own labels)."""
    from portal.web.networks import label

    key = (kind, "" if value is None else str(getattr(value, "value", value)))
    if key not in _LABELS:
        with app.test_request_context("/?lang=en"):
            _LABELS[key] = label(kind, value)
    return _LABELS[key]


# --- the network profile ------------------------------------------------------------------

def _profile_shows_municipalities_areas_and_county(root, client, session, network_id):
    network = get_network(session, network_id)
    geography = Geography(session, ON)
    codes = geography.municipalities_of(network)
    assert root.find("h1").text() == network.name_fi
    assert root.find("h1").find("span").attrs["lang"] == "fi"  # no English name
    rows = body_rows(table_by_caption_id(root, "municipalities-caption"))
    assert sorted(r.find("td").text() for r in rows) == sorted(codes)
    assert f"({len(codes)})" in root.find("caption", id="municipalities-caption").text()
    area_rows = body_rows(table_by_caption_id(root, "areas-caption"))
    assert [urlsplit(r.find("a").attrs["href"]).path for r in area_rows] == [
        f"/employment-areas/{a.area_id}" for a in network.areas]
    county_members = geography.county_members[network.county_code]
    for row, link in zip(area_rows, network.areas, strict=True):
        members = geography.area_members[link.area_id]
        in_county, total = (int(td.text()) for td in row.find_all("td")[:2])
        assert (in_county, total) == (len(members & county_members), len(members))
    facts = _facts(root, "network-facts")
    assert urlsplit(facts["Wellbeing services county"].find("a").attrs["href"]).path == (
        f"/counties/{network.county_code}")
    assert facts["Municipalities"].text() == str(len(codes))
    assert facts["Employment areas"].text() == str(len(network.areas))
    kind = classify_counties(session, ON)[network.county_code].type
    assert facts["Configuration type of the county"].text().endswith(
        _label(client.application, "config_type", kind))
    # the outline map: a named region drawn by a script from its own URL
    assert root.find("div", id="map_area").attrs["aria-label"]
    script = next(s.attrs["src"] for s in root.find_all("script")
                  if s.attrs["src"].startswith("/maps/"))
    assert urlsplit(script).path == f"/maps/2025/networks/{network_id}.en.js"
    assert parse_qs(urlsplit(script).query)["on"] == [ON.isoformat()]


def _profile_shows_the_steering_group_chart_and_table(root, client, session, network_id):
    app = client.application
    group = current(get_network(session, network_id).steering_groups, ON)
    seats = seat_counts(group)
    size = group_size(seats)
    table = root.find("table", id="seats-table")
    shown = {r.attrs["data-org"]: int(r.find("td").text()) for r in body_rows(table)}
    assert shown == {t.value: n for t, n in seats.items()}
    assert table.find("tfoot").find("td").text() == str(size)
    assert f"({size} members)" in table.find("caption").text()
    assert _facts(root, "network-facts")["Steering group size"].text() == str(size)
    section = root.find("h2", id="steering-group").parent
    chair = section.find("table", class_="facts-table")
    chair_rows = {tr.find("th").text(): tr.find("td").text() for tr in body_rows(chair)}
    assert chair_rows["Chair"] == _label(app, "org_type", group.chair)
    assert chair_rows["Vice-chair"] == _label(app, "org_type", group.vice_chair)
    assert chair_rows["Size"] == str(size)
    # the chart: one bar per organisation type, as wide as its share of the largest
    chart = section.find("div", class_="bar-chart__bars")
    assert chart.attrs["role"] == "img"
    assert f"{_label(app, 'org_type', OrgType.kela)}: {seats[OrgType.kela]}" in (
        chart.attrs["aria-label"])
    widths = [float(r.attrs["width"]) for r in chart.find_all("rect")]
    assert max(widths) == 100.0
    assert len(widths) == sum(1 for n in seats.values() if n)
    # published names only, and never more than the seats
    names = {r.attrs["data-org"]: r.find_all("td")[-1].text() for r in body_rows(table)}
    for seat in group.seats:
        published = [n for n in seat.member_names.splitlines() if n]
        if published:
            assert names[seat.org_type.value] == ", ".join(published)
        elif seat.count:
            assert names[seat.org_type.value] == "not published"


def _profile_shows_leaders_with_names_only_where_published(root, client, session, network_id):
    network = get_network(session, network_id)
    in_force = [x for x in network.leaders
                if (x.valid_from is None or x.valid_from <= ON)
                and (x.valid_to is None or x.valid_to >= ON)]
    rows = body_rows(table_by_caption_id(root, "leaders-caption"))
    assert len(rows) == len(in_force)
    for row, leader in zip(rows, in_force, strict=True):
        assert row.find("th").text() == leader.title
        cells = [td.text() for td in row.find_all("td")]
        assert cells[0] == leader.organisation
        assert cells[1] == (leader.name or "not published")
    others = len(network.leaders) - len(in_force)
    if others:
        assert len(body_rows(table_by_caption_id(root, "other-leaders-caption"))) == others


def _profile_shows_the_agreement_coding(root, client, session, network_id):
    app = client.application
    agreement = current(agreements_of(session, network_id), ON)
    if agreement is None:
        assert "No cooperation agreement is recorded" in (
            root.find("h2", id="agreement").parent.text())
        return
    rows = body_rows(root.find("table", id="sections-table"))
    assert len(rows) == 12
    coded = {s.number: s.coding for s in agreement.sections}
    for number, (row, key) in enumerate(zip(rows, MODEL_SECTIONS, strict=True), 1):
        assert row.find("td").text() == str(number)
        assert row.find("th").text() == _label(app, "section", key)
        coding = coded.get(number)
        assert row.attrs["data-coding"] == (coding.value if coding else "none")
        assert row.find_all("td")[-1].text() == _label(app, "coding", coding)
    facts = {k: v.text() for k, v in _facts(root, "agreement-facts").items()}

    def yes_no(value):
        return "not coded" if value is None else "yes" if value else "no"

    assert facts["Objectives specific"] == yes_no(agreement.objectives_specific)
    assert facts["Target group defined"] == yes_no(agreement.target_group_defined)
    assert facts["Shared service points"] == yes_no(agreement.shared_service_points)
    assert facts["Cost sharing"] == _label(app, "cost_sharing", agreement.cost_sharing)
    if agreement.sections:
        present = sum(c != SectionCoding.absent for c in coded.values())
        specific = sum(c == SectionCoding.specific for c in coded.values())
        assert facts["Model-agreement sections present"] == (
            f"{present} of 12, of which {specific} with network-specific content")
    else:
        assert facts["Model-agreement sections present"] == "not coded"
    document = _facts(root, "agreement-facts")["Document"]
    if agreement.document_url:
        assert document.find("a").attrs["href"] == agreement.document_url
    else:
        assert document.text() == "not published"
    services = {r.find("th").text(): r.find("td").text()
                for r in body_rows(root.find("table", id="services-table"))}
    assert services["Health services"] == yes_no(agreement.services_health)
    assert services["Kela's rehabilitation"] == yes_no(agreement.services_kela_rehabilitation)
    assert len(services) == 5


def _profile_shows_staff_per_year_and_the_health_share(root, client, session, network_id):
    staff = staff_of(session, network_id)
    table = root.find("table", id="staff-table")
    rows = {r.attrs["data-year"]: [td.text() for td in r.find_all("td")]
            for r in body_rows(table)}
    assert set(rows) == {"2025", "2026"}
    for year in (2025, 2026):
        of_year = [r for r in staff if r.year == year]
        totals = fte_by_organisation(of_year)
        cells = rows[str(year)]
        assert cells[:4] == [_fte(totals[k]) for k in ("employment_authority", "county",
                                                       "kela", "other")]
        assert cells[4] == _fte(sum(totals.values()))
        assert cells[5] == _percent(health_share(of_year))
        detail = body_rows(table_by_caption_id(root, f"staff-{year}-caption"))
        assert sorted((r.find("th").text(), r.find_all("td")[-1].text()) for r in detail) == (
            sorted((r.profession, _fte(r.fte)) for r in of_year))


def _profile_shows_maturity_with_the_step_texts(root, client, session, network_id):
    app = client.application
    network = get_network(session, network_id)
    rows = body_rows(root.find("table", id="maturity-table"))
    assert [r.attrs["data-year"] for r in rows] == [
        str(m.year) for m in sorted(network.maturity, key=lambda m: -m.year)]
    for row, m in zip(rows, sorted(network.maturity, key=lambda m: -m.year), strict=True):
        cells = [td.text() for td in row.find_all("td")]
        assert cells[0] == f"{m.level} of 6"
        assert cells[1] == _label(app, "maturity", m.level)
    steps = root.find("details", class_="steps").find_all("li")
    assert [s.text() for s in steps] == [_label(app, "maturity", n) for n in range(1, 7)]
    assert steps[0].text() == "No interaction."


def _profile_shows_continuity_with_its_predecessors(root, client, session, network_id):
    app = client.application
    result = continuity_on(session, ON)[network_id]
    sentence = root.find("p", class_="continuity-sentence")
    assert sentence.attrs["data-continuity"] == result.kind.value
    assert sentence.text().startswith(_label(app, "continuity", result.kind))
    rows = body_rows(root.find("table", id="predecessors-table"))
    assert [r.attrs["data-typ"] for r in rows] == [p.typ_id for p in result.predecessors]
    for row, p in zip(rows, result.predecessors, strict=True):
        assert [td.text() for td in row.find_all("td")] == [
            str(p.shared), _percent(p.share_of_tym), _percent(p.share_of_typ)]
    typ_names = [a.text() for a in rows for a in a.find_all("th")]
    if result.kind == Continuity.merged:  # the sentence names every network merged
        assert all(name in sentence.text() for name in typ_names)
    elif result.predecessors:
        assert typ_names[0] in sentence.text()


def _profile_shows_provenance_and_what_is_missing(root, client, session, network_id):
    app = client.application
    network = get_network(session, network_id)
    facts = {k: v.text() for k, v in _facts(root, "provenance-table").items()}
    assert facts["Source"] == network.source
    assert facts["Status of the record"] == _label(app, "status", network.status)
    assert facts["Last confirmed by the network"] == (
        network.last_confirmed_on.strftime("%B %-d, %Y") if network.last_confirmed_on
        else "never")
    assert facts["Record last updated"]
    expected = completeness(network, agreements_of(session, network_id),
                            staff_of(session, network_id), ON)
    missing = [li.attrs["data-missing"] for ul in root.find_all("ul", class_="missing-list")
               for li in ul.find_all("li")]
    assert missing == expected.missing
    assert _facts(root, "network-facts")["Data completeness"].text() == _percent(expected.share)


def _profile_texts_for_the_missing_items_name_the_year(client):
    root = _get(client, _en("/networks/oulun-seutu"))
    items = [li.text() for li in root.find("ul", class_="missing-list").find_all("li")]
    assert items == ["The cooperation agreement",
                     "The coding of the agreement against the model agreement",
                     "Confirmation by the network within the last 365 days"]


def _profile_of_a_network_not_in_force_says_so_and_links_its_first_day(client):
    root = _get(client, "/networks/kainuu?on=2024-06-01&lang=en")
    notice = root.find("div", class_="notice")
    assert "was not in force on June 1, 2024" in notice.text()
    assert notice.find("a").attrs["href"] == "/networks/kainuu?on=2025-01-01"
    assert "The network had no municipalities on June 1, 2024." in root.text()


def _profile_names_the_network_in_the_page_language(client):
    swedish = _get(client, "/networks/kainuu?lang=sv")
    assert swedish.find("html").attrs["lang"] == "sv"
    assert swedish.find("h1").text() == "TYM-nätverket Kajanaland"
    finnish = _get(client, "/networks/kainuu?lang=fi")
    assert finnish.find("h1").text() == "TYM-verkosto Kainuu"
    assert finnish.find("h1").find_all("span") == []


def test_profile_shows_every_section_with_the_registry_s_figures(demo, client, session):
    for network_id in PROFILED:
        root = _get(client, _en(f"/networks/{network_id}"))
        for check in (_profile_shows_municipalities_areas_and_county,
                      _profile_shows_the_steering_group_chart_and_table,
                      _profile_shows_leaders_with_names_only_where_published,
                      _profile_shows_the_agreement_coding,
                      _profile_shows_staff_per_year_and_the_health_share,
                      _profile_shows_maturity_with_the_step_texts,
                      _profile_shows_continuity_with_its_predecessors,
                      _profile_shows_provenance_and_what_is_missing):
            check(root, client, session, network_id)
    _profile_texts_for_the_missing_items_name_the_year(client)
    _profile_of_a_network_not_in_force_says_so_and_links_its_first_day(client)
    _profile_names_the_network_in_the_page_language(client)


# --- the national overview -----------------------------------------------------------------

def _overview_distribution_is_the_study_s(client):
    root = _get(client, _en("/networks"))
    rows = {r.attrs["data-type"]: [td.text() for td in r.find_all("td")]
            for r in body_rows(root.find("table", id="distribution-table"))}
    assert {k: int(v[1]) for k, v in rows.items()} == {
        "1": 5, "2": 10, "3": 4, "4": 2, "5": 1, "incomplete": 0}
    assert {k: v[2] for k, v in rows.items() if k != "incomplete"} == {
        "1": "5", "2": "10", "3": "4", "4": "2", "5": "1"}
    chart = root.find("h2", id="distribution").parent.find("div", class_="bar-chart__bars")
    assert "Type 2: 10" in chart.attrs["aria-label"]
    assert [float(r.attrs["width"]) for r in chart.find_all("rect")] == [
        50.0, 100.0, 40.0, 20.0, 10.0]


def _configuration_table_lists_the_22_counties_with_their_types(client, session):
    root = _get(client, _en("/networks"))
    table = table_by_caption_id(root, "configuration-caption")
    rows = body_rows(table)
    assert len(rows) == 22
    assert "(22)" in table.find("caption").text()
    expected = classify_counties(session, ON)
    assert {r.attrs["data-county"]: r.attrs["data-type"] for r in rows} == {
        code: c.type.value for code, c in expected.items()}
    assert "91" not in {r.attrs["data-county"] for r in rows}  # Åland: outside TYM
    by_county = {r.attrs["data-county"]: r for r in rows}
    lapland = by_county["21"]
    cells = [td.text() for td in lapland.find_all("td")]
    assert cells[1:3] == [str(expected["21"].areas), str(expected["21"].networks)] == ["4", "3"]
    assert urlsplit(lapland.find("th").find("a").attrs["href"]).path == "/counties/21"
    assert {urlsplit(a.attrs["href"]).path for a in lapland.find_all("td")[3].find_all("a")} == {
        "/networks/meri-lappi", "/networks/pohjois-ja-ita-lappi",
        "/networks/rovaseutu-tunturi-lappi"}
    # the legend names every type with its definition
    legend = root.find("div", id="configuration-legend")
    assert [li.attrs["data-type"] for li in legend.find_all("li")] == [
        "1", "2", "3", "4", "5", "incomplete", "outside"]
    assert "one network per area" in legend.text()


def _configuration_map_script_colours_each_county_by_its_type(client, session):
    root = _get(client, _en("/networks"))
    figure = root.find("figure", class_="map-figure--configuration")
    assert figure.find("div", id="map_configuration").attrs["aria-label"]
    src = next(s.attrs["src"] for s in root.find_all("script")
               if s.attrs["src"].startswith("/maps/"))
    assert urlsplit(src).path == "/maps/2025/configuration.en.js"
    response = client.get(src)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    script = response.get_data(as_text=True)
    assigned = json.loads(re.search(r"var assigned = (\{.*\});", script).group(1))
    assert assigned == {code: c.type.value for code, c in classify_counties(session, ON).items()}
    categories = json.loads(re.search(r"var categories = (\{.*\});", script).group(1))
    assert categories["2"]["css_class"] == "tym-config--2"
    assert categories["2"]["label"] == "Type 2"
    assert json.loads(re.search(r'var fallback = ("[^"]*");', script).group(1)) == "outside"
    marks = json.loads(re.search(r"var marks = (\{.*\});", script).group(1))
    assert len(marks) == 23  # every county gets a place for its mark (Åland shows none)
    assert 'fetch("/geo/2025/topology.' in script
    assert '"/counties/{code}?on=2026-06-01"' in script  # links keep the date
    assert client.get("/maps/2025/configuration.xx.js").status_code == 404
    assert client.get("/maps/2025/configuration.en.js?on=2026-13-01").status_code == 400
    assert client.get("/maps/1999/configuration.en.js").status_code == 404


def _list(client, **params) -> list:
    root = _get(client, _en("/networks", **params))
    return root, body_rows(table_by_caption_id(root, "networks-caption"))


def _cell_value(app, column: str, row):
    """The value a row shows in ``column``, comparable; None when it shows none."""
    tds = row.find_all("td")
    text = {"county": tds[0], "areas": tds[1], "municipalities": tds[2], "type": tds[3],
            "continuity": tds[4], "status": tds[5], "confirmed": tds[6],
            "completeness": tds[7]}
    if column == "name":
        return collation_key(row.find("th").text())
    cell = text[column]
    if column == "county":
        return collation_key(cell.text())
    if column in ("areas", "municipalities"):
        return int(cell.text())
    if column == "completeness":
        return int(cell.text().rstrip(" %"))
    if column == "confirmed":
        times = cell.find_all("time")
        return times[0].attrs["datetime"] if times else None
    kinds = {"type": ("config_type", ["1", "2", "3", "4", "5", "incomplete"]),
             "continuity": ("continuity", [k.value for k in Continuity]),
             "status": ("status", ["draft", "confirmed", "verified"])}[column]
    labels = [_label(app, kinds[0], k) for k in kinds[1]]
    shown = cell.text()  # a type is shown after its mark: "4 Type 4"
    matches = [i for i, name in enumerate(labels) if shown in (name, f"{shown[:1]} {name}")]
    return matches[0] if matches else None


def _sorted_by(client, column: str, direction: str) -> None:
    app = client.application
    root, rows = _list(client, sort=column, dir=direction)
    assert len(rows) == 42
    values = [_cell_value(app, column, r) for r in rows]
    names = [_cell_value(app, "name", r) for r in rows]
    present = [v for v in values if v is not None]
    assert values == present + [None] * (len(values) - len(present)), column  # missing last
    assert present == sorted(present, reverse=direction == "desc"), column
    for i in range(len(present) - 1):
        if present[i] == present[i + 1]:  # ties keep the name order, in both directions
            assert names[i] <= names[i + 1], (column, i)
    # the heading says how the list is sorted; its link reverses it; the others sort asc
    headings = root.find("table", id="networks-table").find("thead").find_all("th")
    sorted_heading = [h for h in headings if "aria-sort" in h.attrs]
    assert len(sorted_heading) == 1
    assert sorted_heading[0].attrs["aria-sort"] == (
        "ascending" if direction == "asc" else "descending")
    link = parse_qs(urlsplit(sorted_heading[0].find("a").attrs["href"]).query)
    assert link["sort"] == [column]
    assert link["dir"] == ["desc" if direction == "asc" else "asc"]
    assert link["on"] == [ON.isoformat()]  # the date is kept
    for heading in headings:
        if heading is not sorted_heading[0]:
            assert parse_qs(urlsplit(heading.find("a").attrs["href"]).query)["dir"] == ["asc"]


def _the_list_is_sorted_by_name_by_default_and_ties_are_stable(client):
    app = client.application
    _root, rows = _list(client)
    names = [_cell_value(app, "name", r) for r in rows]
    assert names == sorted(names)
    assert rows[0].attrs["data-network"] == "espoo-kauniainen"
    first = [r.attrs["data-network"] for r in _list(client, sort="areas", dir="asc")[1]]
    again = [r.attrs["data-network"] for r in _list(client, sort="areas", dir="asc")[1]]
    assert first == again
    # the networks covering one area are in name order whichever way the list goes
    ones = sum(_cell_value(app, "areas", r) == 1 for r in rows)
    assert ones == 36
    descending = [r.attrs["data-network"] for r in _list(client, sort="areas", dir="desc")[1]]
    assert first[:ones] == descending[-ones:]


def test_collation_puts_the_nordic_letters_after_z():
    words = ["Öja", "Åbo", "Zeta", "Äänekoski", "aura", "Ylä-Savo"]
    assert sorted(words, key=collation_key) == [
        "aura", "Ylä-Savo", "Zeta", "Åbo", "Äänekoski", "Öja"]


def _a_bad_sort_gives_the_400_page(client):
    for query in ["sort=nonsense", "dir=up", "sort=name&dir=sideways"]:
        root = _get(client, f"/networks?lang=en&{query}", 400)
        assert root.find("p", class_="error-detail").text()


def _the_list_shows_each_network_s_figures(client, session):
    app = client.application
    _root, rows = _list(client)
    by_id = {r.attrs["data-network"]: r for r in rows}
    assert set(by_id) == {n.id for n in session.scalars(select(Network))}
    geography = Geography(session, ON)
    continuity = continuity_on(session, ON)
    for network_id in PROFILED:
        row = by_id[network_id]
        network = get_network(session, network_id)
        assert urlsplit(row.find("th").find("a").attrs["href"]).path == (
            f"/networks/{network_id}")
        assert _cell_value(app, "municipalities", row) == len(
            geography.municipalities_of(network))
        assert _cell_value(app, "areas", row) == len(network.areas)
        assert row.find_all("td")[4].text() == _label(app, "continuity",
                                                      continuity[network_id].kind)


def _steering_summary_is_in_the_thl_form(client, session):
    root = _get(client, _en("/networks"))
    summary = steering_summary_on(session, ON)
    rows = {r.attrs["data-row"]: [td.text() for td in r.find_all("td")]
            for r in body_rows(root.find("table", id="steering-table"))}
    assert rows["size"] == [f"{summary.size.mean:.1f}", str(summary.size.min),
                            str(summary.size.max)] == ["8.0", "3", "19"]
    ea = summary.seats["employment_authority"]
    assert rows["employment_authority"] == [f"{ea.mean:.1f}", "1", "17"]
    assert rows["county"][1:] == [str(summary.seats["county"].min),
                                  str(summary.seats["county"].max)]
    assert rows["kela"][1:] == ["1", "2"]
    assert set(rows) == {"size", "employment_authority", "county", "county_social",
                         "county_health", "kela", "other"}
    caption = root.find("table", id="steering-table").find("caption").text()
    assert "(n = 42)" in caption
    assert root.find("p", id="social-and-health").text() == (
        f"In {summary.social_and_health} of the 42 steering groups the county is represented "
        "by both its social and its health services.")


def _continuity_sentence_and_counts(client, session):
    root = _get(client, _en("/networks"))
    kinds = [r.kind for r in continuity_on(session, ON).values()]
    continuing = kinds.count(Continuity.continues)
    assert root.find("p", id="continuity-sentence").text().startswith(
        f"{continuing} TYM networks correspond to earlier TYP networks.")
    rows = {r.attrs["data-continuity"]: int(r.find_all("td")[-1].text())
            for r in body_rows(root.find("table", id="continuity-table"))}
    assert rows == {k.value: kinds.count(k) for k in Continuity}
    assert sum(rows.values()) == 42


def _completeness_per_network_and_per_item(client, session):
    root = _get(client, _en("/networks"))
    per_item = {r.attrs["data-missing"]: int(r.find("td").text())
                for r in body_rows(root.find("table", id="missing-table"))}
    per_network = {r.attrs["data-network"]: r
                   for r in body_rows(root.find("table", id="completeness-table"))}
    assert len(per_network) == 42
    counted = dict.fromkeys(per_item, 0)
    for network in session.scalars(select(Network)):
        done = completeness(network, agreements_of(session, network.id),
                            staff_of(session, network.id), ON)
        row = per_network[network.id]
        assert row.find("td").text() == _percent(done.share)
        assert len(row.find_all("li")) == len(done.missing)
        for item in done.missing:
            counted[item] += 1
    assert per_item == counted
    assert per_item["agreement"] == 3


def test_overview_shows_configurations_distribution_and_national_summaries(demo, client,
                                                                         session):
    _overview_distribution_is_the_study_s(client)
    _configuration_table_lists_the_22_counties_with_their_types(client, session)
    _configuration_map_script_colours_each_county_by_its_type(client, session)
    _the_list_shows_each_network_s_figures(client, session)
    _steering_summary_is_in_the_thl_form(client, session)
    _continuity_sentence_and_counts(client, session)
    _completeness_per_network_and_per_item(client, session)


def test_the_list_sorts_by_every_column_both_ways_stably_without_javascript(demo, client):
    for direction in ("asc", "desc"):
        for column in SORT_KEYS:
            _sorted_by(client, column, direction)
    _the_list_is_sorted_by_name_by_default_and_ties_are_stable(client)
    _a_bad_sort_gives_the_400_page(client)


# --- from the county and area pages, and the navigation -----------------------------------

def _county_and_area_pages_link_their_networks(client):
    county = _get(client, "/counties/21?on=2026-06-01&lang=en")
    rows = body_rows(county.find("table", id="county-networks"))
    assert {r.attrs["data-network"] for r in rows} == {
        "meri-lappi", "pohjois-ja-ita-lappi", "rovaseutu-tunturi-lappi"}
    assert rows[0].find("a").attrs["href"].endswith("?on=2026-06-01")
    assert "Type 4" in county.find("p", id="county-configuration").text()
    area = _get(client, "/employment-areas/kerava-sipoo?lang=en")
    rows = body_rows(area.find("table", id="area-networks"))
    assert {r.attrs["data-network"]: r.find_all("td")[-1].text() for r in rows} == {
        "kerava": "1", "sipoo": "1"}
    aland = _get(client, "/counties/91?lang=en")
    assert "does not apply" in aland.find("h2", id="networks").parent.text()


def _main_navigation_links_the_overview(client):
    for url in ["/", "/networks", "/networks/kainuu", "/counties/12"]:
        nav = _get(client, url).find("nav", class_="main-nav")
        links = {urlsplit(a.attrs["href"]).path: a for a in nav.find_all("a")}
        assert "/networks" in links, url
        current = links["/networks"].attrs.get("aria-current")
        assert current == ("page" if url == "/networks" else None), url


def test_county_and_area_pages_and_the_navigation_lead_to_the_networks(demo, client):
    _county_and_area_pages_link_their_networks(client)
    _main_navigation_links_the_overview(client)


# --- the demonstration-data banner ---------------------------------------------------------

BANNER = "Demonstration data: the networks shown are synthetic, not real."
EVERY_KIND_OF_PAGE = ["/", "/networks", "/networks/kainuu", "/counties/20",
                      "/employment-areas/kainuu-koillismaa", "/municipalities/205",
                      "/networks/no-such-network", "/networks?on=2026-13-01"]


def _banner(client, url: str):
    response = client.get(url + ("&" if "?" in url else "?") + "lang=en")
    notes = parse(response.get_data(as_text=True)).find_all("div", class_="site-notice--demo")
    return response.status_code, notes


def test_the_banner_is_on_every_page_while_the_registry_is_synthetic(demo, client, session):
    assert is_synthetic(session)
    for url in EVERY_KIND_OF_PAGE:
        status, notes = _banner(client, url)
        assert len(notes) == 1, (url, status)
        assert notes[0].find("strong").text() == BANNER
        assert notes[0].attrs["role"] == "note"


def _real_bundle() -> dict:
    return {"format": "tym-registry/1", "synthetic": False, "source": "a real test bundle",
            "networks": [bundle_network("kainuu", "20", ["kainuu-koillismaa"])],
            "typ_networks": [bundle_typ("kainuu", KAINUU)]}


def test_no_banner_with_a_real_registry(boundaries_2025, cli, client, session, tmp_path):
    path = tmp_path / "real.json"
    path.write_text(json.dumps(_real_bundle()), encoding="utf-8")
    result = cli("load", "registry", str(path))
    assert result.exit_code == 0, result.output
    assert not is_synthetic(session)
    for url in EVERY_KIND_OF_PAGE:
        status, notes = _banner(client, url)
        assert notes == [], (url, status)
    # the real registry's pages: one network; the other counties are shown as incomplete
    root = _get(client, _en("/networks"))
    rows = {r.attrs["data-county"]: r for r in body_rows(root.find("table",
                                                                   id="configuration-table"))}
    assert rows["20"].attrs["data-type"] == "5"
    assert sum(r.attrs["data-type"] == "incomplete" for r in rows.values()) == 21
    assert rows["12"].find_all("td")[-1].text() == "No network is registered for the county."
    profile = _get(client, _en("/networks/kainuu"))
    assert _facts(profile, "provenance-table")["Source"].text() == "a real test bundle"
    assert profile.find("p", class_="continuity-sentence").attrs["data-continuity"] == (
        "continues")


# --- derived views update at once ------------------------------------------------------------

def _seats_and_networks_change(client, session):
    before = _get(client, _en("/networks"))
    size_before = [td.text() for td in before.find("tr", data_row="size").find_all("td")]
    assert size_before[2] == "19"
    turku = current(get_network(session, "turku").steering_groups, ON)
    seat = next(s for s in turku.seats if s.org_type == OrgType.employment_authority)
    seat.count += 3
    session.commit()
    profile = _get(client, _en("/networks/turku"))
    assert _facts(profile, "network-facts")["Steering group size"].text() == "22"
    after = _get(client, _en("/networks"))
    assert [td.text() for td in after.find("tr", data_row="size").find_all("td")][2] == "22"
    # removing a network leaves its county incomplete, on the overview and the county page
    session.delete(session.get(Network, "sipoo"))
    session.commit()
    after = _get(client, _en("/networks"))
    row = after.find("tr", data_county="01")
    assert row.attrs["data-type"] == "incomplete"
    assert "The networks do not cover exactly the county's employment areas." in row.text()
    assert "sipoo" not in {r.attrs["data-network"] for r in body_rows(
        after.find("table", id="networks-table"))}
    county = _get(client, "/counties/01?lang=en")
    assert "Incomplete or other" in county.find("p", id="county-configuration").text()


def _a_new_seat_type_appears_in_the_chart_and_table(client, session):
    group = current(get_network(session, "kainuu").steering_groups, ON)
    other = next((s for s in group.seats if s.org_type == OrgType.other), None)
    assert other is None or other.count == 0
    if other is None:
        group.seats.append(SteeringSeat(org_type=OrgType.other, count=2, member_names=""))
    else:
        other.count = 2
    session.commit()
    root = _get(client, _en("/networks/kainuu"))
    row = root.find("tr", data_org="other")
    assert row.find("td").text() == "2"
    assert "Other organisation: 2" in root.find("h2", id="steering-group").parent.find(
        "div", class_="bar-chart__bars").attrs["aria-label"]


def test_a_change_in_the_registry_shows_at_once(demo, client, session):
    _seats_and_networks_change(client, session)
    _a_new_seat_type_appears_in_the_chart_and_table(client, session)


# --- errors ---------------------------------------------------------------------------------

def _unknown_networks_give_the_404_page(client):
    for url in ["/networks/no-such-network", "/networks/Kainuu", "/networks/%00%01",
                "/networks/" + "a" * 81, "/networks/kainuu/extra"]:
        root = _get(client, url + "?lang=en", 404)
        assert root.find("h1").text() == "Page not found"


def _bad_dates_give_the_400_page(client):
    for url in ["/networks", "/networks/kainuu", "/networks/no-such-network"]:
        for value in ["2026-13-01", "yesterday", "2026-6-1"]:
            root = _get(client, f"{url}?on={value}&lang=en", 400)
            assert root.find("h1").text() == "The address has an error"
            assert value in root.find("p", class_="error-detail").text()


def test_unknown_networks_and_bad_dates_give_the_error_pages(demo, client):
    _unknown_networks_give_the_404_page(client)
    _bad_dates_give_the_400_page(client)
    _geometry_and_script_errors_are_small_json_answers(client)


# --- accessibility structure and nothing from other hosts --------------------------------------

def test_pages_have_one_h1_captioned_tables_scoped_headers_and_no_inline_script(
        demo, client):
    for url in ["/networks", "/networks/turku", "/networks/oulun-seutu", "/counties/21",
                "/employment-areas/kerava-sipoo"]:
        _check_structure(client, url)


def _check_structure(client, url: str) -> None:
    response = client.get(url)
    body = response.get_data(as_text=True)
    root = parse(body)
    assert len(root.find_all("h1")) == 1
    for table in root.find_all("table"):
        assert table.find("caption").text(), url
        for th in table.find_all("th"):
            assert th.attrs.get("scope") in ("col", "row"), (url, th.text())
    ids = [n.attrs["id"] for n in root.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids)), url  # ids are unique
    for script in root.find_all("script"):
        assert script.attrs.get("src") and not script.text()
        assert not re.match(r"^\s*(https?:)?//", script.attrs["src"])
    for link in root.find_all("link"):
        assert not re.match(r"^\s*(https?:)?//", link.attrs["href"])
    # no inline styles (a strict CSP needs none): the charts are sized by SVG attributes
    assert not [n.tag for n in root.find("main").iter() if "style" in n.attrs], url


# --- the outline geometry --------------------------------------------------------------------

def _outline_is_the_dissolved_municipalities_with_etag_304_and_gzip(client, session):
    url = "/geo/2025/networks/turku.geojson?on=2026-06-01"
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    etag = response.headers["ETag"]
    feature = response.get_json()
    assert feature["type"] == "Feature" and feature["id"] == "turku"
    codes = Geography(session, ON).municipalities_of(get_network(session, "turku"))
    assert feature["properties"]["municipalities"] == sorted(codes)
    assert feature["properties"]["name_sv"] == "TYM-nätverket Åbo"
    outline = shapely.geometry.shape(feature["geometry"])
    assert outline.is_valid and outline.geom_type in ("Polygon", "MultiPolygon")
    shapes = {s.code: s for s in list_shapes(session, 2025, "municipality")}
    parts = [shapely.from_geojson(shapes[c].geometry) for c in codes]
    assert abs(outline.area - sum(p.area for p in parts)) / outline.area < 1e-3
    west, south, east, north = feature["bbox"]
    assert west < 22.3 < east and south < 60.45 < north  # Turku is inside
    # revalidation and compression
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.data)) == feature
    assert zipped.headers["ETag"] != etag and "Accept-Encoding" in zipped.headers["Vary"]
    assert client.get(url, headers={"Accept-Encoding": "gzip",
                                    "If-None-Match": zipped.headers["ETag"]}).status_code == 304


def _a_network_that_is_its_county_has_the_county_s_outline(client, session):
    feature = client.get("/geo/2025/networks/etela-karjala.geojson").get_json()
    county = shapely.from_geojson(get_shape(session, 2025, "county", "11").geometry)
    outline = shapely.geometry.shape(feature["geometry"])
    assert outline.symmetric_difference(county).area / county.area < 1e-3


def _outline_script_fetches_the_outline_and_is_immutable_at_its_version(client):
    root = _get(client, "/networks/kainuu?on=2026-06-01")
    src = next(s.attrs["src"] for s in root.find_all("script")
               if s.attrs["src"].startswith("/maps/"))
    response = client.get(src)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    script = response.get_data(as_text=True)
    assert 'fetch("/geo/2025/networks/kainuu.geojson?on=2026-06-01"' in script
    assert "tym-outline--network" in script
    query = parse_qs(urlsplit(src).query)
    assert set(query) == {"on", "v"}
    stale = client.get(urlsplit(src).path, query_string={"on": query["on"][0],
                                                         "v": "0000000000000000"})
    assert stale.status_code == 200
    assert stale.headers["Cache-Control"] == "public, max-age=300"


def _geometry_and_script_errors_are_small_json_answers(client):
    for url, status in [
            ("/geo/2025/networks/no-such-network.geojson", 404),
            ("/geo/1999/networks/kainuu.geojson", 404),
            ("/geo/2025/networks/kainuu.geojson?on=2026-02-30", 400),
            ("/geo/2025/networks/kainuu.geojson?on=2024-06-01", 404),  # no municipalities then
            ("/maps/2025/networks/kainuu.xx.js", 404),
            ("/maps/2025/networks/no-such-network.fi.js", 404)]:
        response = client.get(url)
        assert response.status_code == status, url
        assert response.get_json() == {
            "error": "Not Found" if status == 404 else "Bad Request", "status": status}


def test_the_outline_geometry_and_its_map_script(demo, client, session):
    _outline_is_the_dissolved_municipalities_with_etag_304_and_gzip(client, session)
    _a_network_that_is_its_county_has_the_county_s_outline(client, session)
    _outline_script_fetches_the_outline_and_is_immutable_at_its_version(client)

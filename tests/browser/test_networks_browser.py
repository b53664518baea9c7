"""The TYM network pages in a real browser (headless Chromium against the live app with the
synthetic demonstration registry): the configuration map colours every county as the
table says, its areas lead to the counties' pages and on to the networks, a network's
profile draws its outline, and nothing fails or comes from another host."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.browser.conftest import ARTIFACTS, ATTRIBUTION, Traffic

pytestmark = pytest.mark.browser

# Okabe-Ito colours of the stylesheet, as the browser computes them
FILLS = {"1": "rgb(0, 114, 178)", "2": "rgb(230, 159, 0)", "3": "rgb(0, 158, 115)",
         "4": "rgb(204, 121, 167)", "5": "rgb(86, 180, 233)", "outside": "rgb(255, 255, 255)"}


def _point_inside(page, selector: str) -> dict | None:
    """A viewport point where the topmost element is the first of ``selector``'s paths."""
    return page.evaluate("""(selector) => {
        const el = document.querySelector(selector);
        const box = el.getBoundingClientRect();
        for (let fy = 0.3; fy <= 0.7; fy += 0.05) {
            for (let fx = 0.3; fx <= 0.7; fx += 0.05) {
                const x = box.left + box.width * fx, y = box.top + box.height * fy;
                if (document.elementFromPoint(x, y) === el) { return {x: x, y: y}; }
            }
        }
        return null;
    }""", selector)


def _map_categories(page) -> list[dict]:
    return page.evaluate("""() => Array.from(
        document.querySelectorAll('path.tym-area--configuration'),
        el => ({code: el.getAttribute('data-code'), category: el.getAttribute('data-category'),
                fill: getComputedStyle(el).fill, label: el.getAttribute('aria-label')}))""")


def test_configuration_map_colours_counties_as_the_table_says_and_leads_to_networks(
        live_server, page):
    traffic = Traffic(page, live_server)
    page.goto(live_server + "/networks", wait_until="networkidle")
    paths = page.locator("path.tym-area--configuration")
    paths.first.wait_for()
    assert page.locator(".site-notice--demo").is_visible()  # synthetic: said on the page
    assert ATTRIBUTION in page.locator(".leaflet-control-attribution").inner_text()

    drawn = _map_categories(page)
    assert len(drawn) == 23
    table = dict(page.evaluate("""() => Array.from(
        document.querySelectorAll('#configuration-table tbody tr'),
        tr => [tr.getAttribute('data-county'), tr.getAttribute('data-type')])"""))
    assert len(table) == 22
    # every county is drawn in its type's colour; Åland outside TYM in white
    assert {d["code"]: d["category"] for d in drawn} == {**table, "91": "outside"}
    assert Counter(d["category"] for d in drawn) == Counter(
        {"1": 5, "2": 10, "3": 4, "4": 2, "5": 1, "outside": 1})
    assert Counter(d["category"] for d in drawn) - Counter({"outside": 1}) == Counter(
        table.values())
    for d in drawn:
        assert d["fill"] == FILLS[d["category"]], d
    assert all(":" in d["label"] for d in drawn)  # name: type, for screen readers
    # the type numbers drawn inside the counties (where they fit) repeat the colours
    marks = page.locator(".tym-mark:not(.tym-mark--hidden)")
    assert marks.count() >= 12
    assert set(marks.all_inner_texts()) <= {"1", "2", "3", "4", "5"}
    # the legend's swatches use the same colours
    swatch = page.locator('#configuration-legend li[data-type="2"] .swatch')
    assert swatch.evaluate("el => getComputedStyle(el).backgroundColor") == FILLS["2"]

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "networks-overview.png"), full_page=False)
    page.locator("figure.map-figure--configuration").screenshot(
        path=str(ARTIFACTS / "networks-configuration-map.png"))
    page.locator("#networks-table").screenshot(path=str(ARTIFACTS / "networks-list.png"))

    # hover shows the county's names and its type; a click opens the county's page
    page.locator('path.tym-area--configuration[data-code="12"]').scroll_into_view_if_needed()
    target = _point_inside(page, 'path.tym-area--configuration[data-code="12"]')
    assert target is not None
    page.mouse.move(target["x"], target["y"])
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert "Etelä-Savo" in tooltip.inner_text()
    page.mouse.click(target["x"], target["y"])
    page.wait_for_url("**/counties/12")
    page.wait_for_load_state("networkidle")
    networks = page.locator("#county-networks tbody th a")
    assert networks.count() == 1
    networks.first.click()
    page.wait_for_url("**/networks/etela-savo")
    page.wait_for_load_state("networkidle")
    outline = page.locator("path.tym-outline--network")
    outline.first.wait_for()
    assert outline.count() == 1
    assert page.locator("h1").count() == 1
    assert page.locator(".site-notice--demo").is_visible()
    page.screenshot(path=str(ARTIFACTS / "network-profile.png"), full_page=False)
    page.screenshot(path=str(ARTIFACTS / "network-profile-full.png"), full_page=True)

    traffic.assert_clean()
    assert any("/geo/2025/networks/etela-savo.geojson" in u for u in traffic.requests)
    assert any("/maps/2025/configuration." in u for u in traffic.requests)


def test_the_map_and_the_list_work_from_the_keyboard(live_server, page):
    traffic = Traffic(page, live_server)
    page.goto(live_server + "/networks?lang=sv", wait_until="networkidle")
    kainuu = page.locator('path.tym-area--configuration[data-code="20"]')
    kainuu.wait_for()
    assert kainuu.get_attribute("role") == "link"
    assert "Kajanaland" in kainuu.get_attribute("aria-label")
    kainuu.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/counties/20")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "sv"

    # sorting: a heading is a link; the sorted column says so with aria-sort
    page.goto(live_server + "/networks", wait_until="networkidle")
    heading = page.locator('#networks-table thead th:has(a[href*="sort=municipalities"])')
    heading.locator("a").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**sort=municipalities**")
    heading = page.locator('#networks-table thead th[aria-sort]')
    assert heading.get_attribute("aria-sort") == "ascending"
    heading.locator("a").focus()
    focused = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert focused != "none"  # the focus is visible
    page.keyboard.press("Enter")
    page.wait_for_url("**dir=desc**")
    assert page.locator('#networks-table thead th[aria-sort]').get_attribute(
        "aria-sort") == "descending"
    first = page.locator("#networks-table tbody tr").first.get_attribute("data-network")
    assert first == "turku"  # 23 municipalities, the most
    traffic.assert_clean()

"""An indicator page in a real browser (headless Chromium against the live app with the
demo registry, its synthetic statistics and client volumes): the tabs switch by link,
the choropleth is drawn with its legend, the chart and the table are there, and nothing
fails, logs an error or reaches another host. The page is also usable without script."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, Traffic

pytestmark = pytest.mark.browser

URL = "/indicators/clients-per-1000-long-term-unemployed"


def test_indicator_page_tabs_map_legend_chart_and_table(live_server, page):
    traffic = Traffic(page, live_server)
    page.goto(live_server + URL + "?level=network", wait_until="networkidle")
    assert page.locator("h1").inner_text().strip()
    assert page.locator("#synthetic-note").is_visible()

    # the map tab: a choropleth of the networks built from their municipalities
    assert page.locator("#tab-map").get_attribute("aria-current") == "page"
    areas = page.locator("path.tym-choropleth-area")
    areas.first.wait_for()
    assert areas.count() == 42
    classes = {areas.nth(i).get_attribute("data-class") for i in range(areas.count())}
    assert len(classes - {"none"}) >= 3  # classes from the data
    legend = page.locator("#indicator-legend li")
    assert legend.count() >= 3
    assert "Kainuu" in (page.locator('path.tym-choropleth-area[data-code="kainuu"]')
                        .get_attribute("aria-label") or "")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "indicator-map.png"), full_page=True)

    # the county level, shared by its URL
    page.select_option("#level", "county")
    page.get_by_role("button", name="Näytä").first.click()
    page.wait_for_url("**level=county**")
    page.locator("path.tym-choropleth-area").first.wait_for()
    assert page.locator("path.tym-choropleth-area").count() == 22

    # the chart tab, with two networks selected
    page.goto(live_server + URL + "?level=network&tab=chart&unit=kainuu,helsinki",
              wait_until="networkidle")
    assert page.locator("#tab-chart").get_attribute("aria-current") == "page"
    chart = page.locator("svg.line-chart")
    assert chart.count() == 1 and chart.locator("path").count() >= 4
    assert page.locator("#series-table tbody tr").count() >= 12
    page.screenshot(path=str(ARTIFACTS / "indicator-chart.png"), full_page=True)

    # the table tab by its link, sorted by value
    page.locator("#tab-table").click()
    page.wait_for_url("**tab=table**")
    rows = page.locator("#values-table tbody tr")
    assert rows.count() == 42
    page.locator("#values-table thead a", has_text="Arvo").click()
    page.wait_for_url("**sort=value**")
    assert page.locator("#national-median").inner_text().strip()

    # the sources tab
    page.locator("#tab-sources").click()
    page.wait_for_url("**tab=sources**")
    assert page.locator("#inputs-table").is_visible()
    assert "synthetic-demo-tyonv" in page.locator("#inputs-table").inner_text()

    traffic.assert_clean()
    assert any("/indicators/clients-per-1000-long-term-unemployed/map." in u
               for u in traffic.requests)


def test_the_comparison_table_filters_and_sorts(live_server, page):
    traffic = Traffic(page, live_server)
    page.goto(live_server + "/indicators/compare?lang=en", wait_until="networkidle")
    rows = page.locator("#comparison-table tbody tr")
    assert rows.count() == 42
    page.select_option("#type", "2")
    page.get_by_role("button", name="Show").first.click()
    page.wait_for_url("**type=2**")
    assert 0 < page.locator("#comparison-table tbody tr").count() < 42
    traffic.assert_clean()


def test_the_indicator_page_works_without_script(live_server, browser):
    context = browser.new_context(java_script_enabled=False, locale="fi-FI")
    page = context.new_page()
    try:
        page.goto(live_server + URL + "?tab=table&level=county")
        assert page.locator("#values-table tbody tr").count() == 22
        page.locator("#tab-sources").click()
        assert page.locator("#definitions").is_visible()
    finally:
        context.close()

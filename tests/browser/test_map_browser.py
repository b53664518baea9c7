"""The national map in a real browser: headless Chromium (Debian's) against the real app
served by werkzeug on a temporary SQLite file database built the way production is
(migrations, reference snapshot, boundaries from ../shared/geodata)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, ATTRIBUTION, Traffic

pytestmark = pytest.mark.browser

def _point_inside(page, selector: str) -> dict:
    """A viewport point where the topmost element is one of ``selector``'s paths."""
    return page.evaluate("""(selector) => {
        for (const el of document.querySelectorAll(selector)) {
            const box = el.getBoundingClientRect();
            for (let fy = 0.3; fy <= 0.7; fy += 0.1) {
                for (let fx = 0.3; fx <= 0.7; fx += 0.1) {
                    const x = box.left + box.width * fx, y = box.top + box.height * fy;
                    if (document.elementFromPoint(x, y) === el) {
                        return {x: x, y: y, code: el.getAttribute('data-code')};
                    }
                }
            }
        }
        return null;
    }""", selector)


def test_national_map_switches_layers_and_opens_an_area(live_server, page):
    traffic = Traffic(page, live_server)
    page.goto(live_server + "/", wait_until="networkidle")

    counties = page.locator("path.tym-area--county")
    counties.first.wait_for()
    assert counties.count() == 23
    assert ATTRIBUTION in page.locator(".leaflet-control-attribution").inner_text()
    assert page.locator("#map_national").get_attribute("aria-label")
    assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "Lähennä"

    page.get_by_role("radio", name="Työllisyysalueet").check()
    areas = page.locator("path.tym-area--employment_area")
    areas.first.wait_for()
    assert areas.count() == 45
    assert counties.count() == 0  # the layers are exclusive (radio buttons)

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "national-page.png"), full_page=False)
    page.locator("#map_national").screenshot(
        path=str(ARTIFACTS / "national-map-employment-areas.png"))

    target = _point_inside(page, "path.tym-area--employment_area")
    assert target is not None
    page.mouse.move(target["x"], target["y"])
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert tooltip.inner_text().strip()
    page.mouse.click(target["x"], target["y"])
    page.wait_for_url(f"**/employment-areas/{target['code']}")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").count() == 1
    outline = page.locator("path.tym-outline--employment_area")
    outline.first.wait_for()
    assert outline.count() == 1
    page.screenshot(path=str(ARTIFACTS / "employment-area-page.png"), full_page=True)

    traffic.assert_clean()
    assert any("/geo/2025/topology." in u for u in traffic.requests)


def test_map_areas_are_links_for_keyboard_users(live_server, page):
    traffic = Traffic(page, live_server)
    page.goto(live_server + "/?lang=sv", wait_until="networkidle")
    page.get_by_role("radio", name="Kommuner").check()
    municipality = page.locator('path.tym-area--municipality[data-code="091"]')
    municipality.wait_for()
    assert municipality.get_attribute("role") == "link"
    assert "Helsingfors" in municipality.get_attribute("aria-label")
    municipality.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/municipalities/091")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Helsingfors"
    assert page.locator("html").get_attribute("lang") == "sv"
    traffic.assert_clean()

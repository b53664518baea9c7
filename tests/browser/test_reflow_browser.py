"""WCAG 2.1 1.4.10 Reflow in a real browser: at 320 CSS pixels wide (a 1280 px screen
zoomed to 400 %) no page scrolls sideways, and the main navigation wraps instead of
running off the screen. Wide tables may scroll inside their own region, which the
criterion allows for data tables."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Traffic

pytestmark = pytest.mark.browser

PAGES = ["/", "/networks", "/networks/kainuu", "/counties/18", "/indicators/",
         "/indicators/unemployment-rate?tab=table", "/indicators/compare", "/downloads/",
         "/indicators/unemployment-rate?tab=sources", "/accessibility", "/privacy"]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_no_page_scrolls_sideways_at_320_pixels(live_server, browser, lang):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    traffic = Traffic(page, live_server)
    try:
        for url in PAGES:
            page.goto(f"{live_server}{url}{'&' if '?' in url else '?'}lang={lang}",
                      wait_until="networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"{url} is {width} px wide"
            overflowing = page.evaluate("""() => [...document.querySelectorAll(
                '.main-nav a')].filter(a => a.getBoundingClientRect().right > 320)
                .map(a => a.textContent.trim())""")
            assert overflowing == [], (url, overflowing)
        traffic.assert_clean()
    finally:
        context.close()

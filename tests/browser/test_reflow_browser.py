"""WCAG 2.1 1.4.10 Reflow in a real browser: at 320 CSS pixels wide (a 1280 px screen
zoomed to 400 %) no page scrolls sideways, and the main navigation wraps instead of
running off the screen. Wide tables may scroll inside their own region, which the
criterion allows for data tables."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Traffic, editor_account

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


REFLOW_EDITOR = "reflow.editor@example.fi"
REFLOW_PASSWORD = "narrow screens need love"


@pytest.fixture
def reflow_editor(live_database):
    editor_account(live_database[1], REFLOW_EDITOR, "kainuu", REFLOW_PASSWORD, "Narrow")
    return REFLOW_EDITOR


def test_the_editing_pages_reflow_at_320_pixels(live_server, browser, reflow_editor):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto(f"{live_server}/account/sign-in?lang=en")
        page.get_by_label("E-mail address").fill(reflow_editor)
        page.get_by_label("Password").fill(REFLOW_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/account")
        page.goto(f"{live_server}/networks/kainuu/edit", wait_until="networkidle")
        # every form the editing page links to, plus the history and the uploads
        forms = page.evaluate("""() => [...new Set([...document.querySelectorAll('main a')]
            .map(a => a.getAttribute('href'))
            .filter(h => h && h.startsWith('/networks/kainuu/edit/')))]""")
        assert len(forms) >= 5, forms
        for url in ["/networks/kainuu/edit", "/networks/kainuu/history",
                    "/networks/kainuu/client-volumes", "/account", *forms]:
            page.goto(live_server + url, wait_until="networkidle")
            assert page.locator("h1").count() == 1, url
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"{url} is {width} px wide"
    finally:
        context.close()

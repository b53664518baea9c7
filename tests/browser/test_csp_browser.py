"""The pages under their Content-Security-Policy in a real browser: the maps draw, switch
layers, zoom and show tooltips without a single violation, while the policy is really
enforced (a probe that breaks it is refused)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Traffic

pytestmark = pytest.mark.browser

COLLECT = """() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation',
        e => window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
}"""


@pytest.mark.parametrize("path, selector", [
    ("/", "path.tym-area--county"),
    ("/counties/12", "path.tym-outline"),
    ("/accessibility?lang=sv", None),
])
def test_pages_and_maps_run_under_the_policy(live_server, page, path, selector):
    traffic = Traffic(page, live_server)
    page.add_init_script(f"({COLLECT})()")
    response = page.goto(live_server + path, wait_until="networkidle")
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy
    if selector:
        page.locator(selector).first.wait_for()
    if path == "/":
        page.locator("path.tym-area--county").nth(5).hover()
        page.locator(".leaflet-tooltip").first.wait_for()
        page.locator(".leaflet-control-zoom-in").click()
        page.get_by_role("radio", name="Kunnat").check()
        page.locator("path.tym-area--municipality").first.wait_for()
    assert page.evaluate("window.__violations") == []
    page.evaluate("document.body.setAttribute('style', 'outline: 1px solid red')")
    page.wait_for_function("window.__violations.length > 0")
    assert page.evaluate("window.__violations") == ["style-src-attr inline"]
    traffic.console_errors = [e for e in traffic.console_errors if "style-src" not in e]
    traffic.assert_clean()

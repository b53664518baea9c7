"""A network leader at work, in headless Chromium against the live server and the demo
registry: sign in through the sign-in page, change the steering group (a refused value
first, shown next to its field), see the new composition on the network's public page
and the change, with its reason, in the network's history. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import re

import pytest

from portal.registry import editing
from portal.registry.audit.recorder import Actor
from tests.browser.conftest import ARTIFACTS, Traffic, editor_account

pytestmark = pytest.mark.browser

NETWORK = "etela-karjala"
EMAIL = "leader.browser@example.fi"
PASSWORD = "three words minimum here"


@pytest.fixture
def editor(live_database):
    """An editor of the demo network, created the way an admin's tools do (audited)."""
    _url, database = live_database
    editor_account(database, EMAIL, NETWORK, PASSWORD, "Leena Leader")
    with database.transaction(Actor("test:browser-setup")) as session:
        seats = editing.current_part(session, NETWORK, "steering_groups")
    yield EMAIL
    # leave the shared live registry as the other browser tests expect it
    with database.transaction(Actor("test:browser-teardown")) as session:
        version = editing.get_network(session, NETWORK).version
        try:
            editing.save_part(session, NETWORK, version, "steering_groups", seats)
        except editing.NoChange:
            pass


def _shot(page, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"editing-{name}.png"), full_page=full_page)


def _kela_seats_on_profile(page) -> str:
    return page.locator('#seats-table tr[data-org="kela"] td.num').first.inner_text().strip()


def test_leader_changes_the_steering_group_and_sees_it_everywhere(live_server, page, editor):
    traffic = Traffic(page, live_server)
    page.goto(f"{live_server}/networks/{NETWORK}?lang=en")
    before = int(_kela_seats_on_profile(page))

    # sign in through the real page
    page.goto(f"{live_server}/account/sign-in?lang=en")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    _shot(page, "1-sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/account$"))
    assert page.locator(".flash--success").inner_text() == "You are signed in."

    # from the account page to the network's editing page and its steering group
    page.get_by_role("link", name="TYM-verkosto Etelä-Karjala").click()
    page.wait_for_url(re.compile(rf"/networks/{NETWORK}/edit$"))
    page.locator("#steering-table").get_by_role("link", name=re.compile("^Edit")).first.click()
    page.wait_for_url(re.compile(r"/edit/steering-groups/\d+$"))
    kela = page.get_by_label("Seats: Kela")
    assert kela.input_value() == str(before)

    # a refused value: the message is next to the field, the value is kept
    kela.fill("-1")
    page.get_by_role("button", name="Save").click()
    error = page.locator("#seats-kela-error")
    assert error.inner_text().endswith("Give a whole number, 0 or more.")
    assert "seats-kela-error" in page.locator("#seats-kela").get_attribute("aria-describedby")
    assert page.locator("#seats-kela").input_value() == "-1"
    assert page.locator(".error-summary").is_visible()
    _shot(page, "2-refused-value")

    # the real change, with a reason
    page.get_by_label("Seats: Kela").fill(str(before + 1))
    page.get_by_label("Reason for the change (optional)").fill("Kelalle toinen paikka")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/networks/{NETWORK}/edit#steering-groups$"))
    assert page.locator(".flash--success").inner_text() == "Your changes were saved."
    _shot(page, "3-saved")

    # the public profile shows the new composition at once
    page.goto(f"{live_server}/networks/{NETWORK}?lang=en")
    assert _kela_seats_on_profile(page) == str(before + 1)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("section", has=page.locator("#steering-group")).screenshot(
        path=str(ARTIFACTS / "editing-4-public-profile.png"))

    # and the history shows who changed what, and why
    page.goto(f"{live_server}/networks/{NETWORK}/history?lang=en")
    newest = page.locator("li.change-set").first
    assert EMAIL in newest.locator("h2").inner_text()
    assert "Kelalle toinen paikka" in newest.locator(".change-set__reason").inner_text()
    row = newest.locator("table tbody tr").first
    assert [c.strip() for c in row.locator("th, td").all_inner_texts()] == [
        "Seats", str(before), str(before + 1)]
    _shot(page, "5-history", full_page=False)

    # sign out: the editing page asks to sign in again
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".flash--success").inner_text() == "You have signed out."
    page.goto(f"{live_server}/networks/{NETWORK}/edit?lang=en")
    page.wait_for_url(re.compile(r"/account/sign-in\?"))

    # no CSP violation, no script error, nothing from elsewhere; the one refused save
    # (422) is the only answer that is not a success
    assert [e for e in traffic.console_errors if "status of 422" not in e] == []
    assert traffic.foreign() == []
    assert [f for f in traffic.failed if "HTTP 422" not in f] == []

"""Accounts through the real pages: signing in and out, throttling, no user enumeration,
session expiry and sign-out everywhere, setting a password from a link, and that no
password appears in the database, the audit trail or the logs."""

from __future__ import annotations

import json
import logging
import re
import time

import pytest
from sqlalchemy import select, text

from portal.registry.audit.models import AuditEvent
from portal.registry.users import services
from portal.registry.users.models import LoginAttempt, User
from tests.editing_support import CSRF, PASSWORD, A, fingerprint, load_small_registry, make_user
from tests.editing_support import sign_in as sign_in_directly
from tests.html_tree import parse

THROTTLED = "Too many sign-in attempts. Try again in 15 minutes."
FAILED = ("The e-mail address or the password is not right, or the account cannot sign in. "
          "Check them and try again.")


@pytest.fixture
def registry(session):
    load_small_registry(session)


@pytest.fixture
def editor(session, registry):
    return make_user(session, "leader@example.fi", "editor", (A,), password=PASSWORD)


@pytest.fixture
def admin(session, registry):
    return make_user(session, "admin@example.fi", "admin", password="admin password 1234")


def csrf_of(client, address: str = "/account/sign-in?lang=en") -> str:
    root = parse(client.get(address).text)
    return root.find("input", name="csrf_token").attrs["value"]


def sign_in(client, email: str, password: str, **extra):
    token = csrf_of(client)
    return client.post("/account/sign-in?lang=en",
                       data={"csrf_token": token, "email": email, "password": password,
                             **extra})


def signed_in_as(client) -> str | None:
    response = client.get("/account?lang=en")
    if response.status_code != 200:
        return None
    return parse(response.text).find("td").text()


# --- sign in and out ------------------------------------------------------------------------

def test_sign_in_through_the_form_sets_a_safe_cookie_and_signs_out_with_post(client, editor):
    response = sign_in(client, "Leader@Example.FI ", PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/account"
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("tym_session="))
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"secure", "httponly", "expires"} <= flags and "SameSite=Lax" in cookie
    assert signed_in_as(client) == "leader@example.fi"
    assert client.get("/account/sign-out").status_code == 405  # no sign-out by a link
    assert client.post("/account/sign-out").status_code == 400  # nor without the token
    assert signed_in_as(client) == "leader@example.fi"
    token = csrf_of(client, "/account?lang=en")
    out = client.post("/account/sign-out", data={"csrf_token": token})
    assert out.status_code == 303 and signed_in_as(client) is None


def test_sign_in_returns_only_to_pages_of_this_site(client, editor):
    response = sign_in(client, "leader@example.fi", PASSWORD, next=f"/networks/{A}/edit")
    assert response.headers["Location"] == f"/networks/{A}/edit"
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example",
                   "javascript:alert(1)"):
        client.post("/account/sign-out", data={"csrf_token": csrf_of(client, "/account")})
        response = sign_in(client, "leader@example.fi", PASSWORD, next=target)
        assert response.headers["Location"] == "/account", target


def test_a_protected_page_sends_anonymous_visitors_to_sign_in_and_back(client, editor):
    response = client.get(f"/networks/{A}/edit")
    assert response.status_code == 302
    login = response.headers["Location"]
    assert login.startswith("/account/sign-in?next=")
    page = parse(client.get(login).text)
    assert page.find("input", name="next").attrs["value"] == f"/networks/{A}/edit"


def test_csrf_failure_page_says_so_clearly(client, editor):
    client.get("/account/sign-in")
    response = client.post("/account/sign-in?lang=en",
                           data={"email": "leader@example.fi", "password": PASSWORD})
    assert response.status_code == 400
    root = parse(response.text)
    assert root.find("h1").text() == "The form could not be sent"
    assert "security check failed" in root.find(class_="error-detail").text()
    wrong = client.post("/account/sign-in?lang=en", data={
        "csrf_token": "forged", "email": "leader@example.fi", "password": PASSWORD})
    assert wrong.status_code == 400 and signed_in_as(client) is None


# --- throttling and enumeration ---------------------------------------------------------------

def test_sixth_attempt_is_refused_even_with_the_right_password(client, editor, session):
    for _ in range(services.THROTTLE_MAX_FAILURES):
        response = sign_in(client, "leader@example.fi", "wrong password")
        assert response.status_code == 200
        assert FAILED in parse(response.text).find(class_="error-summary").text()
    response = sign_in(client, "leader@example.fi", PASSWORD)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "900"
    assert THROTTLED in parse(response.text).find(class_="error-summary").text()
    assert signed_in_as(client) is None
    # in the page language too
    finnish = client.post("/account/sign-in?lang=fi", data={
        "csrf_token": csrf_of(client), "email": "leader@example.fi", "password": PASSWORD})
    assert finnish.status_code == 429 and parse(finnish.text).find("html").attrs["lang"] == "fi"


def test_no_user_enumeration_through_sign_in(client, session, registry):
    make_user(session, "disabled@example.fi", "monitor", password=PASSWORD)
    services.disable(session, services.find_user(session, "disabled@example.fi"))
    session.commit()
    make_user(session, "invited@example.fi", "monitor")  # no password yet
    make_user(session, "known@example.fi", "monitor", password=PASSWORD)
    answers = []
    for email, password in (("ghost@example.fi", PASSWORD), ("known@example.fi", "wrong one"),
                            ("disabled@example.fi", PASSWORD), ("invited@example.fi", "")):
        response = sign_in(client, email, password)
        answers.append((response.status_code, response.text.replace(email, "EMAIL"),
                        sorted(k for k in response.headers.keys()
                               if k not in ("Date", "X-Request-ID"))))
    assert all(a == answers[0] for a in answers)
    assert answers[0][0] == 200 and FAILED in answers[0][1]


def test_no_enumeration_through_password_links(client, session, registry):
    user = make_user(session, "used@example.fi", "monitor")
    _, expired_token = services.add_user(session, "expired@example.fi", "monitor")
    expired = services.find_user(session, "expired@example.fi")
    expired.token_expires_at = services.now() - services.TOKEN_LIFETIME
    used_token = services.issue_reset(session, user)
    services.set_password_with_token(session, used_token, PASSWORD)
    _, disabled_token = services.add_user(session, "off@example.fi", "monitor")
    services.disable(session, services.find_user(session, "off@example.fi"))
    session.commit()
    pages = []
    for token in ("not-a-token", used_token, expired_token, disabled_token, "x" * 500):
        response = client.get(f"/account/set-password/{token}?lang=en")
        pages.append((response.status_code, response.text.replace(token, "TOKEN")))
    assert all(p == pages[0] for p in pages)  # (the language links repeat the address)
    assert pages[0][0] == 404 and "This link cannot be used" in pages[0][1]
    assert client.get("/account/set-password?lang=en").status_code == 404


# --- sessions ---------------------------------------------------------------------------------

def test_session_expires_after_the_idle_lifetime(client, editor, monkeypatch, app):
    assert sign_in(client, "leader@example.fi", PASSWORD).status_code == 303
    lifetime = app.permanent_session_lifetime.total_seconds()
    assert lifetime == 60 * app.config["SESSION_LIFETIME_MINUTES"]
    start = int(time.time())

    def at(seconds: float) -> None:
        monkeypatch.setattr("itsdangerous.timed.TimestampSigner.get_timestamp",
                            lambda self: int(start + seconds))

    at(lifetime * 0.8)
    assert signed_in_as(client) == "leader@example.fi"  # activity renews the session
    at(lifetime * 1.6)
    assert signed_in_as(client) == "leader@example.fi"
    at(lifetime * 2.7)  # more than the lifetime without a request
    assert signed_in_as(client) is None
    response = client.get(f"/networks/{A}/edit")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("change", ["disable", "role", "reset"])
def test_changes_by_an_admin_sign_the_account_out_everywhere(app, editor, admin, change):
    phone, laptop, admin_client = (app.test_client() for _ in range(3))
    for device in (phone, laptop):
        assert sign_in(device, "leader@example.fi", PASSWORD).status_code == 303
    assert sign_in(admin_client, "admin@example.fi", "admin password 1234").status_code == 303
    token = csrf_of(admin_client, "/account")
    action = {"disable": ("disable", {}), "role": ("role", {"role": "monitor"}),
              "reset": ("reset", {})}[change]
    response = admin_client.post(f"/admin/users/{editor.id}/{action[0]}",
                                 data={"csrf_token": token, **action[1]})
    assert response.status_code in (200, 303)
    assert signed_in_as(phone) is None and signed_in_as(laptop) is None
    assert signed_in_as(admin_client) == "admin@example.fi"


def test_setting_a_password_signs_out_other_sessions(app, session, editor):
    laptop = app.test_client()
    assert sign_in(laptop, "leader@example.fi", PASSWORD).status_code == 303
    token = services.issue_reset(session, services.find_user(session, "leader@example.fi"))
    session.commit()
    browser = app.test_client()
    assert browser.get(f"/account/set-password/{token}").status_code == 303
    form = {"csrf_token": csrf_of(browser, "/account/set-password"),
            "password": "a brand new password", "password_again": "a brand new password"}
    assert browser.post("/account/set-password", data=form).status_code == 303
    assert signed_in_as(laptop) is None


# --- setting a password -------------------------------------------------------------------------

def test_invitation_link_sets_a_password(client, session, registry, cli):
    output = cli("users", "add", "new@example.fi", "--role", "editor", "--network", A).output
    link = re.search(r"(/account/set-password/\S+)", output).group(1)
    response = client.get(link + "?lang=en")
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/set-password"  # token out of the URL
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = client.get("/account/set-password?lang=en")
    assert page.status_code == 200 and "new@example.fi" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    token = csrf_of(client, "/account/set-password?lang=en")
    cases = [("short", "short", "password", "Use at least 12 characters."),
             ("long enough pw", "different pw!!", "password_again",
              "The passwords are not the same."),
             ("x" * 2000, "x" * 2000, "password", "Use at most 1024 characters.")]
    for password, again, field, message in cases:
        response = client.post("/account/set-password?lang=en", data={
            "csrf_token": token, "password": password, "password_again": again})
        assert response.status_code == 422
        root = parse(response.text)
        assert root.find(id=f"{field}-error").text().endswith(message)
        assert f"{field}-error" in root.find(id=field).attrs["aria-describedby"]
        assert password not in response.text  # never echoed back
    response = client.post("/account/set-password?lang=en", data={
        "csrf_token": token, "password": "kolme sanaa riittää", "password_again":
        "kolme sanaa riittää"})
    assert response.status_code == 303 and response.headers["Location"] == "/account/sign-in"
    assert client.get(link).status_code == 404  # used once
    assert sign_in(client, "new@example.fi", "kolme sanaa riittää").status_code == 303


def test_passwords_never_appear_in_the_database_the_trail_or_the_logs(
        client, session, registry, caplog):
    caplog.set_level(logging.DEBUG)
    admin = make_user(session, "root@example.fi", "admin", password="first admin password")
    sign_in_directly(client, admin)
    response = client.post("/admin/users/new", data={"csrf_token": CSRF,
                                                     "email": "m@example.fi", "role": "monitor"})
    link = re.search(r"/account/set-password/[\w-]+", response.text).group(0)
    assert response.headers["Cache-Control"] == "no-store"
    secret = "sala1suus kuusi sanaa"
    other = client.application.test_client()
    other.get(link)
    other.post("/account/set-password", data={
        "csrf_token": csrf_of(other, "/account/set-password"),
        "password": secret, "password_again": secret})
    assert sign_in(other, "m@example.fi", secret + "x").status_code == 200  # a failure
    assert sign_in(other, "m@example.fi", secret).status_code == 303
    token = link.rsplit("/", 1)[-1]
    logged = caplog.text + "".join(json.dumps(r.__dict__, default=str) for r in caplog.records)
    for value in (secret, token):
        assert value not in logged
    assert "sign-in failed" in logged and "signed in: user" in logged  # logs were captured
    tables = ("users", "login_attempts", "audit_events")
    dumped = "".join(str(row) for t in tables
                     for row in session.execute(text(f"SELECT * FROM {t}")))
    assert secret not in dumped and token not in dumped
    user = session.scalar(select(User).where(User.email == "m@example.fi"))
    assert user.password_hash.startswith("scrypt:")
    changes = [e.changes for e in session.scalars(select(AuditEvent).where(
        AuditEvent.table_name == "users"))]
    assert all(set(c["password_hash"]) <= {None, "***"} for c in changes if "password_hash" in c)
    assert session.scalar(select(LoginAttempt.key)) not in (None, "m@example.fi")


def test_refused_sign_ins_change_nothing_but_the_attempt_count(client, session, editor):
    before = fingerprint(session)
    sign_in(client, "leader@example.fi", "\x00bad\x00")
    sign_in(client, "a\x00@example.fi", "x" * 5000)
    session.expire_all()
    attempts = session.scalars(select(LoginAttempt)).all()
    assert len(attempts) == 4  # two failures, each counted per address and per client
    assert fingerprint(session) != before  # only because of the attempts

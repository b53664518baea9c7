"""Browser fixtures: Debian's headless Chromium (via Playwright) against the real app
served by werkzeug on its own SQLite file database, built the way production is:
migrations, reference snapshot, boundaries from ../shared/geodata, and the synthetic
demonstration registry (so every view has content)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.db import Database
from portal.migrations.runner import upgrade
from portal.registry.audit.recorder import Actor
from portal.registry.demo import load_demo
from portal.registry.geography.boundaries import load_boundaries_into
from portal.registry.geography.reference import read_snapshot, sync_reference
from portal.registry.users import services as users
from tests.conftest import ROOT, STATFI_2025, test_settings

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ATTRIBUTION = "Statistics Finland / National Land Survey of Finland, CC BY 4.0"


def _chromium() -> str:
    path = os.environ.get("TYM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("browser tests need Debian's chromium (apt-get install chromium) or "
                    "TYM_CHROMIUM=/path/to/chromium")
    return path


@pytest.fixture(scope="session")
def live_database(tmp_path_factory) -> tuple[str, Database]:
    """The browser tests' database URL and ``Database`` (committed for real)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'portal.sqlite3'}"
    settings = test_settings(url)
    database = Database.from_url(url)
    setup = Actor("test:browser-setup")
    upgrade(database)
    with database.transaction(setup) as session:
        sync_reference(session, read_snapshot())
        load_demo(session)
    load_boundaries_into(database, settings, source=str(STATFI_2025), year=2025, actor=setup)
    yield url, database
    database.bind.dispose()


@pytest.fixture(scope="session")
def live_server(live_database):
    """The portal on 127.0.0.1:<free port>."""
    url, _database = live_database
    app = create_app(test_settings(url))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    app.extensions["tym_db"].bind.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Traffic:
    """Every request a page makes, and everything that went wrong."""

    def __init__(self, page, origin: str):
        self.origin = origin
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.console_errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(
            f"{r.url} HTTP {r.status}"))
        page.on("console", lambda m: m.type in ("error", "warning") and
                self.console_errors.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.console_errors.append(f"page error: {e}"))

    def foreign(self) -> list[str]:
        own = urlsplit(self.origin).netloc
        return [u for u in self.requests
                if not u.startswith("data:") and urlsplit(u).netloc != own]

    def assert_clean(self) -> None:
        assert self.failed == []
        assert self.console_errors == []
        assert self.foreign() == []


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="fi-FI")
    page = context.new_page()
    yield page
    context.close()


def editor_account(database: Database, email: str, network_id: str, password: str,
                   display_name: str = "") -> None:
    """An editor of ``network_id`` with a password, created the way an admin's tools do
    (audited); nothing happens when the account exists already (the live registry is
    shared by the browser tests)."""
    with database.transaction(Actor("test:browser-setup")) as session:
        if users.find_user(session, email) is None:
            user, token = users.add_user(session, email, "editor", display_name)
            users.assign(session, user, network_id)
            users.set_password_with_token(session, token, password)


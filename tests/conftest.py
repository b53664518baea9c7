"""Shared fixtures: a real database (SQLite by default, PostgreSQL when
TYM_TEST_DATABASE_URL points at one), built with the migrations and loaded with the
reference data once per run; every test runs inside a transaction rolled back at
its end. No fixture touches the internet."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.cli import CliState, main
from portal.db import Database, make_engine
from portal.migrations.runner import upgrade
from portal.registry.audit.recorder import Actor, set_actor
from portal.registry.geography.reference import read_snapshot, sync_reference
from portal.settings import load_settings
from tests.replay_server import ReplayServer

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GEODATA = SHARED / "geodata"
STATFI_2025 = GEODATA / "statfi_2025" / "kunta4500k_2025.geojson"
NLS_PRE2025 = GEODATA / "nls_pre2025" / "kuntarajat.json"


def _create_postgres_database(url: str) -> tuple[str, callable]:
    """Create a fresh, uniquely named database beside the one in ``url``."""
    base = make_url(url)
    name = f"tym_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base.render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    configured = os.environ.get("TYM_TEST_DATABASE_URL", "")
    if configured.startswith("postgresql"):
        url, drop = _create_postgres_database(configured)
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def test_settings(database_url: str, **overrides) -> dict:
    """Settings for tests: defaults only (the developer's environment is ignored)."""
    values = {"DATABASE_URL": database_url, "BOUNDARIES_SOURCE": str(STATFI_2025),
              "HTTP_TIMEOUT": 5.0, "HTTP_RETRIES": 1}
    values.update(overrides)
    return load_settings(environ={}, overrides=values)


test_settings.__test__ = False  # a helper, not a test


@pytest.fixture(scope="session")
def engine(database_url):
    """The run's database: migrated to head with the reference snapshot loaded."""
    engine = make_engine(database_url)
    database = Database(engine)
    upgrade(database)
    with database.transaction(Actor("test:setup")) as session:
        sync_reference(session, read_snapshot())
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine):
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        if outer.is_active:
            outer.rollback()


@pytest.fixture
def database(connection) -> Database:
    return Database(connection)


@pytest.fixture
def session(database):
    s = database.session()
    set_actor(s, Actor("test"))
    yield s
    s.close()


@pytest.fixture
def settings(database_url) -> dict:
    return test_settings(database_url)


@pytest.fixture
def app(settings, database):
    app = create_app(dict(settings, TESTING=True), database=database)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def cli(settings, database):
    """Run ``tym ARGS...`` through the real click command against the test database."""
    runner = CliRunner()

    def invoke(*args: str, **settings_overrides):
        state = CliState(settings=dict(settings, **settings_overrides), database=database)
        return runner.invoke(main, list(args), obj=state, catch_exceptions=False)

    return invoke


@pytest.fixture
def replay():
    server = ReplayServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def boundaries_2025(engine, database_url):
    """The run's database with the 2025 boundaries from ../shared/geodata loaded (committed)."""
    from portal.registry.geography.boundaries import load_boundaries_into

    load_boundaries_into(Database(engine), test_settings(database_url),
                         source=str(STATFI_2025), year=2025, actor=Actor("test:setup"))
    return engine

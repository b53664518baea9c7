"""Fixtures for the indicator and open-data tests: the demo registry with its synthetic
statistics and client volumes loaded once per module, inside a transaction rolled back
at the end of the module (each test adds a savepoint of its own), and one app per
module so the computed indicators are reused between its tests.

Import the fixtures into a test module: ``from tests.indicator_support import *``.
"""

from __future__ import annotations

import pytest

from portal import create_app
from portal.db import Database
from portal.registry.audit.recorder import Actor, set_actor
from portal.registry.demo import load_demo
from portal.registry.users.services import add_user

__all__ = ["demo_app", "demo_client", "demo_connection", "demo_database", "demo_session",
           "monitor_client", "sign_in_as"]


@pytest.fixture(scope="module")
def demo_connection(engine, boundaries_2025):
    """A connection whose open transaction holds the demo (boundaries are committed
    first: on SQLite nothing else may write while this transaction is open)."""
    with engine.connect() as conn:
        outer = conn.begin()
        database = Database(conn)
        with database.transaction(Actor("test:indicators-demo")) as session:
            load_demo(session)
        yield conn
        if outer.is_active:
            outer.rollback()


@pytest.fixture(scope="module")
def demo_database(demo_connection) -> Database:
    return Database(demo_connection)


@pytest.fixture
def demo_session(demo_database):
    session = demo_database.session()
    set_actor(session, Actor("test"))
    yield session
    session.rollback()
    session.close()


@pytest.fixture(scope="module")
def demo_app(demo_database, database_url):
    from tests.conftest import test_settings

    return create_app(dict(test_settings(database_url), TESTING=True),
                      database=demo_database)


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


def sign_in_as(client, user) -> None:
    with client.session_transaction() as s:
        s.clear()
        s["uid"] = user.id
        s["sv"] = user.session_version
        s.permanent = True


@pytest.fixture(scope="module")
def monitor_client(demo_app, demo_database):
    """A client signed in as a monitor (the account stays for the module)."""
    with demo_database.transaction(Actor("test:monitor")) as session:
        user, _token = add_user(session, "monitor@example.org", "monitor")
        session.flush()
        user_id, version = user.id, user.session_version
    client = demo_app.test_client()
    with client.session_transaction() as s:
        s["uid"] = user_id
        s["sv"] = version
        s.permanent = True
    return client

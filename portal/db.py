"""Engine and sessions, used by the web app, the CLI and the ETL alike.

``Database`` wraps an engine (or, in tests, one connection inside an outer
transaction) and hands out plain SQLAlchemy sessions. ``init_app`` gives each
request one session, closed at teardown.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g, has_request_context, request
from flask import session as flask_session
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from portal.registry.audit.recorder import Actor

log = logging.getLogger(__name__)


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine; SQLite gets foreign keys and real transactions (savepoints, DDL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):  # pragma: no cover - driver hook
            # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover - driver hook
            conn.exec_driver_sql("BEGIN")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


class Database:
    """Sessions for one database. ``bind`` is an Engine, or a Connection in tests."""

    def __init__(self, bind: Engine | Connection):
        from portal.registry import models  # noqa: F401  every table known before a flush
        from portal.registry.audit.recorder import install
        from portal.registry.base import Base

        install(Base)  # every change to an audited table is recorded (idempotent)
        self.bind = bind
        options = {"expire_on_commit": False}
        if isinstance(bind, Connection):
            # Tests run inside an outer transaction: a commit only releases a savepoint.
            options["join_transaction_mode"] = "create_savepoint"
        self._factory = sessionmaker(bind=bind, **options)

    @classmethod
    def from_url(cls, url: str, **engine_options) -> Database:
        return cls(make_engine(url, **engine_options))

    @property
    def dialect(self) -> str:
        return self.bind.dialect.name

    def session(self) -> Session:
        return self._factory()

    @contextmanager
    def transaction(self, actor: Actor | None = None) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error.

        ``actor`` says who makes the changes (required before audited tables change)."""
        session = self.session()
        if actor is not None:
            from portal.registry.audit.recorder import set_actor

            set_actor(session, actor)
        try:
            with session.begin():
                yield session
        finally:
            session.close()


def web_engine_options(config: Mapping[str, Any], url: str) -> dict[str, Any]:
    """Engine options for web requests: a request never waits long for the database.

    PostgreSQL gets a connect timeout, a pool checkout timeout and a per-statement
    timeout (``DB_*`` settings), so an outage or a runaway query gives a 503 within
    seconds instead of a hung worker; SQLite waits at most as long for a lock.
    """
    connect_timeout = max(1, int(config.get("DB_CONNECT_TIMEOUT", 5)))
    if make_url(url).get_backend_name() == "sqlite":
        return {"connect_args": {"timeout": connect_timeout}}
    connect_args: dict[str, Any] = {"connect_timeout": connect_timeout}
    statement_ms = int(config.get("DB_STATEMENT_TIMEOUT_MS", 0))
    if statement_ms > 0:
        connect_args["options"] = f"-c statement_timeout={statement_ms}"
    return {"connect_args": connect_args, "pool_timeout": connect_timeout}


def init_app(app: Flask, database: Database | None = None) -> None:
    url = app.config["DATABASE_URL"]
    app.extensions["tym_db"] = database or Database.from_url(
        url, **web_engine_options(app.config, url))
    replica_url = app.config.get("DATABASE_REPLICA_URL") or ""
    if replica_url:
        app.extensions["tym_db_replica"] = Database.from_url(
            replica_url, **web_engine_options(app.config, replica_url))
    app.teardown_appcontext(_close_session)


def get_database() -> Database:
    return current_app.extensions["tym_db"]


def get_session() -> Session:
    """The current request's session (from the read replica when ``reads_from_replica``)."""
    if "tym_session" not in g:
        database = get_replica() if reads_from_replica() else get_database()
        g.tym_session = database.session()
    return g.tym_session


def get_replica() -> Database | None:
    """The read replica (``DATABASE_REPLICA_URL``), or None."""
    return current_app.extensions.get("tym_db_replica")


def reads_from_replica() -> bool:
    """Whether this request reads from the replica: only anonymous GET/HEAD requests do.

    A signed-in user always reads the primary, so what they just changed is what they
    see (a replica may lag); so does every request that may change something.
    """
    return (get_replica() is not None and has_request_context()
            and request.method in ("GET", "HEAD") and "uid" not in flask_session)


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("tym_session", None)
    if session is None:
        return
    try:
        session.close()
    except SQLAlchemyError as exc:
        # The database went away after the answer was made (its closing ROLLBACK failed):
        # drop the connection and keep the answer; never turn it into a bare 500.
        log.warning("database connection lost while closing the request's session: %s",
                    type(getattr(exc, "orig", None) or exc).__name__)
        try:
            session.invalidate()
        except SQLAlchemyError:
            pass

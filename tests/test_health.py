"""/healthz, /readyz, and what a database outage looks like: a translated 503 page or a
JSON 503, fast, never a stack trace; the read replica; the web engine's timeouts."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.db import Database, make_engine, reads_from_replica, web_engine_options
from portal.migrations.runner import heads, upgrade
from portal.ops import jobs
from portal.registry.audit.recorder import Actor
from portal.registry.geography.reference import read_snapshot, sync_reference
from tests.conftest import test_settings
from tests.stack import free_port

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def _no_schedule(_config):
    return None


@pytest.fixture
def app(settings, database):
    app = create_app(dict(settings, TESTING=True), database=database)
    app.extensions["tym_job_periods"] = _no_schedule
    return app


def _runs(connection, *rows):
    for job_id, status, finished in rows:
        connection.execute(text(
            "INSERT INTO etl_runs (job_id, trigger, actor, started_at, finished_at, status, "
            "rows_read, rows_accepted, rows_rejected, rows_changed, source, source_version, "
            "message) VALUES (:job, 'test', 'test', :started, :finished, :status, 0, 0, 0, 0, "
            "'', '', '')"),
            {"job": job_id, "status": status, "finished": finished,
             "started": finished - dt.timedelta(seconds=90)})


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_checks_the_database_and_the_migrations(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["migrations"] == {"ok": True, "current": heads()[0],
                                            "head": heads()[0]}
    assert body["checks"]["jobs"] == {"ok": True, "checked": False,
                                      "reason": "schedule not known"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_fails_when_a_scheduled_job_has_not_succeeded_within_its_period(
        app, client, connection):
    recent = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    _runs(connection, ("daily", "succeeded", recent), ("weekly", "succeeded", old),
          ("weekly", "failed", recent), ("stale", "succeeded", old))
    app.extensions["tym_job_periods"] = lambda _config: {
        "daily": dt.timedelta(days=1), "weekly": dt.timedelta(days=7),
        "stale": dt.timedelta(days=1), "never": dt.timedelta(hours=1)}
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not ready"
    checked = body["checks"]["jobs"]
    assert checked["ok"] is False and checked["checked"] is True
    assert {job: v["ok"] for job, v in checked["jobs"].items()} == {
        "daily": True, "weekly": True, "stale": False, "never": False}
    assert checked["jobs"]["never"]["last_success"] is None
    assert checked["jobs"]["daily"]["period_s"] == 86400
    # a load balancer asks without the jobs: a late job does not stop the pages
    assert client.get("/readyz?skip=jobs").status_code == 200
    assert "jobs" not in client.get("/readyz?skip=jobs").get_json()["checks"]


def test_the_default_job_periods_come_from_the_etl_schedule():
    from etl.jobs import load_entries

    periods = jobs.scheduled_periods({}, now=NOW)
    assert set(periods) == {entry.id for entry in load_entries({})}
    assert all(dt.timedelta(0) < period <= dt.timedelta(days=366) for period in periods.values())


def test_a_job_s_period_is_its_longest_gap_between_runs():
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    weekdays = CronTrigger(day_of_week="mon-fri", hour=9, minute=30, timezone="Europe/Helsinki")
    assert jobs.trigger_period(weekdays, NOW) == dt.timedelta(days=3)  # Friday -> Monday
    weekly = CronTrigger(day_of_week="sun", hour=5, timezone="Europe/Helsinki")
    assert jobs.trigger_period(weekly, NOW) == dt.timedelta(days=7)
    assert jobs.trigger_period(IntervalTrigger(minutes=15), NOW) == dt.timedelta(minutes=15)


def test_a_broken_schedule_file_is_reported_not_raised(settings, database, tmp_path):
    broken = tmp_path / "schedule.toml"
    broken.write_text("[[jobs]]\nid = 'x'\n")
    app = create_app(dict(settings, TESTING=True, SCHEDULE_FILE=str(broken)), database=database)
    response = app.test_client().get("/readyz")
    assert response.get_json()["checks"]["jobs"]["checked"] is False


def test_staleness_counts_the_grace_and_treats_never_as_stale():
    states = {"a": jobs.JobState("a", "succeeded", None, None, NOW - dt.timedelta(hours=25))}
    periods = {"a": dt.timedelta(days=1), "b": dt.timedelta(days=1)}
    verdicts = {v.job_id: v.stale for v in jobs.staleness(
        states, periods, NOW, grace=dt.timedelta(hours=2))}
    assert verdicts == {"a": False, "b": True}
    verdicts = {v.job_id: v.stale for v in jobs.staleness(
        states, periods, NOW, grace=dt.timedelta(0))}
    assert verdicts == {"a": True, "b": True}


def test_readyz_reports_a_schema_behind_the_code(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    old = Database.from_url(url)
    upgrade(old, "0001")
    app = create_app(dict(test_settings(url), TESTING=True), database=old)
    app.extensions["tym_job_periods"] = _no_schedule
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["migrations"] == {
        "ok": False, "current": "0001", "head": heads()[0]}
    old.bind.dispose()


@pytest.fixture
def unreachable(tmp_path):
    """An app whose PostgreSQL is not there (nothing listens on the port)."""
    url = f"postgresql+psycopg://tym:secret-password@127.0.0.1:{free_port()}/tym"
    app = create_app(dict(test_settings(url, DB_CONNECT_TIMEOUT=2), TESTING=True))
    app.extensions["tym_job_periods"] = _no_schedule
    yield app
    app.extensions["tym_db"].bind.dispose()


def test_without_the_database_readyz_says_why_and_healthz_still_answers(unreachable):
    client = unreachable.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"]["ok"] is False
    assert "OperationalError" in checks["database"]["error"]
    assert "secret-password" not in response.get_data(as_text=True)
    assert checks["migrations"] == {"ok": False, "error": "database unreachable"}


@pytest.mark.parametrize("lang, title", [
    ("fi", None), ("sv", None), ("en", "The service is temporarily unavailable")])
def test_a_database_outage_gives_the_503_page_not_a_stack_trace(unreachable, lang, title):
    client = unreachable.test_client()
    started = time.monotonic()
    response = client.get(f"/counties/12?lang={lang}")
    assert time.monotonic() - started < 4  # the connect timeout, not a hang
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in body
    assert body.count("<h1>") == 1
    if title:
        assert f"<h1>{title}</h1>" in body
    assert "Traceback" not in body and "OperationalError" not in body
    assert "secret-password" not in body
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize("url", ["/geo/2025/topology.json", "/geo/2025/counties/12.geojson",
                                 "/maps/2025/national.fi.js"])
def test_a_database_outage_gives_json_to_scripts(unreachable, url):
    response = unreachable.test_client().get(url)
    assert response.status_code == 503
    assert response.get_json() == {"error": "Service Unavailable", "status": 503,
                                   "reason": "database unavailable"}


def test_a_database_outage_is_logged_as_one_warning_without_a_trace(unreachable, caplog):
    unreachable.test_client().get("/counties/12")
    warnings = [r for r in caplog.records if r.name == "portal.outage"]
    assert len(warnings) == 1
    assert warnings[0].levelname == "WARNING" and warnings[0].exc_info is None
    assert "secret-password" not in warnings[0].getMessage()


def test_the_web_engine_never_waits_long(settings):
    pg = "postgresql+psycopg://tym@db/tym"
    options = web_engine_options({"DB_CONNECT_TIMEOUT": 3, "DB_STATEMENT_TIMEOUT_MS": 1500}, pg)
    assert options == {"connect_args": {"connect_timeout": 3,
                                        "options": "-c statement_timeout=1500"},
                       "pool_timeout": 3}
    assert "options" not in web_engine_options(
        {"DB_CONNECT_TIMEOUT": 3, "DB_STATEMENT_TIMEOUT_MS": 0}, pg)["connect_args"]
    assert web_engine_options({"DB_CONNECT_TIMEOUT": 3}, "sqlite:///x.db") == {
        "connect_args": {"timeout": 3}}
    engine = make_engine(pg)
    assert engine.pool._pre_ping is True  # a dead pooled connection is replaced, not used
    engine.dispose()


@pytest.mark.skipif(not __import__("os").environ.get("TYM_TEST_DATABASE_URL", "")
                    .startswith("postgresql"), reason="PostgreSQL statement_timeout")
def test_a_runaway_query_is_cancelled_and_answered_with_503(database_url):
    from portal.db import get_session

    app = create_app(dict(test_settings(database_url, DB_STATEMENT_TIMEOUT_MS=300),
                          TESTING=True))

    @app.get("/test-sleep")
    def sleep():
        get_session().execute(text("SELECT pg_sleep(5)"))
        return "slept"

    started = time.monotonic()
    response = app.test_client().get("/test-sleep")
    assert response.status_code == 503
    assert time.monotonic() - started < 3
    app.extensions["tym_db"].bind.dispose()


@pytest.fixture
def replica_url(tmp_path):
    """A separate database standing in for a read replica, whose Helsinki is renamed."""
    url = f"sqlite:///{tmp_path / 'replica.sqlite3'}"
    replica = Database.from_url(url)
    upgrade(replica)
    with replica.transaction(Actor("test:replica")) as session:
        sync_reference(session, read_snapshot())
    with replica.bind.begin() as conn:
        conn.execute(text("UPDATE municipalities SET name_fi = 'Replica-Helsinki' "
                          "WHERE code = '091'"))
    replica.bind.dispose()
    return url


def test_anonymous_reads_use_the_replica_and_signed_in_users_the_primary(
        settings, database, replica_url):
    app = create_app(dict(settings, TESTING=True, DATABASE_REPLICA_URL=replica_url),
                     database=database)
    app.extensions["tym_job_periods"] = _no_schedule
    client = app.test_client()
    assert "Replica-Helsinki" in client.get("/municipalities/091").get_data(as_text=True)
    with client.session_transaction() as session:
        session["uid"], session["sv"] = 999999, 1
    page = client.get("/municipalities/091").get_data(as_text=True)
    assert "Replica-Helsinki" not in page and "Helsinki" in page
    with app.test_request_context("/x", method="POST"):
        assert not reads_from_replica()
    with app.test_request_context("/x", method="GET"):
        assert reads_from_replica()
    ready = client.get("/readyz").get_json()
    assert ready["checks"]["replica"]["ok"] is True
    app.extensions["tym_db_replica"].bind.dispose()


def test_without_a_replica_every_request_reads_the_primary(app):
    with app.test_request_context("/x", method="GET"):
        assert not reads_from_replica()
    assert make_url(app.config["DATABASE_URL"]).get_backend_name() in ("sqlite", "postgresql")


def test_a_session_reused_after_a_lost_connection_is_still_the_503(app, client):
    from sqlalchemy.exc import PendingRollbackError

    @app.get("/test-lost")
    def lost():
        raise PendingRollbackError("Can't reconnect until invalid transaction is rolled back.",
                                   None, None)

    @app.get("/test-bug")
    def bug():
        raise PendingRollbackError("This Session's transaction has been rolled back due to a "
                                   "previous exception during flush.", None, None)

    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/test-lost").status_code == 503
    assert client.get("/test-bug").status_code == 500

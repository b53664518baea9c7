"""Request ids, structured JSON logs, Prometheus metrics (requests by route; jobs by
outcome, also from a separate scheduler process)."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import re
import subprocess
import sys

import pytest
from flask import g
from sqlalchemy import text

from portal import create_app
from portal.ops import logs
from portal.ops.metrics import record_job
from portal.web.auth import web_actor
from tests.conftest import ROOT


@pytest.fixture
def app(settings, database):
    app = create_app(dict(settings, TESTING=True), database=database)
    app.extensions["tym_job_periods"] = lambda _config: None
    return app


def test_every_answer_has_a_request_id(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/no/such/page").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and re.fullmatch(r"[0-9a-f]{32}", second)
    assert first != second


@pytest.mark.parametrize("sent, kept", [
    ("3f2b9c0e6a1d4e5f8a7b6c5d4e3f2a1b", True),  # nginx's $request_id
    ("lb-01:req.42_x", True),
    ("", False), ("x" * 129, False), ("bad id", False), ("<script>", False),
    ("-leading-dash", False)])
def test_a_sane_incoming_request_id_is_kept_anything_else_replaced(client, sent, kept):
    answer = client.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
    assert (answer == sent) is kept
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}", answer)


def test_the_request_id_is_in_g_and_in_the_audit_actor(app):
    with app.test_request_context("/", headers={"X-Request-ID": "audit-42"}):
        app.preprocess_request()
        assert g.request_id == "audit-42"
        assert web_actor().request_id == "audit-42"
        assert logs.current_request_id() == "audit-42"


def test_one_json_access_line_per_request_with_route_and_request_id(boundaries_2025, client,
                                                                     caplog):
    caplog.set_level(logging.INFO, logger="portal.access")
    client.get("/counties/12?on=2025-06-01", headers={"X-Request-ID": "req-1"})
    (record,) = [r for r in caplog.records if r.name == "portal.access"]
    line = json.loads(logs.JsonFormatter().format(record))
    assert line["request_id"] == "req-1"
    assert line["route"] == "/counties/<code>"
    assert line["path"] == "/counties/12"  # the query string is not logged
    assert line["status"] == 200 and line["method"] == "GET"
    assert line["duration_ms"] >= 0
    assert line["level"] == "INFO" and line["logger"] == "portal.access"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["ts"])


def test_paths_carrying_a_token_are_logged_as_their_route(app, caplog):
    app.add_url_rule("/test/invite/<token>", "test_invite", lambda token: "ok")
    caplog.set_level(logging.INFO, logger="portal.access")
    app.test_client().get("/test/invite/s3cr3t-t0ken")
    (record,) = [r for r in caplog.records if r.name == "portal.access"]
    assert "s3cr3t" not in record.getMessage() and "s3cr3t" not in record.path
    assert record.path == "/test/invite/<token>"


def test_json_logs_carry_the_bound_request_id_extras_and_exceptions():
    stream = io.StringIO()
    level = logging.getLogger().level
    handler = logs.configure("INFO", "json", stream=stream)
    try:
        again = logs.configure("INFO", "json", stream=stream)  # idempotent: one handler
        assert [h for h in logging.getLogger().handlers if getattr(h, "_tym_handler", False)
                ] == [again]
        logs.bind_request_id("job:sotkanet")
        log = logging.getLogger("test.observability")
        log.info("loaded %d rows", 3, extra={"job": "sotkanet"})
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("failed")
        log.debug("not shown")
    finally:
        logs.bind_request_id(None)
        logging.getLogger().removeHandler(again)
        logging.getLogger().setLevel(level)
        assert handler not in logging.getLogger().handlers
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "loaded 3 rows" and first["job"] == "sotkanet"
    assert first["request_id"] == "job:sotkanet"
    assert second["level"] == "ERROR" and "ValueError: boom" in second["exc"]


def test_text_logs_for_development():
    stream = io.StringIO()
    level = logging.getLogger().level
    handler = logs.configure("WARNING", "text", stream=stream)
    try:
        logging.getLogger("test.observability").warning("careful")
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)
    assert re.search(r" WARNING test\.observability \[None\] careful$", stream.getvalue().strip())


def _samples(client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def _value(exposition: str, name: str, **labels) -> float:
    for line in exposition.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_request_latency_is_counted_by_route_template_and_status(client):
    name = "tym_http_request_duration_seconds_count"
    before = _samples(client)
    client.get("/counties/12")
    client.get("/counties/07")
    client.get("/definitely/not/here")
    after = _samples(client)
    assert _value(after, name, route="/counties/<code>", status="200") == \
        _value(before, name, route="/counties/<code>", status="200") + 2
    assert _value(after, name, route="<unmatched>", status="404") == \
        _value(before, name, route="<unmatched>", status="404") + 1
    assert 'route="/definitely/not/here"' not in after  # unknown URLs add no label values
    assert "tym_http_request_duration_seconds_bucket" in after


def test_job_durations_and_outcomes(client):
    before = _samples(client)
    record_job("test-job", 2.5, "succeeded")
    record_job("test-job", 0.5, "failed")
    after = _samples(client)
    for outcome in ("succeeded", "failed"):
        assert _value(after, "tym_job_runs_total", job="test-job", outcome=outcome) == \
            _value(before, "tym_job_runs_total", job="test-job", outcome=outcome) + 1
        assert _value(after, "tym_job_duration_seconds_count", job="test-job",
                      outcome=outcome) >= 1
    with pytest.raises(ValueError, match="outcome must be one of"):
        record_job("test-job", 1.0, "exploded")


def test_job_freshness_comes_from_the_job_run_table(client, connection):
    finished = dt.datetime(2026, 11, 20, 6, 0, 30, tzinfo=dt.UTC)
    connection.execute(text(
        "INSERT INTO etl_runs (job_id, trigger, actor, started_at, finished_at, status, "
        "rows_read, rows_accepted, rows_rejected, rows_changed, source, source_version, "
        "message) VALUES ('metrics-job', 'schedule', 'job:metrics-job', :started, :finished, "
        "'succeeded', 0, 0, 0, 0, '', '', '')"),
        {"started": finished - dt.timedelta(seconds=30), "finished": finished})
    exposition = _samples(client)
    assert _value(exposition, "tym_job_last_success_timestamp_seconds",
                  job="metrics-job") == finished.timestamp()
    assert _value(exposition, "tym_job_last_run_duration_seconds", job="metrics-job") == 30.0
    assert 'tym_job_last_run_failed{job="metrics-job"} 0.0' in exposition


def test_metrics_can_be_switched_off(settings, database):
    app = create_app(dict(settings, TESTING=True, METRICS_ENABLED=False), database=database)
    assert app.test_client().get("/metrics").status_code == 404


SCRIPT = """
import sys
from portal.ops import metrics
kind = sys.argv[1]
if kind == "web":
    metrics.observe_request("GET", "/counties/<code>", 200, 0.02)
elif kind == "scheduler":
    metrics.record_job("sotkanet", 42.0, "succeeded")
else:
    body, _ = metrics.exposition([], job_metrics_dir=sys.argv[2])
    sys.stdout.write(body.decode())
"""


def test_a_separate_scheduler_process_s_jobs_show_in_the_web_s_metrics(tmp_path):
    """Multiprocess mode as deployed: two web workers and the scheduler, each with its
    own directory; the web's /metrics adds them up."""
    web, scheduler = tmp_path / "web", tmp_path / "scheduler"
    web.mkdir()
    scheduler.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMETHEUS_")}

    def run(kind: str, directory, *args: str) -> str:
        done = subprocess.run([sys.executable, "-c", SCRIPT, kind, *args], cwd=ROOT,
                              env=dict(env, PROMETHEUS_MULTIPROC_DIR=str(directory)),
                              capture_output=True, text=True, check=True)
        return done.stdout

    run("web", web)
    run("web", web)  # a second worker
    run("scheduler", scheduler)
    exposition = run("scrape", web, str(scheduler))
    assert _value(exposition, "tym_http_request_duration_seconds_count",
                  route="/counties/<code>") == 2.0
    assert _value(exposition, "tym_job_runs_total", job="sotkanet",
                  outcome="succeeded") == 1.0
    assert _value(exposition, "tym_job_duration_seconds_sum", job="sotkanet") == 42.0
    # the scheduler stopped (systemd removed its directory): the web still answers
    for name in scheduler.iterdir():
        name.unlink()
    scheduler.rmdir()
    assert "tym_job_runs_total" not in run("scrape", web, str(scheduler)).replace(
        "# HELP tym_job_runs_total", "").replace("# TYPE tym_job_runs_total", "")

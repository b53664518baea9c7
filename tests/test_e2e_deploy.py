"""End to end, from the deploy/ files: nginx + gunicorn (2 workers) + a fresh PostgreSQL
database + ``tym scheduler`` on loopback. The scheduler runs a job, the map is served
through nginx (to headless Chromium too) with its security headers, caching, request ids
and metrics. Runs in the PostgreSQL pass (``TYM_TEST_DATABASE_URL=postgresql...``)."""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, text

from portal.web.security import default_policy
from tests.conftest import STATFI_2025
from tests.stack import (
    create_database,
    http_get,
    portal_env,
    start_gunicorn,
    start_nginx,
    start_scheduler,
    tym,
    wait_until,
)

pytestmark = pytest.mark.e2e
BASE_URL = os.environ.get("TYM_TEST_DATABASE_URL", "")
SCHEDULE = """
[[jobs]]
id = "e2e-inbox"
job = "client_volumes_inbox"
description = "client-volume inbox, every two seconds (end-to-end test)"
trigger = { type = "interval", seconds = 2 }
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not BASE_URL.startswith("postgresql"):
        pytest.skip("end-to-end runs in the PostgreSQL pass (TYM_TEST_DATABASE_URL)")
    workdir = tmp_path_factory.mktemp("e2e")
    url, drop = create_database(BASE_URL)
    (workdir / "inbox").mkdir()
    (workdir / "schedule.toml").write_text(SCHEDULE)
    env = portal_env(url, workdir, TYM_BOUNDARIES_SOURCE=str(STATFI_2025),
                     TYM_SCHEDULE_FILE=str(workdir / "schedule.toml"),
                     TYM_CLIENT_VOLUME_INBOX=str(workdir / "inbox"))
    processes = []
    try:
        tym(["db", "upgrade"], env)
        tym(["load", "reference"], env)
        tym(["load", "boundaries"], env)
        gunicorn, gunicorn_port = start_gunicorn(env, workdir, workers=2)
        processes.append(gunicorn)
        scheduler = start_scheduler(env, workdir)
        processes.append(scheduler)
        nginx, nginx_port = start_nginx(workdir, [gunicorn_port])
        processes.append(nginx)
        yield SimpleNamespace(url=url, workdir=workdir, gunicorn=gunicorn, scheduler=scheduler,
                              nginx=f"http://127.0.0.1:{nginx_port}",
                              direct=f"http://127.0.0.1:{gunicorn_port}")
    finally:
        for process in reversed(processes):
            process.stop()
        drop()


def get(stack, path, **headers):
    return http_get(stack.nginx + path, headers=headers)


def _directives(policy: str) -> dict[str, str]:
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split("; ")}


def _assert_security_headers(headers):
    policy = headers["Content-Security-Policy"]
    assert policy == default_policy()
    directives = _directives(policy)
    assert directives["script-src"] == "'self'" and "unsafe" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    # exactly one of each: nginx never adds a second copy to the portal's answers
    for name in ("Content-Security-Policy", "Strict-Transport-Security", "X-Frame-Options"):
        assert len(headers.get_all(name)) == 1, name


def _map_urls(stack):
    status, _headers, body = get(stack, "/")
    assert status == 200
    page = body.decode()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    national = next(s for s in scripts if s.startswith("/maps/"))
    script = get(stack, national)[2].decode()
    topology = re.search(r'fetch\("(/geo/2025/topology\.[0-9a-f]{16}\.json)"', script).group(1)
    return page, scripts, styles, national, topology


def test_the_map_page_through_nginx_has_the_security_headers(stack):
    status, headers, body = get(stack, "/", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"  # nginx compresses the page
    page = gzip.decompress(body).decode()
    assert 'id="map_national"' in page
    _assert_security_headers(headers)
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])  # nginx's $request_id


def test_the_map_s_scripts_styles_and_geometry_are_served_and_cached_for_a_year(stack):
    _page, scripts, styles, national, topology = _map_urls(stack)
    static = [u for u in scripts + styles if u.startswith("/static/")]
    assert len(static) >= 4
    for url in static:
        status, headers, _ = get(stack, url)
        assert status == 200, url
        assert re.search(r"\?v=[0-9a-f]{12}$", url), url
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable", url
        _assert_security_headers(headers)  # nginx's own copy for what it serves itself
    status, headers, _ = get(stack, national)
    assert status == 200 and headers["Cache-Control"] == "public, max-age=31536000, immutable"
    first = get(stack, topology, **{"Accept-Encoding": "gzip"})
    second = get(stack, topology, **{"Accept-Encoding": "gzip, deflate, br"})
    for status, headers, body in (first, second):
        assert status == 200
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert headers["Content-Encoding"] == "gzip"
        assert json.loads(gzip.decompress(body))["type"] == "Topology"
        _assert_security_headers(headers)
    assert second[1]["X-Cache-Status"] == "HIT"  # nginx's geometry cache, one variant for gzip
    plain = get(stack, topology)
    assert plain[1].get("Content-Encoding") is None
    assert json.loads(plain[2])["type"] == "Topology"


def test_a_browser_draws_the_map_through_nginx_under_the_csp(stack):
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS, _chromium

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: m.type in ("error", "warning")
                    and problems.append(m.text))
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("response", lambda r: r.status >= 400 and problems.append(
                f"{r.url} {r.status}"))
            page.goto(stack.nginx + "/?lang=en")
            page.wait_for_function(
                "document.querySelectorAll('path.tym-area--county').length >= 20",
                timeout=30000)
            page.hover("path.tym-area--county >> nth=3")
            page.wait_for_selector(".leaflet-tooltip", timeout=5000)
            violations = page.evaluate("""() => new Promise(resolve => {
                const seen = [];
                document.addEventListener('securitypolicyviolation',
                                          e => seen.push(e.violatedDirective));
                document.body.setAttribute('style', 'color: red');  // must be refused
                setTimeout(() => resolve(seen), 300);
            })""")
        finally:
            browser.close()
    assert violations == ["style-src-attr"]  # the policy is enforced, and only the probe broke it
    assert [p for p in problems if "style-src" not in p] == []


def test_request_ids_are_kept_echoed_and_logged_as_json(stack):
    status, headers, _ = get(stack, "/counties/12", **{"X-Request-ID": "e2e-req-0001"})
    assert status == 200 and headers["X-Request-ID"] == "e2e-req-0001"

    def logged():
        for line in stack.gunicorn.output().splitlines():
            if '"e2e-req-0001"' in line:
                return json.loads(line)
        return None

    entry = wait_until(logged, 10, "the access line")
    assert entry["route"] == "/counties/<code>" and entry["status"] == 200
    assert entry["remote_addr"] == "127.0.0.1"  # from X-Forwarded-For (TYM_TRUSTED_PROXIES=1)
    assert entry["logger"] == "portal.access"
    # nginx writes its line after the answer has gone out: wait for it too
    nginx_log = stack.workdir / "nginx" / "access.log"
    wait_until(lambda: '"request_id":"e2e-req-0001"' in nginx_log.read_text(), 10,
               "nginx's access line with the request id")


def test_the_scheduler_runs_the_job_and_readyz_says_so(stack):
    engine = create_engine(stack.url)

    def succeeded() -> int:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT COUNT(*) FROM etl_runs WHERE job_id = 'e2e-inbox' "
                "AND status = 'succeeded' AND trigger = 'schedule'")).scalar_one()

    try:
        wait_until(succeeded, 60, "a scheduled run of e2e-inbox")
    except TimeoutError:
        pytest.fail("the scheduler ran no job:\n" + stack.scheduler.output()[-3000:])
    finally:
        engine.dispose()
    status, _headers, body = get(stack, "/readyz")
    ready = json.loads(body)
    assert status == 200, ready
    assert ready["checks"]["jobs"]["checked"] is True
    assert ready["checks"]["jobs"]["jobs"]["e2e-inbox"]["ok"] is True
    assert ready["checks"]["migrations"]["ok"] and ready["checks"]["database"]["ok"]
    # the scheduler's log is JSON, with its run's id and outcome
    runs = [json.loads(line) for line in stack.scheduler.output().splitlines()
            if line.startswith("{") and '"job": "e2e-inbox"' in line]
    assert runs and runs[-1]["status"] == "succeeded", stack.scheduler.output()[-2000:]
    assert runs[-1]["request_id"].startswith("job:e2e-inbox:")
    # health checks do not fill the web log with alembic's chatter
    assert '"logger": "alembic.runtime' not in stack.gunicorn.output()


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def test_metrics_add_up_both_workers_and_the_jobs(stack):
    workers = _children(stack.gunicorn.popen.pid)
    assert len(workers) == 2, workers
    # Make each worker answer in turn: with the other one stopped, only it can accept.
    for serving in workers:
        others = [w for w in workers if w != serving]
        for w in others:
            os.kill(w, signal.SIGSTOP)
        try:
            for _ in range(20):
                assert http_get(stack.direct + "/healthz")[0] == 200
        finally:
            for w in others:
                os.kill(w, signal.SIGCONT)
    files = {p.name for p in (stack.workdir / "web-metrics").glob("histogram_*.db")}
    assert {f"histogram_{w}.db" for w in workers} <= files, files
    status, headers, body = get(stack, "/metrics")  # from 127.0.0.1: allowed by nginx
    assert status == 200
    exposition = body.decode()
    count = sum(float(line.rsplit(" ", 1)[1]) for line in exposition.splitlines()
                if line.startswith('tym_http_request_duration_seconds_count{method="GET",'
                                   'route="/healthz"'))
    assert count >= 40  # two workers wrote; one scrape saw them all
    assert 'tym_job_last_success_timestamp_seconds{job="e2e-inbox"}' in exposition
    # the scheduler process counted its run and its duration in its own directory
    assert 'tym_job_runs_total{job="e2e-inbox",outcome="succeeded"}' in exposition
    assert 'tym_job_duration_seconds_count{job="e2e-inbox",outcome="succeeded"}' in exposition


def test_when_gunicorn_is_down_nginx_answers_its_page_and_still_serves_the_map_data(stack):
    _page, _scripts, _styles, _national, topology = _map_urls(stack)
    get(stack, topology)  # in nginx's cache
    stack.gunicorn.stop()
    time.sleep(0.5)
    status, headers, body = get(stack, "/counties/12")
    assert status == 502
    assert "Palvelu ei ole juuri nyt käytettävissä" in body.decode()
    _assert_security_headers(headers)
    assert headers["Retry-After"] == "30"
    cached = get(stack, topology)
    assert cached[0] == 200 and json.loads(cached[2])["type"] == "Topology"
    with_static = get(stack, "/static/css/portal.css")
    assert with_static[0] == 200
    assert Path(stack.workdir / "nginx" / "error.log").exists()

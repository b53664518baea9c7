"""Fault test: PostgreSQL stops under load and starts again. Requests get 503s (never a
500, never a hang past the connect timeout), and the portal recovers by itself, without a
restart. The database is an own cluster (initdb into a temporary directory, own port), so
stopping it disturbs no one else. Runs in the PostgreSQL pass."""

from __future__ import annotations

import collections
import json
import os
import threading
import time
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text

from tests.stack import Cluster, http_get, portal_env, start_gunicorn, tym, wait_until

pytestmark = pytest.mark.e2e
CONNECT_TIMEOUT = 2
# Pages and answers that read the database, and one that does not.
URLS = ("/counties/12", "/municipalities/091", "/employment-areas/kerava-sipoo",
        "/readyz?skip=jobs", "/healthz")


@dataclass(frozen=True)
class Answer:
    at: float
    url: str
    status: int  # 0: no HTTP answer at all
    seconds: float
    body: bytes


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    if not os.environ.get("TYM_TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("the fault test runs in the PostgreSQL pass")
    workdir = tmp_path_factory.mktemp("fault")
    cluster = Cluster.create()
    gunicorn = None
    try:
        cluster.start()
        admin = create_engine(cluster.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE tym"))
        admin.dispose()
        url = cluster.url.rsplit("/", 1)[0] + "/tym"
        env = portal_env(url, workdir, TYM_DB_CONNECT_TIMEOUT=str(CONNECT_TIMEOUT),
                         TYM_DB_STATEMENT_TIMEOUT_MS="5000")
        tym(["db", "upgrade"], env)
        tym(["load", "reference"], env)
        gunicorn, port = start_gunicorn(env, workdir, workers=2)
        yield cluster, gunicorn, f"http://127.0.0.1:{port}"
    finally:
        if gunicorn is not None:
            gunicorn.stop()
        cluster.remove()


class Load:
    """Four clients requesting URLS round-robin until stopped (bounded: at most 5 min)."""

    def __init__(self, base: str, clients: int = 4):
        self.base, self.answers, self.stop = base, [], threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True)
                        for i in range(clients)]
        self.started = time.monotonic()

    def _run(self, offset: int) -> None:
        i = offset
        while not self.stop.is_set() and time.monotonic() - self.started < 300:
            url = URLS[i % len(URLS)]
            i += 1
            begun = time.monotonic()
            try:
                status, _headers, body = http_get(self.base + url, timeout=20)
            except OSError as exc:
                status, body = 0, str(exc).encode()
            self.answers.append(Answer(begun, url, status, time.monotonic() - begun, body))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(30)


def _statuses(answers) -> collections.Counter:
    return collections.Counter(a.status for a in answers)


def test_postgresql_stops_under_load_503s_then_recovery_without_a_restart(portal):
    cluster, gunicorn, base = portal
    pid_before = gunicorn.popen.pid
    for url in URLS:  # warm up: every answer once, before the clock starts
        wait_until(lambda url=url: http_get(base + url, timeout=20)[0] == 200, 60, url)
    with Load(base) as load:
        time.sleep(3)
        stopped_at = time.monotonic()
        cluster.stop()  # fast shutdown: sessions are terminated, then the server is gone
        down_at = time.monotonic()
        time.sleep(6)
        started_at = time.monotonic()
        cluster.start()
        recovered_at = wait_until(
            lambda: (len([a for a in load.answers if a.at > time.monotonic() - 1.5
                          and a.status == 200 and a.url != "/healthz"]) >= 4
                     and time.monotonic()),
            30, "pages answered again")
        time.sleep(2)
    answers = load.answers
    before = [a for a in answers if a.at + a.seconds < stopped_at]
    during = [a for a in answers if down_at < a.at and a.at + a.seconds < started_at]
    after = [a for a in answers if a.at > recovered_at]
    odd = [(round(a.at - stopped_at, 2), a.url, a.status, round(a.seconds, 2), a.body[:300])
           for a in before + after if a.status != 200]
    failures = [(round(a.at - stopped_at, 2), a.url, a.status, a.body[:200])
                for a in answers if a.status not in (200, 503)]
    log = gunicorn.output()
    trace = sorted({json.loads(line)["exc"].strip().splitlines()[-1] for line in
                    log.splitlines() if line.startswith("{") and '"exc"' in line})
    report = (f"before {_statuses(before)}, during {_statuses(during)}, after "
              f"{_statuses(after)}; not 200 outside the outage: {odd[:5]}; "
              f"neither 200 nor 503: {failures[:5]}\n{trace}")

    assert _statuses(before) == {200: len(before)}, report
    assert len(before) > 10 and len(during) > 10 and len(after) > 10, report
    # never a 500, never a dropped connection
    assert {a.status for a in answers} <= {200, 503}, report
    # during the outage the database pages say 503; the liveness probe still answers
    assert {a.status for a in during if a.url != "/healthz"} == {503}, report
    assert {a.status for a in during if a.url == "/healthz"} == {200}, report
    # no hang beyond the connect timeout
    slowest = max(a.seconds for a in during)
    assert slowest < CONNECT_TIMEOUT + 2, (slowest, report)
    # clear answers: a page for people, JSON for programs, no trace
    page = next(a for a in during if a.url == "/counties/12")
    assert b"<h1>" in page.body and b"Traceback" not in page.body
    ready = next(a for a in during if a.url.startswith("/readyz"))
    assert json.loads(ready.body)["checks"]["database"]["ok"] is False
    # recovered by itself: the same gunicorn, everything 200 again within seconds
    assert recovered_at - started_at < 15, report
    assert _statuses(after) == {200: len(after)}, report
    assert gunicorn.popen.pid == pid_before and gunicorn.popen.poll() is None
    assert "Traceback" not in log, report
    print(f"fault test: {report.split(';')[0]}; slowest answer during the outage "
          f"{slowest:.2f} s; recovered {recovered_at - started_at:.1f} s after the start")
    assert '"logger": "portal.outage"' in log

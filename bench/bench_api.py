"""Benchmark the open-data API next to Datasette serving the same data.

Builds a SQLite portal database (migrations, reference snapshot, the demo registry with
its synthetic statistics and client volumes), serves it with gunicorn on loopback, and
exports the portal's public indicator table into a second SQLite file that Datasette
serves (installed only in a throwaway virtualenv under bench/out/, never in the
project's dependencies). Then, in the same run, against both:

- JSON API: a bounded number of requests for one indicator's values (one level and
  month, 100 rows a page), over keep-alive connections from a few client threads, in
  rounds alternating between the two servers; requests/s and median latency;
- full CSV export of the whole indicator table (about 38,000 rows): seconds, median of a
  few runs.

Prints a table and whether the portal is at least as fast as Datasette. Asserts nothing.

Usage: .venv/bin/python bench/bench_api.py [--requests 1500] [--threads 8] [--csv-runs 3]
"""

from __future__ import annotations

import argparse
import csv
import http.client
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import venv
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
DATASETTE_VENV = OUT / "venv-datasette"
INDICATOR = "clients-per-1000-long-term-unemployed"
MONTH = "2026-10"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_portal_database(path: Path) -> str:
    sys.path.insert(0, str(ROOT))
    from portal.db import Database
    from portal.migrations.runner import upgrade
    from portal.registry.audit.recorder import Actor
    from portal.registry.demo import load_demo
    from portal.registry.geography.reference import read_snapshot, sync_reference

    if path.exists():
        path.unlink()
    url = f"sqlite:///{path}"
    database = Database.from_url(url)
    upgrade(database)
    with database.transaction(Actor("bench:api")) as session:
        sync_reference(session, read_snapshot())
        load_demo(session)
    database.bind.dispose()
    return url


def ensure_datasette() -> Path:
    executable = DATASETTE_VENV / "bin" / "datasette"
    if not executable.exists():
        print("creating bench/out/venv-datasette and installing datasette ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(DATASETTE_VENV)
        subprocess.run([str(DATASETTE_VENV / "bin" / "pip"), "install", "-q", "datasette"],
                       check=True)
    return executable


def wait_until_up(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"nothing answers on port {port}")


def fetch(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def load(port: int, path: str, requests: int, threads: int) -> dict:
    """``requests`` GETs of ``path`` from ``threads`` keep-alive connections."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        while True:
            with lock:
                if next(counter, None) is None:
                    break
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                ok = False
            mine.append(time.perf_counter() - started)
            if not ok:
                with lock:
                    errors += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "errors": errors, "seconds": elapsed,
            "rps": len(latencies) / elapsed,
            "median_ms": 1000 * statistics.median(latencies)}


def _total(parts: list[dict]) -> dict:
    requests = sum(p["requests"] for p in parts)
    seconds = sum(p["seconds"] for p in parts)
    return {"requests": requests, "errors": sum(p["errors"] for p in parts),
            "seconds": seconds, "rps": requests / seconds,
            "median_ms": statistics.median(p["median_ms"] for p in parts)}


def csv_time(port: int, path: str, runs: int) -> tuple[float, int, int]:
    times, size, rows = [], 0, 0
    for _ in range(runs):
        started = time.perf_counter()
        status, body = fetch(port, path)
        times.append(time.perf_counter() - started)
        assert status == 200, (status, body[:200])
        size, rows = len(body), body.count(b"\n") - 1
    return statistics.median(times), size, rows


def export_for_datasette(portal_port: int, path: Path) -> int:
    """The portal's public indicator table, as served, into SQLite for Datasette."""
    status, body = fetch(portal_port, "/downloads/indicator-values.csv")
    assert status == 200
    reader = csv.reader(body.decode("utf-8").splitlines())
    header = next(reader)
    if path.exists():
        path.unlink()
    db = sqlite3.connect(path)
    columns = ", ".join(f'"{c}"' for c in header)
    db.execute(f"CREATE TABLE indicator_values ({columns})")
    rows = [[None if v == "" else v for v in row] for row in reader]
    db.executemany(f"INSERT INTO indicator_values VALUES ({', '.join('?' * len(header))})",
                   rows)
    db.execute("CREATE INDEX ix_values ON indicator_values (indicator, level, period)")
    db.commit()
    db.close()
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--csv-runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    print("building the portal database (demo registry, synthetic statistics) ...",
          flush=True)
    url = build_portal_database(OUT / "portal.sqlite3")
    datasette = ensure_datasette()

    portal_port, datasette_port = free_port(), free_port()
    env = dict(os.environ, TYM_DATABASE_URL=url, TYM_LOG_LEVEL="WARNING",
               TYM_COOKIE_SECURE="false", TYM_METRICS_ENABLED="false")
    portal = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(args.workers),
         "--worker-class", "gthread", "--threads", "4", "--bind",
         f"127.0.0.1:{portal_port}", "--log-level", "warning", "portal:create_app()"],
        cwd=ROOT, env=env)
    processes = [portal]
    try:
        wait_until_up(portal_port, "/healthz")
        started = time.perf_counter()
        rows = export_for_datasette(portal_port, OUT / "indicators.db")
        cold = time.perf_counter() - started
        ds = subprocess.Popen([str(datasette), "serve", str(OUT / "indicators.db"),
                               "--host", "127.0.0.1", "--port", str(datasette_port),
                               "--setting", "max_returned_rows", "1000",
                               "--setting", "suggest_facets", "off"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(ds)
        wait_until_up(datasette_port, "/")

        query = {"level": "network", "period": MONTH, "_size": "100"}
        portal_json = f"/api/v1/indicators/{INDICATOR}/values?{urlencode(query)}"
        ds_json = ("/indicators/indicator_values.json?" + urlencode(
            {"indicator": INDICATOR, **query, "_shape": "objects"}))
        portal_csv = "/downloads/indicator-values.csv"
        ds_csv = "/indicators/indicator_values.csv?_stream=on&_size=max"
        for port, path in ((portal_port, portal_json), (datasette_port, ds_json),
                           (portal_port, portal_csv), (datasette_port, ds_csv)):
            status, _ = fetch(port, path)  # warm every worker's cache a little
            assert status == 200, (port, path, status)
        for _ in range(args.workers * 2):
            fetch(portal_port, portal_json)
            fetch(portal_port, portal_csv)

        # Alternate rounds, so both servers meet the same background load on a shared
        # machine; the totals are summed per server.
        results = {"portal": [], "datasette": []}
        rounds = 5
        for _ in range(rounds):
            for name, port, path in (("portal", portal_port, portal_json),
                                     ("datasette", datasette_port, ds_json)):
                results[name].append(load(port, path, args.requests // rounds, args.threads))
        results = {name: _total(parts) for name, parts in results.items()}
        timings = {"portal": [], "datasette": []}
        for _ in range(args.csv_runs):
            timings["portal"].append(csv_time(portal_port, portal_csv, 1))
            timings["datasette"].append(csv_time(datasette_port, ds_csv, 1))
        exports = {name: (statistics.median(t[0] for t in runs), runs[-1][1], runs[-1][2])
                   for name, runs in timings.items()}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    print()
    print(f"data: {rows} indicator rows; portal's first full computation and export "
          f"{cold:.1f} s (cold, then cached per data version)")
    print(f"JSON API: {args.requests} requests x 100 rows, {args.threads} client threads, "
          f"keep-alive; portal gunicorn {args.workers} workers x 4 threads, "
          "Datasette (uvicorn, facet suggestions off); 5 alternating rounds")
    print(f"{'':12} {'req/s':>9} {'median ms':>10} {'errors':>7} | {'full CSV s':>10} "
          f"{'MB':>6} {'rows':>7}")
    for name in ("portal", "datasette"):
        r, (seconds, size, lines) = results[name], exports[name]
        print(f"{name:12} {r['rps']:9.0f} {r['median_ms']:10.1f} {r['errors']:7d} | "
              f"{seconds:10.2f} {size / 1e6:6.1f} {lines:7d}")
    faster_json = results["portal"]["rps"] >= results["datasette"]["rps"]
    faster_csv = exports["portal"][0] <= exports["datasette"][0]
    print(f"target (at least equal to Datasette): JSON {'met' if faster_json else 'NOT met'}, "
          f"full CSV {'met' if faster_csv else 'NOT met'}")
    if shutil.which("nproc"):
        print(f"machine: {os.cpu_count()} CPUs; client and both servers share them")


if __name__ == "__main__":
    main()

"""Benchmark the StatFin load: a synthetic 12r5-shaped table (10 years x 12 months x 308
municipalities x 20 measures = 739,200 values) served as PxWeb JSON-stat2 from a local
HTTP server, loaded by the real job, next to a baseline in the same run.

* ours: ``tym etl run``'s path (``etl.runs.execute`` + ``etl.jobs.statfin.run``): GET
  ``?config`` and the metadata, the POSTs the value limit needs, parse, check every cell
  against the reference geography, sync into ``statistic_values`` in one transaction,
  record the run. Then the same load again (nothing changes), and aggregation on read
  (to employment areas, networks of the demo registry, counties and the nation).
* baseline: the same POSTs, each JSON-stat2 answer read into a pandas DataFrame, written
  with ``DataFrame.to_sql`` into a fresh database.

Each load runs in its own subprocess against a fresh database (migrated, reference
snapshot loaded: not timed); its peak memory is the subprocess's maximum resident set
size. Prints, without asserting anything, whether the targets are met: under 30 s, under
1 GB, at most 2x the baseline.

Usage: .venv/bin/python bench/bench_etl.py [--database-url URL] [--max-values 100000]
(default: a fresh SQLite file per load; with a PostgreSQL URL each load gets a fresh
database beside it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
API = "/PxWeb/api/v1/fi"
TABLE = "StatFin/tyonv/12r5.px"
YEARS = range(2016, 2026)  # the 2025 municipal division, as StatFin restates history
MEASURES = [f"MITTARI{i:02d}" for i in range(1, 21)]
TARGETS = {"seconds": 30.0, "peak_bytes": 1024 ** 3, "ratio": 2.0}


# --- the synthetic table and its server --------------------------------------------------

class Table:
    def __init__(self, municipalities: list[str]):
        self.areas = [f"KU{code}" for code in municipalities]
        self.months = [f"{y}M{m:02d}" for y in YEARS for m in range(1, 13)]
        self.measures = MEASURES
        rng = np.random.default_rng(12)
        self.values = rng.integers(0, 50_000, size=(len(self.areas), len(self.months),
                                                    len(self.measures))).astype(float)
        self._cache: dict[bytes, bytes] = {}

    @property
    def cells(self) -> int:
        return self.values.size

    def metadata(self) -> bytes:
        return json.dumps({"title": "Synthetic 12r5", "variables": [
            {"code": "Alue", "text": "Alue", "values": self.areas, "valueTexts": self.areas},
            {"code": "Kuukausi", "text": "Kuukausi", "values": self.months,
             "valueTexts": self.months, "time": True},
            {"code": "Tiedot", "text": "Tiedot", "values": self.measures,
             "valueTexts": self.measures}]}).encode()

    def answer(self, body: bytes) -> bytes:
        if body not in self._cache:
            query = {q["code"]: q["selection"]["values"] for q in json.loads(body)["query"]}
            axes = [(code, query[code], full) for code, full in (
                ("Alue", self.areas), ("Kuukausi", self.months), ("Tiedot", self.measures))]
            index = [[full.index(v) for v in chosen] for _c, chosen, full in axes]
            block = self.values[np.ix_(*index)]
            self._cache[body] = json.dumps({
                "version": "2.0", "class": "dataset", "label": "Synthetic 12r5",
                "source": "bench", "updated": "2026-10-28T05:00:00Z",
                "id": [c for c, _v, _f in axes], "size": list(block.shape),
                "dimension": {c: {"label": c, "category": {
                    "index": {v: i for i, v in enumerate(chosen)},
                    "label": {v: v for v in chosen}}} for c, chosen, _f in axes},
                "value": block.ravel().tolist()}, separators=(",", ":")).encode()
        return self._cache[body]


def start_server(table: Table, max_values: int) -> tuple[ThreadingHTTPServer, str]:
    config = json.dumps({"maxValues": max_values, "maxCalls": 30, "timeWindow": 10}).encode()

    class Handler(BaseHTTPRequestHandler):
        def _send(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802
            self._send(config if self.path.endswith("?config") else table.metadata())

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            self._send(table.answer(body))

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{API}"


# --- one load in a subprocess -------------------------------------------------------------

def _fresh_database(base_url: str | None, tmp: str) -> tuple[str, callable]:
    if not base_url:
        return f"sqlite:///{tmp}/bench-{uuid.uuid4().hex[:6]}.sqlite3", lambda: None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"tym_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(base_url).set(database=name).render_as_string(hide_password=False), drop


def prepare(url: str) -> None:
    from portal.db import Database
    from portal.migrations.runner import upgrade
    from portal.registry.audit.recorder import Actor
    from portal.registry.demo import load_demo
    from portal.registry.geography.reference import read_snapshot, sync_reference

    database = Database.from_url(url)
    upgrade(database)
    with database.transaction(Actor("bench")) as session:
        sync_reference(session, read_snapshot())
        load_demo(session)  # networks, for aggregation to networks
    database.bind.dispose()


def child_ours(url: str, api: str) -> dict:
    from etl.jobs import statfin
    from etl.runs import execute
    from portal.db import Database
    from portal.registry.statistics.services import aggregate_values
    from portal.settings import load_settings

    settings = load_settings(environ={}, overrides={"DATABASE_URL": url, "STATFIN_URL": api,
                                                    "HTTP_TIMEOUT": 120.0})
    database = Database.from_url(url)
    kwargs = {"table": TABLE, "measures": MEASURES}
    t0 = time.perf_counter()
    run = execute(database, settings, "bench-12r5", statfin.run, kwargs, trigger="bench")
    t1 = time.perf_counter()
    again = execute(database, settings, "bench-12r5", statfin.run, kwargs, trigger="bench")
    t2 = time.perf_counter()
    aggregation = {}
    with database.transaction() as session:
        for level in ("employment_area", "network", "county", "nation"):
            started = time.perf_counter()
            rows = len(aggregate_values(session, "statfin-tyonv-12r5", level,
                                        measures=MEASURES[:1]))
            aggregation[f"{level}, 1 measure"] = (time.perf_counter() - started, rows)
        started = time.perf_counter()
        rows = len(aggregate_values(session, "statfin-tyonv-12r5", "county"))
        aggregation["county, all 20 measures"] = (time.perf_counter() - started, rows)
    return {"load": t1 - t0, "status": run.status.value, "accepted": run.rows_accepted,
            "changed": run.rows_changed, "message": run.message, "reload": t2 - t1,
            "reload_changed": again.rows_changed, "aggregation": aggregation}


def child_baseline(url: str, api: str) -> dict:
    import pandas as pd
    import requests
    from sqlalchemy import create_engine

    from etl.sources.pxweb import parse_config, plan_queries, query_body

    t0 = time.perf_counter()
    http = requests.Session()
    limits = parse_config(http.get(f"{api}/?config").json())
    meta = http.get(f"{api}/{TABLE}").json()
    selections = {v["code"]: v["values"] for v in meta["variables"]}
    engine = create_engine(url)
    rows = 0
    for query in plan_queries(selections, limits.max_values, ["Kuukausi", "Alue"]):
        doc = http.post(f"{api}/{TABLE}", json=query_body(query)).json()
        index = pd.MultiIndex.from_product(
            [sorted(doc["dimension"][d]["category"]["index"],
                    key=doc["dimension"][d]["category"]["index"].get) for d in doc["id"]],
            names=doc["id"])
        frame = pd.DataFrame({"value": doc["value"]}, index=index).reset_index()
        frame.to_sql("baseline_values", engine, if_exists="append", index=False)
        rows += len(frame)
    engine.dispose()
    return {"load": time.perf_counter() - t0, "rows": rows}


def child(kind: str, url: str, api: str) -> None:
    import resource

    sys.path.insert(0, str(ROOT))
    result = (child_ours if kind == "ours" else child_baseline)(url, api)
    result["peak_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(result))


def run_child(kind: str, base_url: str | None, api: str, tmp: str) -> dict:
    url, drop = _fresh_database(base_url, tmp)
    try:
        if kind == "ours":
            subprocess.run([sys.executable, __file__, "--prepare", url], check=True, cwd=ROOT)
        out = subprocess.run([sys.executable, __file__, "--child", kind, url, api],
                             check=True, cwd=ROOT, capture_output=True, text=True,
                             env=dict(os.environ, PYTHONPATH=str(ROOT))).stdout
        return json.loads(out.strip().splitlines()[-1])
    finally:
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--max-values", type=int, default=100_000)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        child(*args.child)
        return
    if args.prepare:
        prepare(args.prepare)
        return

    from sqlalchemy import select

    from portal.db import Database
    from portal.migrations.runner import upgrade
    from portal.registry.audit.recorder import Actor
    from portal.registry.geography.models import Municipality
    from portal.registry.geography.reference import read_snapshot, sync_reference
    from portal.registry.validity import valid_on

    with tempfile.TemporaryDirectory() as tmp:
        reference = Database.from_url(f"sqlite:///{tmp}/reference.sqlite3")
        upgrade(reference)
        with reference.transaction(Actor("bench")) as session:
            sync_reference(session, read_snapshot())
            codes = list(session.scalars(select(Municipality.code).where(
                valid_on(Municipality, dt.date(2025, 1, 1))).order_by(Municipality.code)))
        reference.bind.dispose()
        table = Table(codes)
        server, api = start_server(table, args.max_values)
        try:
            baseline = run_child("baseline", args.database_url, api, tmp)
            ours = run_child("ours", args.database_url, api, tmp)
        finally:
            server.shutdown()

    backend = "PostgreSQL" if args.database_url else "SQLite (fresh file)"
    print(f"synthetic 12r5: {len(YEARS)} years x 12 months x {len(table.areas)} municipalities "
          f"x {len(MEASURES)} measures = {table.cells:,} values; {backend}; "
          f"PxWeb limit {args.max_values:,} values per request")
    print(f"ours:     load {ours['load']:6.2f} s   peak {ours['peak_bytes'] / 2**20:7.0f} MiB   "
          f"({ours['status']}, {ours['accepted']:,} values stored, {ours['changed']:,} changed)")
    print(f"          {ours['message']}")
    print(f"          same input again: {ours['reload']:.2f} s, {ours['reload_changed']} changed")
    for level, (seconds, rows) in ours["aggregation"].items():
        print(f"          aggregate to {level:25} {seconds:5.2f} s ({rows:,} rows)")
    print(f"baseline: load {baseline['load']:6.2f} s   peak "
          f"{baseline['peak_bytes'] / 2**20:7.0f} MiB   (JSON-stat2 -> pandas -> to_sql, "
          f"{baseline['rows']:,} rows)")
    ratio = ours["load"] / baseline["load"]
    print()
    print("targets:")
    print(f"  load < 30 s:            {ours['load']:.2f} s "
          f"({'met' if ours['load'] < TARGETS['seconds'] else 'NOT met'})")
    print(f"  peak memory < 1 GB:     {ours['peak_bytes'] / 2**20:.0f} MiB "
          f"({'met' if ours['peak_bytes'] < TARGETS['peak_bytes'] else 'NOT met'})")
    print(f"  at most 2x baseline:    {ratio:.2f}x "
          f"({'met' if ratio <= TARGETS['ratio'] else 'NOT met'})")


if __name__ == "__main__":
    main()

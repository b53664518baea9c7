"""Load benchmark of the production stack on loopback: wrk against nginx + gunicorn.

    .venv/bin/python bench/bench_load.py [--duration 10] [--connections 16] [--gzip]

Builds the stack from deploy/ exactly as the end-to-end test does (tests/stack.py): a
fresh PostgreSQL database (TYM_TEST_DATABASE_URL's server, default 127.0.0.1:5432) with
the reference data and the 2025 boundaries, gunicorn with deploy/gunicorn.conf.py
(2 workers x 4 threads), nginx with deploy/nginx/*.conf. For each target it measures
requests/s and p50/p99 latency through nginx, straight from gunicorn, and - in the same
run, as the machine's limit - nginx serving a static file with exactly the same bytes.
It prints a table and the ratios; nothing is asserted. Requires wrk (Debian package).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.stack import (  # noqa: E402 - the checkout's own helpers
    create_database,
    http_get,
    portal_env,
    start_gunicorn,
    start_nginx,
    tym,
)

STATFI_2025 = ROOT.parent / "shared" / "geodata" / "statfi_2025" / "kunta4500k_2025.geojson"
OPTIONAL = {  # measured when the running code has them (indicator pages, JSON API)
    "indicator page": "/indicators/",
    "JSON API (areas)": "/api/v1/areas",
}
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, args, headers: dict) -> dict:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
               "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", out, re.M))
    if "50" not in latency or "99" not in latency:
        raise RuntimeError(f"unexpected wrk output for {url}:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)$", out, re.M)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": _ms(latency["50"]), "p99_ms": _ms(latency["99"]),
            "non_2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else ""}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--gzip", action="store_true", help="send Accept-Encoding: gzip")
    parser.add_argument("--database", default=os.environ.get(
        "TYM_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench_load: wrk is not installed (apt-get install wrk)")

    workdir = Path(tempfile.mkdtemp(prefix="tym-bench-load-"))
    url, drop = create_database(args.database)
    processes = []
    try:
        env = portal_env(url, workdir, TYM_BOUNDARIES_SOURCE=str(STATFI_2025))
        started = time.monotonic()
        for command in (["db", "upgrade"], ["load", "reference"], ["load", "boundaries"]):
            tym(command, env)
        try:
            tym(["demo"], env)
        except RuntimeError as exc:
            print(f"(demo registry not loaded: {str(exc).splitlines()[0]})")
        print(f"database ready in {time.monotonic() - started:.0f} s")
        gunicorn, gunicorn_port = start_gunicorn(env, workdir, workers=args.workers)
        processes.append(gunicorn)
        static_dir = workdir / "bench-static"
        static_dir.mkdir()
        nginx, nginx_port = start_nginx(
            workdir, [gunicorn_port],
            extra=f"location /bench-static/ {{ alias {static_dir}/; access_log off; }}")
        processes.append(nginx)
        via_nginx = f"http://127.0.0.1:{nginx_port}"
        direct = f"http://127.0.0.1:{gunicorn_port}"
        headers = {"Accept-Encoding": "gzip"} if args.gzip else {}

        page = http_get(via_nginx + "/")[2].decode()
        national = re.search(r'<script src="(/maps/[^"]+)"', page).group(1)
        script = http_get(via_nginx + national)[2].decode()
        topology = re.search(r'fetch\("(/geo/\d+/topology\.[0-9a-f]+\.json)"', script).group(1)
        targets = {"map page": "/", "topology (hashed URL)": topology,
                   "area page": "/counties/12",
                   "area GeoJSON (JSON)": "/geo/2025/counties/12.geojson"}
        for name, path in OPTIONAL.items():
            if http_get(via_nginx + path)[0] == 200:
                targets[name] = path
            else:
                print(f"({name} {path}: not available in this build, skipped)")

        results = []
        for name, path in targets.items():
            status, answer_headers, body = http_get(via_nginx + path, headers=headers)
            assert status == 200, (path, status)
            static = static_dir / f"{len(results)}.bin"
            static.write_bytes(body)  # the same bytes (already gzipped when asked)
            for url_ in (via_nginx + path, direct + path, via_nginx + "/bench-static/x"):
                http_get(url_.replace("/bench-static/x", f"/bench-static/{static.name}"),
                         headers=headers)  # warm caches
            row = {"target": name, "path": path, "bytes": len(body),
                   "encoding": answer_headers.get("Content-Encoding") or "identity",
                   "nginx": wrk(via_nginx + path, args, headers),
                   "gunicorn": wrk(direct + path, args, headers),
                   "static": wrk(f"{via_nginx}/bench-static/{static.name}", args, {})}
            results.append(row)
            print(f"measured {name}")
    finally:
        for process in reversed(processes):
            process.stop()
        drop()
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"\nwrk -t{args.threads} -c{args.connections} -d{args.duration}s, gunicorn "
          f"{args.workers} workers x 4 threads, nginx 1 worker, {os.cpu_count()} cores, "
          f"{'gzip' if args.gzip else 'no compression'}")
    print(f"{'target':<24}{'bytes':>9}  {'via':<9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'non-2xx':>9}  vs static")
    for row in results:
        for via in ("nginx", "gunicorn", "static"):
            m = row[via]
            ratio = m["rps"] / row["static"]["rps"] if row["static"]["rps"] else 0
            label = row["target"] if via == "nginx" else ""
            size = f"{row['bytes']:,}" if via == "nginx" else ""
            print(f"{label:<24}{size:>9}  {via:<9}{m['rps']:>9.0f}{m['p50_ms']:>9.2f}"
                  f"{m['p99_ms']:>9.2f}{m['non_2xx']:>9}  {ratio:>8.2f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

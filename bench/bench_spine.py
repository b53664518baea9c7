"""Benchmark the spine: reference data + boundaries into a fresh SQLite database.

Prints, without asserting anything:
- seconds to load the reference snapshot and the boundaries (median of --runs runs,
  each into a new SQLite file; schema creation is timed separately);
- bytes the national map downloads per layer, raw and gzip: the whole topology, each
  object alone (a topology holding just that object and its arcs), and as a baseline
  the same simplified layer as plain GeoJSON;
- the largest simplification error (Hausdorff distance, metres) per layer.

Usage: .venv/bin/python bench/bench_spine.py [--runs 5] [--source PATH] [--year 2025]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "geodata" / "statfi_2025" / "kunta4500k_2025.geojson"
TARGETS = {"gzip_total_bytes": 100 * 1024, "max_error_m": 1000.0, "load_seconds": 10.0}


def _one_run(source: str, year: int) -> tuple[dict[str, float], str]:
    from portal.db import Database
    from portal.migrations.runner import upgrade
    from portal.registry.audit.recorder import Actor
    from portal.registry.geography.boundaries import get_boundary_set, load_boundaries_into
    from portal.registry.geography.loading import load_reference_data
    from portal.settings import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        settings = load_settings(environ={}, overrides={"DATABASE_URL": url})
        database = Database.from_url(url)
        t0 = time.perf_counter()
        upgrade(database)
        t1 = time.perf_counter()
        load_reference_data(database, settings, "snapshot", actor=Actor("bench"))
        t2 = time.perf_counter()
        load_boundaries_into(database, settings, source=source, year=year, actor=Actor("bench"))
        t3 = time.perf_counter()
        with database.transaction() as session:
            boundary_set = get_boundary_set(session, year)
            topology, stats = boundary_set.topology, boundary_set.stats
        database.bind.dispose()
    timings = {"schema": t1 - t0, "reference": t2 - t1, "boundaries": t3 - t2,
               "load": t3 - t1}
    return timings, json.dumps({"topology": topology, "stats": stats})


def _kb(n: int) -> str:
    return f"{n / 1024:7.1f} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", default=str(DEFAULT_SOURCE))
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))  # run as a plain script from anywhere

    started = time.perf_counter()
    import portal.registry.geography.boundaries  # noqa: F401  (import cost, reported apart)
    imports = time.perf_counter() - started

    runs = []
    for _ in range(args.runs):
        timings, stored = _one_run(args.source, args.year)
        runs.append(timings)
    stored = json.loads(stored)

    from geodata.topology import dumps, feature_collection, sizes, subset

    print(f"source: {args.source} (year {args.year}), {args.runs} runs, fresh SQLite each")
    print(f"imports (once per process): {imports:.2f} s")
    for part in ("schema", "reference", "boundaries", "load"):
        values = [r[part] for r in runs]
        print(f"{part + ':':12} median {statistics.median(values):5.2f} s   "
              f"(runs: {', '.join(f'{v:.2f}' for v in values)})")
    load_median = statistics.median(r["load"] for r in runs)

    topology = json.loads(stored["topology"])
    stats = json.loads(stored["stats"])
    print()
    print("bytes the map downloads        topology raw    gzip  |  GeoJSON raw    gzip")
    whole_raw, whole_gzip = sizes(stored["topology"])
    print(f"{'all three objects':30} {_kb(whole_raw)} {_kb(whole_gzip)}  |")
    geojson_total = [0, 0]
    for name in topology["objects"]:
        topo_raw, topo_gzip = sizes(dumps(subset(topology, [name])))
        geo_raw, geo_gzip = sizes(dumps(feature_collection(topology, name)))
        geojson_total[0] += geo_raw
        geojson_total[1] += geo_gzip
        count = len(topology["objects"][name]["geometries"])
        print(f"{f'{name} ({count})':30} {_kb(topo_raw)} {_kb(topo_gzip)}  | "
              f"{_kb(geo_raw)} {_kb(geo_gzip)}")
    print(f"{'three GeoJSON layers together':30} {'':21}  | "
          f"{_kb(geojson_total[0])} {_kb(geojson_total[1])}")
    print(f"vertices in the topology: {stats['vertices']}, arcs: {stats.get('arcs')}")
    print()
    print(f"largest simplification error (Hausdorff), tolerance {stats['tolerance_m']:g} m:")
    for level, error in stats["max_error_m_by_level"].items():
        print(f"  {level:16} {error:7.1f} m")
    print()
    print("targets:")
    print(f"  all three layers <= 100 KB gzip: {_kb(whole_gzip).strip()} "
          f"({'met' if whole_gzip <= TARGETS['gzip_total_bytes'] else 'NOT met'})")
    print(f"  largest border error < 1 km:     {stats['max_error_m']:.0f} m "
          f"({'met' if stats['max_error_m'] < TARGETS['max_error_m'] else 'NOT met'})")
    print(f"  load < 10 s:                     {load_median:.2f} s "
          f"({'met' if load_median < TARGETS['load_seconds'] else 'NOT met'})")


if __name__ == "__main__":
    main()

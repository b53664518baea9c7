"""Prometheus metrics: request latency by route and status, job durations and outcomes.

Where the numbers live
----------------------
Gunicorn runs several worker processes and the scheduler is a process of its own, so
per-process counters would each tell a part. prometheus_client's multiprocess mode is
used: when ``PROMETHEUS_MULTIPROC_DIR`` is set (the systemd units and
``deploy/gunicorn.conf.py`` set it) every process writes its samples to memory-mapped
files in that directory and ``/metrics`` adds up the files of all of them, alive or
dead. The scheduler writes to a directory of its own (so a restart of the web service,
which empties the web directory, loses none of its samples) and the web's ``/metrics``
reads it too (setting ``JOB_METRICS_DIR``). Without ``PROMETHEUS_MULTIPROC_DIR``
(development server, tests) the process's own registry is served.

Job freshness (the last successful run of each job) is read from the job-run table at
scrape time instead (``portal.ops.jobs``): it is the truth whichever host runs the
scheduler and survives every restart. ``record_job`` is what the scheduler calls after
each run for the duration histogram and the outcome counter.
"""

from __future__ import annotations

import glob
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
OUTCOMES = ("succeeded", "failed", "skipped")
# Page and geometry answers take milliseconds to a second; jobs seconds to an hour.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
JOB_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200)


@dataclass(frozen=True)
class _Metrics:
    request_seconds: Histogram
    job_seconds: Histogram
    job_runs: Counter


_lock = threading.Lock()
_instance: _Metrics | None = None


def _metrics() -> _Metrics:
    """Created on first use, not at import (the multiprocess directory is read then);
    once per process even when a worker's threads ask at the same moment."""
    global _instance
    if _instance is None:
        with _lock:
            if _instance is None:
                _instance = _create()
    return _instance


def _create() -> _Metrics:
    return _Metrics(
        request_seconds=Histogram(
            "tym_http_request_duration_seconds",
            "Time from receiving a request to returning its answer, by route template.",
            ["method", "route", "status"], buckets=REQUEST_BUCKETS),
        job_seconds=Histogram(
            "tym_job_duration_seconds", "Duration of scheduled job runs.",
            ["job", "outcome"], buckets=JOB_BUCKETS),
        job_runs=Counter(
            "tym_job_runs", "Scheduled job runs by outcome.", ["job", "outcome"]),
    )


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    _metrics().request_seconds.labels(method, route, str(status)).observe(seconds)


def record_job(job_id: str, seconds: float, outcome: str) -> None:
    """Record one run of ``job_id``: how long it took and how it ended.

    ``outcome`` is ``succeeded``, ``failed`` or ``skipped``. Call it once per run from
    the process that ran the job (the scheduler or ``tym etl run``).
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    metrics = _metrics()
    metrics.job_seconds.labels(job_id, outcome).observe(max(0.0, seconds))
    metrics.job_runs.labels(job_id, outcome).inc()


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


class _Directories:
    """Every process's samples from the multiprocess directories (missing ones skipped)."""

    def __init__(self, directories: Iterable[str]):
        self.directories = [d for d in directories if d]

    def collect(self):
        files = sorted(f for d in self.directories if os.path.isdir(d)
                       for f in glob.glob(os.path.join(d, "*.db")))
        return MultiProcessCollector.merge(files, accumulate=True)


def exposition(extra_collectors: Iterable = (), job_metrics_dir: str = "") -> tuple[bytes, str]:
    """The text a Prometheus scrape gets, and its content type."""
    _metrics()  # the families exist (empty) even before the first observation
    own = multiprocess_dir()
    if own:
        registry = CollectorRegistry()
        registry.register(_Directories([own, job_metrics_dir]))
    else:
        from prometheus_client import REGISTRY

        registry = CollectorRegistry()
        registry.register(_Process(REGISTRY))
    for collector in extra_collectors:
        registry.register(collector)
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Process:
    """The process's default registry, as one collector among others."""

    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()


def mark_process_dead(pid: int) -> None:
    """Gunicorn's ``child_exit`` hook: drop a dead worker's live-gauge files."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


def clear_directory(path: str) -> None:
    """Empty a multiprocess directory (gunicorn's ``on_starting``: old pids' files)."""
    if path and os.path.isdir(path):
        for name in glob.glob(os.path.join(path, "*.db")):
            os.remove(name)

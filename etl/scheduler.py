"""The one scheduler process (``tym scheduler``): APScheduler 3's BlockingScheduler with
the schedule's entries as jobs under their stable ids, one instance at a time
(``max_instances=1``), missed runs collapsed into one (``coalesce=True``) and still run
when late by up to ``MISFIRE_GRACE_SECONDS``. A job whose last recorded run is older
than its previous due time (the scheduler was down) runs once at start.

Only ``tym scheduler`` creates a scheduler: never the web app (every forked worker
would run every job) and never an import. ``SingleProcessGuard`` makes a second
``tym scheduler`` refuse to start: an exclusive lock on ``SCHEDULER_LOCK_FILE`` and, on
PostgreSQL, a session advisory lock held on a connection of its own, so two machines
sharing the database cannot both schedule.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import signal
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import Engine, text

from etl.schedule import MISFIRE_GRACE_SECONDS, TIMEZONE, ScheduleEntry
from portal.ops import logs
from portal.ops.metrics import record_job

log = logging.getLogger(__name__)
ADVISORY_LOCK_KEY = 0x74796D5F  # "tym_": one number for every tym-portal installation
JOB_DEFAULTS = {"max_instances": 1, "coalesce": True,
                "misfire_grace_time": MISFIRE_GRACE_SECONDS}


class AlreadyRunning(RuntimeError):
    """Another scheduler holds the lock."""


class SingleProcessGuard:
    def __init__(self, lock_file: str | Path, engine: Engine | None = None):
        self.lock_file = Path(lock_file)
        self.engine = engine if engine is not None and engine.dialect.name == "postgresql" \
            else None
        self._fd: int | None = None
        self._connection = None

    def acquire(self) -> None:
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = self.lock_file.read_text(encoding="utf-8", errors="replace").strip()
            raise AlreadyRunning(f"another tym scheduler is running (lock {self.lock_file} "
                                 f"held{f' by {holder}' if holder else ''}); "
                                 "only one may run") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} since {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
                 .encode())
        self._fd = fd
        if self.engine is not None:
            connection = self.engine.connect()
            locked = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"),
                                       {"key": ADVISORY_LOCK_KEY})
            connection.commit()
            if not locked:
                connection.close()
                self.release()
                raise AlreadyRunning("another tym scheduler is running against this database "
                                     "(PostgreSQL advisory lock held); only one may run")
            self._connection = connection

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                                         {"key": ADVISORY_LOCK_KEY})
                self._connection.commit()
            finally:
                self._connection.close()
                self._connection = None
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> SingleProcessGuard:
        self.acquire()
        return self

    def __exit__(self, *_exc) -> None:
        self.release()


def missed_entries(entries: Iterable[ScheduleEntry], last_runs: Mapping[str, dt.datetime],
                   now: dt.datetime) -> list[str]:
    """Ids of jobs that were due since their last recorded run (the scheduler was down)."""
    missed = []
    for entry in entries:
        last = last_runs.get(entry.id)
        if last is None:
            continue
        due = entry.make_trigger().get_next_fire_time(None, last + dt.timedelta(seconds=1))
        if due is not None and due <= now:
            missed.append(entry.id)
    return missed


def build_scheduler(entries: Iterable[ScheduleEntry], run: Callable[[str], Any], *,
                    catch_up: Iterable[str] = (),
                    scheduler_class: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    """A scheduler (not started) with one job per entry, id = the entry's id."""
    scheduler = scheduler_class(timezone=TIMEZONE, job_defaults=dict(JOB_DEFAULTS))
    catch_up = set(catch_up)
    for entry in entries:
        options = {}
        if entry.id in catch_up:
            options["next_run_time"] = dt.datetime.now(dt.UTC)
        scheduler.add_job(run, trigger=entry.make_trigger(), args=[entry.id], id=entry.id,
                          name=entry.description or entry.id, replace_existing=True,
                          **JOB_DEFAULTS, **options)
    scheduler.add_listener(_skipped, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
    return scheduler


def _skipped(event) -> None:
    """A run APScheduler did not start (the previous one still running, or missed past the
    grace time): logged and counted as ``skipped``."""
    due = getattr(event, "scheduled_run_time", None) or getattr(event, "scheduled_run_times",
                                                                None)
    log.warning("job %s: a run due at %s was skipped", event.job_id, due)
    record_job(event.job_id, 0.0, "skipped")


def run_scheduled(database, settings: Mapping[str, Any], entries: list[ScheduleEntry],
                  entry_id: str):
    """What the scheduler calls: run one entry now and record it as a scheduled run."""
    from etl.jobs import run_entry

    token = logs.REQUEST_ID.set(f"job:{entry_id}:{uuid.uuid4().hex[:12]}")
    try:
        run = run_entry(database, settings, entry_id, trigger="schedule", entries=entries)
        log.info("job %s: run %s %s", entry_id, run.id, run.status.value,
                 extra={"job": entry_id, "run_id": run.id, "status": run.status.value,
                        "rows_read": run.rows_read, "rows_rejected": run.rows_rejected})
    finally:
        logs.REQUEST_ID.reset(token)
    return run


def serve(database, settings: Mapping[str, Any], entries: list[ScheduleEntry],
          on_start: Callable[[BaseScheduler], None] | None = None) -> None:
    """Hold the single-process guard and run the scheduler until interrupted."""
    from portal.registry.etl.services import close_interrupted_runs, last_run_times

    engine = database.bind if isinstance(database.bind, Engine) else None
    with SingleProcessGuard(settings["SCHEDULER_LOCK_FILE"], engine):
        with database.transaction() as session:
            for run in close_interrupted_runs(session, dt.datetime.now(dt.UTC)):
                log.warning("job %s: run %s was cut off when the scheduler stopped; marked "
                            "failed", run.job_id, run.id,
                            extra={"job": run.job_id, "run_id": run.id})
            last = last_run_times(session)
        missed = missed_entries(entries, last, dt.datetime.now(dt.UTC))
        scheduler = build_scheduler(
            entries, lambda entry_id: run_scheduled(database, settings, entries, entry_id),
            catch_up=missed)
        if threading.current_thread() is threading.main_thread():
            # systemd stops the service with SIGTERM: finish the running job, then exit
            signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
        if on_start is not None:
            on_start(scheduler)
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            if scheduler.running:
                scheduler.shutdown(wait=True)

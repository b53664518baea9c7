"""Running a job and recording the run.

``run_job`` is the one way a job runs, whoever starts it (the scheduler, ``tym etl run``,
an upload in the portal). It writes the run record in its own short transaction, calls
the job, and writes the outcome in another: the job's load is a third transaction, so a
job that fails anywhere leaves the data as it was and still leaves a record saying why.
Rows the job refused are kept with the reason in the quarantine.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.db import Database
from portal.ops.metrics import record_job
from portal.registry.audit.recorder import Actor
from portal.registry.etl.models import JobRun, QuarantinedRow, RunStatus

log = logging.getLogger(__name__)
_MESSAGE_LIMIT = 4000


@dataclass(frozen=True)
class Rejected:
    """A row refused with the reason; ``record`` is the row as the source sent it."""

    row_number: int | None
    record: Mapping[str, Any]
    reason: str


@dataclass
class Outcome:
    """What a job did: counts, where its input came from, and the rows it refused."""

    rows_read: int = 0
    rows_accepted: int = 0
    rows_changed: int = 0
    source: str = ""
    source_version: str = ""
    message: str = ""
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)


class JobFailed(RuntimeError):
    """The job loaded nothing. ``outcome`` carries what it had read and refused."""

    def __init__(self, message: str, outcome: Outcome | None = None):
        super().__init__(message)
        self.outcome = outcome or Outcome()


@dataclass
class JobContext:
    """What a job gets: the database, the settings, and its run."""

    database: Database
    settings: Mapping[str, Any]
    job_id: str
    run_id: int
    actor: Actor
    started_at: dt.datetime

    def http_client(self):
        from etl.sources.http import HttpClient

        return HttpClient(timeout=self.settings["HTTP_TIMEOUT"],
                          retries=self.settings["HTTP_RETRIES"])


JobFunction = Callable[..., Outcome]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def start_run(database: Database, job_id: str, trigger: str, actor: Actor) -> JobRun:
    with database.transaction(actor) as session:
        run = JobRun(job_id=job_id, trigger=trigger, actor=actor.label, started_at=now(),
                     status=RunStatus.running, rows_read=0, rows_accepted=0, rows_rejected=0,
                     rows_changed=0, source="", source_version="", message="")
        session.add(run)
        session.flush()
        return run


def finish_run(database: Database, run_id: int, status: RunStatus, outcome: Outcome,
               message: str) -> JobRun:
    with database.transaction() as session:
        run = session.get(JobRun, run_id)
        run.finished_at = now()
        run.status = status
        run.rows_read = outcome.rows_read
        run.rows_accepted = outcome.rows_accepted
        run.rows_rejected = outcome.rows_rejected
        run.rows_changed = outcome.rows_changed if status == RunStatus.succeeded else 0
        run.source = outcome.source
        run.source_version = outcome.source_version[:200]
        run.message = message[:_MESSAGE_LIMIT]
        session.add_all(QuarantinedRow(run_id=run_id, job_id=run.job_id,
                                       row_number=r.row_number, record=dict(r.record),
                                       reason=r.reason)
                        for r in outcome.rejected)
        session.flush()
        session.refresh(run)
        return run


def execute(database: Database, settings: Mapping[str, Any], job_id: str,
            function: JobFunction, kwargs: Mapping[str, Any] | None = None, *,
            trigger: str = "cli", actor: Actor | None = None) -> JobRun:
    """Run ``function(context, **kwargs)`` as job ``job_id`` and record the run.

    Never raises for a failure of the job itself: the returned run says ``failed`` and
    why. ``actor`` defaults to ``job:<job id>``."""
    actor = actor or Actor(f"job:{job_id}")
    clock = time.monotonic()
    run = start_run(database, job_id, trigger, actor)
    context = JobContext(database, settings, job_id, run.id, actor, run.started_at)
    try:
        outcome = function(context, **dict(kwargs or {}))
    except JobFailed as exc:
        run = finish_run(database, run.id, RunStatus.failed, exc.outcome,
                         f"nothing loaded: {exc}")
    except Exception as exc:  # noqa: BLE001 - any failure is recorded, not raised
        log.exception("job %s (run %s) failed", job_id, run.id)
        run = finish_run(database, run.id, RunStatus.failed, Outcome(),
                         f"nothing loaded: {type(exc).__name__}: {exc}")
    else:
        run = finish_run(database, run.id, RunStatus.succeeded, outcome, outcome.message)
    record_job(job_id, time.monotonic() - clock, run.status.value)
    return run

"""Reading job runs and the quarantine (the admin page and ``tym etl`` share these)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.registry.etl.models import JobRun, QuarantinedRow, RunStatus

CSV_COLUMNS = ("run_id", "job_id", "row_number", "reason", "record")


def recent_runs(session: Session, *, limit: int = 20, job_id: str | None = None) -> list[JobRun]:
    stmt = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    if job_id:
        stmt = stmt.where(JobRun.job_id == job_id)
    return list(session.scalars(stmt))


def get_run(session: Session, run_id: int) -> JobRun | None:
    return session.get(JobRun, run_id)


INTERRUPTED = ("interrupted: the scheduler stopped before this run finished (a load is one "
               "transaction, so it was kept whole or not at all)")


def close_interrupted_runs(session: Session, now: dt.datetime) -> list[JobRun]:
    """Mark scheduled runs still "running" as failed. Called by the one scheduler when it
    starts: no scheduled run can be in progress then, so these were cut off (the process
    was killed or the machine stopped) and would otherwise say "running" for ever."""
    runs = list(session.scalars(select(JobRun).where(
        JobRun.status == RunStatus.running, JobRun.trigger == "schedule")))
    for run in runs:
        run.status = RunStatus.failed
        run.finished_at = now
        run.rows_changed = 0
        run.message = INTERRUPTED
    session.flush()
    return runs


def last_run_times(session: Session) -> dict[str, dt.datetime]:
    """When each job last started (for the next run of interval jobs)."""
    rows = session.execute(select(JobRun.job_id, func.max(JobRun.started_at))
                           .group_by(JobRun.job_id)).all()
    return {job: _aware(at) for job, at in rows}


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite gives naive datetimes back; they were stored in UTC
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _quarantine_query(job_id: str | None, run_id: int | None):
    stmt = select(QuarantinedRow).order_by(QuarantinedRow.run_id.desc(), QuarantinedRow.id)
    if job_id:
        stmt = stmt.where(QuarantinedRow.job_id == job_id)
    if run_id is not None:
        stmt = stmt.where(QuarantinedRow.run_id == run_id)
    return stmt


def quarantined_rows(session: Session, *, job_id: str | None = None, run_id: int | None = None,
                     limit: int | None = 100) -> list[QuarantinedRow]:
    stmt = _quarantine_query(job_id, run_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def count_quarantined(session: Session, *, job_id: str | None = None) -> int:
    stmt = select(func.count()).select_from(QuarantinedRow)
    if job_id:
        stmt = stmt.where(QuarantinedRow.job_id == job_id)
    return session.scalar(stmt)


def quarantine_csv(session: Session, *, job_id: str | None = None,
                   run_id: int | None = None, batch: int = 1000) -> Iterator[str]:
    """Quarantined rows as RFC 4180 UTF-8 CSV, streamed in batches; ``record`` is the row
    as the source sent it, as JSON."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    stmt = _quarantine_query(job_id, run_id).execution_options(yield_per=batch)
    for number, row in enumerate(session.scalars(stmt), start=1):
        writer.writerow((row.run_id, row.job_id, "" if row.row_number is None else
                         row.row_number, row.reason,
                         json.dumps(row.record, ensure_ascii=False, sort_keys=False)))
        if number % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()

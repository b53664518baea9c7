"""Liveness and readiness, as data: each check is a name, a verdict and details.

``/readyz`` asks ``readiness``: the database answers, its schema is at the migration
head, and (where the schedule and the job-run table are known) every scheduled job
has succeeded within its period. The web adapter turns the list into JSON and a
200 or 503.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from portal.db import Database
from portal.ops import jobs

CHECKS = ("database", "replica", "migrations", "jobs")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, **self.detail}


def describe(error: BaseException) -> str:
    """A short, secret-free description of a failure (no URL, no password)."""
    original = getattr(error, "orig", None) or error
    first_line = (str(original).strip().splitlines() or [""])[0]
    return f"{type(original).__name__}: {first_line[:200]}"


@contextmanager
def connect(database: Database) -> Iterator[Connection]:
    bind = database.bind
    if isinstance(bind, Connection):  # tests: one connection inside a transaction
        yield bind
        return
    with bind.connect() as connection:
        yield connection


def database_check(database: Database, name: str = "database") -> Check:
    started = time.perf_counter()
    try:
        with connect(database) as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        return Check(name, False, {"error": describe(exc)})
    return Check(name, True, {"ms": round((time.perf_counter() - started) * 1000, 1)})


def migrations_check(database: Database) -> Check:
    from portal.migrations.runner import current_revision, heads

    expected = heads()
    try:
        with connect(database) as connection:
            current = current_revision(connection)
    except Exception as exc:  # noqa: BLE001
        return Check("migrations", False, {"error": describe(exc), "head": expected})
    return Check("migrations", current in expected and len(expected) == 1,
                 {"current": current, "head": expected[0] if len(expected) == 1 else expected})


def jobs_check(database: Database, periods: Mapping[str, dt.timedelta] | None,
               grace: dt.timedelta, now: dt.datetime | None = None) -> Check:
    """Every scheduled job's last success is younger than its period plus ``grace``.

    Passes with ``"checked": false`` when the schedule or the job-run table is not
    known yet, so a portal without the ETL is still ready."""
    now = now or dt.datetime.now(dt.UTC)
    try:
        with connect(database) as connection:
            states = jobs.job_states(connection)
    except Exception as exc:  # noqa: BLE001
        return Check("jobs", False, {"error": describe(exc)})
    if states is None or periods is None:
        reason = "no job-run table" if states is None else "schedule not known"
        return Check("jobs", True, {"checked": False, "reason": reason})
    verdicts = jobs.staleness(states, periods, now, grace)
    detail = {v.job_id: {"ok": not v.stale, "period_s": int(v.period.total_seconds()),
                         "last_success": v.last_success_at.isoformat()
                         if v.last_success_at else None}
              for v in verdicts}
    return Check("jobs", all(not v.stale for v in verdicts),
                 {"checked": True, "grace_s": int(grace.total_seconds()), "jobs": detail})


def readiness(database: Database, *, replica: Database | None = None,
              periods: Mapping[str, dt.timedelta] | None = None,
              grace: dt.timedelta = dt.timedelta(hours=1),
              skip: frozenset[str] = frozenset()) -> list[Check]:
    """Run the readiness checks not in ``skip``; later checks need a reachable database."""
    checks: list[Check] = []
    primary = database_check(database)
    if "database" not in skip:
        checks.append(primary)
    if replica is not None and "replica" not in skip:
        checks.append(database_check(replica, "replica"))
    unreachable = {"error": "database unreachable"}
    if "migrations" not in skip:
        checks.append(migrations_check(database) if primary.ok
                      else Check("migrations", False, unreachable))
    if "jobs" not in skip:
        checks.append(jobs_check(database, periods, grace) if primary.ok
                      else Check("jobs", False, unreachable))
    return checks

"""What the job-run table says about each scheduled job, for /readyz and /metrics.

The table (``etl_runs``, written by the ETL for every run) is read with a lightweight
table construct, so this module works on any schema: before the table exists every
function answers "no job information" (None).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, column, func, inspect, select, table

RUNS_TABLE = "etl_runs"
SUCCEEDED = "succeeded"
_runs = table(RUNS_TABLE, column("id"), column("job_id"), column("status"),
              column("started_at"), column("finished_at"))

# job id -> how often it is scheduled to run; None when the schedule is not known.
PeriodsProvider = Callable[[], Mapping[str, dt.timedelta] | None]


@dataclass(frozen=True)
class JobState:
    job_id: str
    last_status: str
    last_started_at: dt.datetime | None
    last_finished_at: dt.datetime | None
    last_success_at: dt.datetime | None

    @property
    def last_duration(self) -> float | None:
        if self.last_started_at is None or self.last_finished_at is None:
            return None
        return (self.last_finished_at - self.last_started_at).total_seconds()


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """Timestamps as aware UTC (SQLite hands back naive ones, stored as UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def has_runs_table(connection: Connection) -> bool:
    return inspect(connection).has_table(RUNS_TABLE)


def job_states(connection: Connection) -> dict[str, JobState] | None:
    """Each job's last run and last success; None when there is no job-run table."""
    if not has_runs_table(connection):
        return None
    last_ids = select(func.max(_runs.c.id)).group_by(_runs.c.job_id)
    last_runs = connection.execute(
        select(_runs.c.job_id, _runs.c.status, _runs.c.started_at, _runs.c.finished_at)
        .where(_runs.c.id.in_(last_ids))).all()
    successes = dict(connection.execute(
        select(_runs.c.job_id, func.max(_runs.c.finished_at))
        .where(_runs.c.status == SUCCEEDED).group_by(_runs.c.job_id)).all())
    return {row.job_id: JobState(row.job_id, str(row.status), _utc(row.started_at),
                                 _utc(row.finished_at), _utc(successes.get(row.job_id)))
            for row in last_runs}


@dataclass(frozen=True)
class Staleness:
    job_id: str
    period: dt.timedelta
    last_success_at: dt.datetime | None
    stale: bool


def staleness(states: Mapping[str, JobState], periods: Mapping[str, dt.timedelta],
              now: dt.datetime, grace: dt.timedelta) -> list[Staleness]:
    """For each scheduled job: is its last success older than its period plus ``grace``?

    A job that has never succeeded is stale (a fresh installation runs every job once:
    ``tym etl run``).
    """
    result = []
    for job_id, period in sorted(periods.items()):
        state = states.get(job_id)
        last = state.last_success_at if state else None
        stale = last is None or now - last > period + grace
        result.append(Staleness(job_id, period, last, stale))
    return result


class JobTableCollector:
    """Prometheus gauges from the job-run table, read at scrape time."""

    def __init__(self, connect: Callable[[], Connection]):
        self.connect = connect

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        last_success = GaugeMetricFamily(
            "tym_job_last_success_timestamp_seconds",
            "Unix time when the job last finished successfully (from the job-run table).",
            labels=["job"])
        last_duration = GaugeMetricFamily(
            "tym_job_last_run_duration_seconds",
            "Duration of the job's last finished run (from the job-run table).",
            labels=["job"])
        last_failed = GaugeMetricFamily(
            "tym_job_last_run_failed",
            "1 when the job's last run failed, 0 otherwise (from the job-run table).",
            labels=["job"])
        try:
            with self.connect() as connection:
                states = job_states(connection) or {}
        except Exception:  # noqa: BLE001 - a scrape during an outage still answers
            states = {}
        for state in states.values():
            if state.last_success_at is not None:
                last_success.add_metric([state.job_id], state.last_success_at.timestamp())
            if state.last_duration is not None:
                last_duration.add_metric([state.job_id], state.last_duration)
            last_failed.add_metric([state.job_id], 1.0 if state.last_status == "failed" else 0.0)
        yield from (last_success, last_duration, last_failed)


def trigger_period(trigger, now: dt.datetime, samples: int = 16) -> dt.timedelta:
    """The longest gap between successive runs of an APScheduler trigger: an interval's
    length, or for a cron trigger the largest gap among its next ``samples`` fire times
    (a weekday-only job has a three-day gap over the weekend)."""
    interval = getattr(trigger, "interval", None)
    if isinstance(interval, dt.timedelta):
        return interval
    fire_times = []
    previous = None
    moment = now
    for _ in range(samples):
        following = trigger.get_next_fire_time(previous, moment)
        if following is None:
            break
        fire_times.append(following)
        previous, moment = following, following + dt.timedelta(seconds=1)
    gaps = [b - a for a, b in zip(fire_times, fire_times[1:], strict=False)]
    return max(gaps) if gaps else dt.timedelta(days=365)


def scheduled_periods(settings: Mapping, now: dt.datetime | None = None
                      ) -> dict[str, dt.timedelta] | None:
    """Each entry of the ETL schedule (``SCHEDULE_FILE`` or the built-in one) -> its
    period; None when the ETL package has no schedule."""
    try:
        from etl.jobs import load_entries
    except ImportError:
        return None
    now = now or dt.datetime.now(dt.UTC)
    return {entry.id: trigger_period(entry.make_trigger(), now)
            for entry in load_entries(settings)}

"""The schedule as data: which job runs when, with which arguments.

An entry has a stable ``id`` (the APScheduler job id, the name ``tym etl run`` takes and
the key of every run record), the registered ``job`` it runs (``etl.jobs.JOBS``), a
``trigger`` (APScheduler 3 ``cron`` or ``interval`` fields) and ``kwargs`` for the job.
``DEFAULT_SCHEDULE`` is used unless ``TYM_SCHEDULE_FILE`` names a TOML or JSON file
(see deploy/schedule.example.toml), which replaces it as a whole.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

TIMEZONE = "Europe/Helsinki"
MISFIRE_GRACE_SECONDS = 3600  # a run missed by up to an hour (restart, long job) still runs
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_CRON_FIELDS = {"year", "month", "day", "week", "day_of_week", "hour", "minute", "second",
                "start_date", "end_date"}
_INTERVAL_FIELDS = {"weeks", "days", "hours", "minutes", "seconds", "start_date", "end_date"}


class ScheduleError(ValueError):
    """The schedule file cannot be used; the message names the entry and the field."""


@dataclass(frozen=True)
class ScheduleEntry:
    id: str
    job: str
    trigger: Mapping[str, Any]  # {"type": "cron", "hour": 6, ...} or {"type": "interval", ...}
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""

    def make_trigger(self) -> BaseTrigger:
        options = {k: v for k, v in self.trigger.items() if k != "type"}
        if self.trigger.get("type") == "cron":
            return CronTrigger(timezone=TIMEZONE, **options)
        return IntervalTrigger(timezone=TIMEZONE, **options)

    def describe_trigger(self) -> str:
        options = ", ".join(f"{k}={v}" for k, v in self.trigger.items() if k != "type")
        return f"{self.trigger.get('type')}: {options}"


DEFAULT_SCHEDULE: tuple[ScheduleEntry, ...] = (
    ScheduleEntry(
        "statfin-tyonv-12r5", "statfin_pxweb",
        {"type": "cron", "day_of_week": "mon-fri", "hour": 9, "minute": 30},
        {"table": "StatFin/tyonv/12r5.px", "area_variable": "Alue",
         "time_variable": "Kuukausi", "measure_variable": "Tiedot",
         "measures": ["TYOTTOMATLOPUSSA", "TYOVOIMATK", "AVPAIKATLOPUSSA"],
         "first_period": "2015M01"},
        "Employment service statistics, monthly by municipality (StatFin tyonv 12r5)"),
    ScheduleEntry(
        "sotkanet", "sotkanet",
        {"type": "cron", "day_of_week": "sun", "hour": 5, "minute": 0},
        {"first_year": 2019},
        "THL Sotkanet indicators listed in TYM_SOTKANET_INDICATORS"),
    ScheduleEntry(
        "client-volumes-inbox", "client_volumes_inbox",
        {"type": "interval", "minutes": 15},
        {},
        "Client-volume files dropped into TYM_CLIENT_VOLUME_INBOX"),
    ScheduleEntry(
        "agreement-proposals", "agreement_proposals",
        {"type": "interval", "minutes": 30},
        {},
        "Propose a coding for uploaded agreement documents"),
)


def parse_schedule(document: Mapping[str, Any], known_jobs: Iterable[str]) -> list[ScheduleEntry]:
    """Check a schedule document ``{"jobs": [{id, job, trigger, kwargs}, ...]}``."""
    known = set(known_jobs)
    raw = document.get("jobs")
    if not isinstance(raw, list) or not raw:
        raise ScheduleError("the schedule needs a non-empty list `jobs` "
                            "(TOML: one [[jobs]] table per job)")
    entries: list[ScheduleEntry] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, item in enumerate(raw, start=1):
        where = f"jobs[{number}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: not a table")
            continue
        entry_id = item.get("id")
        if not isinstance(entry_id, str) or not _ID.match(entry_id):
            problems.append(f"{where}: id {entry_id!r} must be lower-case letters, digits "
                            "and hyphens")
            continue
        where = f"job {entry_id}"
        if entry_id in seen:
            problems.append(f"{where}: the id is used twice")
        seen.add(entry_id)
        if item.get("job") not in known:
            problems.append(f"{where}: unknown job {item.get('job')!r} (known: "
                            f"{', '.join(sorted(known))})")
        trigger = item.get("trigger")
        problems.extend(f"{where}: {p}" for p in _trigger_problems(trigger))
        kwargs = item.get("kwargs", {})
        if not isinstance(kwargs, dict):
            problems.append(f"{where}: kwargs must be a table")
        if problems:
            continue
        entry = ScheduleEntry(entry_id, item["job"], dict(trigger), dict(kwargs),
                              str(item.get("description", "")))
        try:
            entry.make_trigger()
        except (ValueError, TypeError) as exc:
            problems.append(f"{where}: trigger: {exc}")
            continue
        entries.append(entry)
    if problems:
        raise ScheduleError("the schedule is not valid:\n  " + "\n  ".join(problems))
    return entries


def _trigger_problems(trigger: Any) -> list[str]:
    if not isinstance(trigger, dict):
        return ["trigger must be a table with a type (cron or interval)"]
    kind = trigger.get("type")
    allowed = {"cron": _CRON_FIELDS, "interval": _INTERVAL_FIELDS}.get(kind)
    if allowed is None:
        return [f"trigger type {kind!r} must be cron or interval"]
    unknown = sorted(set(trigger) - allowed - {"type"})
    if unknown:
        return [f"{kind} trigger has unknown fields {', '.join(unknown)} (allowed: "
                f"{', '.join(sorted(allowed))})"]
    if len(trigger) == 1:
        return [f"{kind} trigger needs at least one field"]
    return []


def load_schedule(path: str | Path | None, known_jobs: Iterable[str]) -> list[ScheduleEntry]:
    """The schedule in ``path`` (TOML or JSON by extension), or the default when empty."""
    known = list(known_jobs)
    if not path:
        return list(DEFAULT_SCHEDULE)
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScheduleError(f"cannot read the schedule file {path}: "
                            f"{exc.strerror or exc}") from None
    try:
        if path.suffix.lower() == ".json":
            document = json.loads(raw.decode("utf-8-sig"))
        else:
            document = tomllib.loads(raw.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ScheduleError(f"the schedule file {path} is not valid "
                            f"{'JSON' if path.suffix.lower() == '.json' else 'TOML'}: "
                            f"{exc}") from None
    if not isinstance(document, dict):
        raise ScheduleError(f"the schedule file {path} must hold an object with `jobs`")
    return parse_schedule(document, known)


def find_entry(entries: Iterable[ScheduleEntry], entry_id: str) -> ScheduleEntry:
    entries = list(entries)
    for entry in entries:
        if entry.id == entry_id:
            return entry
    raise ScheduleError(f"no job {entry_id!r} in the schedule (jobs: "
                        f"{', '.join(e.id for e in entries)})")


def next_run_times(entries: Iterable[ScheduleEntry], now: dt.datetime,
                   last_runs: Mapping[str, dt.datetime] | None = None
                   ) -> dict[str, dt.datetime | None]:
    """When each job runs next after ``now``, computed from the schedule alone (the
    scheduler is another process). Interval jobs count from their last run, if known."""
    last_runs = last_runs or {}
    result: dict[str, dt.datetime | None] = {}
    for entry in entries:
        trigger = entry.make_trigger()
        previous = last_runs.get(entry.id)
        if isinstance(trigger, IntervalTrigger) and previous is not None:
            following = previous + trigger.interval
            while following <= now:
                following += trigger.interval
            result[entry.id] = following.astimezone(trigger.timezone)
        else:
            result[entry.id] = trigger.get_next_fire_time(None, now)
    return result

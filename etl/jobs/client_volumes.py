"""Client-volume submissions: one run of job ``client-volumes`` per file, whether it was
uploaded in the portal or dropped into the inbox folder; job ``client_volumes_inbox``
sweeps the folder and moves each file to ``done/`` or ``rejected/``.

A file with any problem loads nothing: its run fails and every problem row goes to the
quarantine with the messages for that row (in English: operators read them there). The run
that ``submit`` returns also carries the problems themselves (``run.problems``, not
stored), for the portal to show in the editor's language.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from etl.runs import JobContext, JobFailed, Outcome, Rejected, execute, now
from etl.transforms.client_volumes import N_, NetworkFacts, Problem, parse
from portal.db import Database
from portal.registry.audit.recorder import Actor
from portal.registry.clients.services import network_validity, store_volumes
from portal.registry.etl.models import JobRun

SUBMISSION_JOB = "client-volumes"
SUFFIXES = (".csv", ".xlsx")


def current_date() -> dt.date:
    """Today, for the "month in the future" check (tests replace it)."""
    return dt.date.today()


def submit(database: Database, settings: Mapping[str, Any], data: bytes, filename: str, *,
           actor: Actor, trigger: str, only_network: str | None = None,
           today: dt.date | None = None) -> JobRun:
    """Check and load one file as a run of ``client-volumes``; return the run record.

    The record has one attribute that is not stored: ``problems``, every
    :class:`~etl.transforms.client_volumes.Problem` that refused the file (empty when it
    loaded, or when the run failed for another reason)."""
    problems: list[Problem] = []

    def job(context: JobContext) -> Outcome:
        return _load_file(context, data, filename, only_network, today or current_date(),
                          problems)

    run = execute(database, settings, SUBMISSION_JOB, job, trigger=trigger, actor=actor)
    run.problems = problems
    return run


def _load_file(context: JobContext, data: bytes, filename: str, only_network: str | None,
               today: dt.date, problems: list[Problem]) -> Outcome:
    """The job's work; ``problems`` receives the reasons the file is refused."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    outcome = Outcome(source=filename, source_version=f"sha256:{digest}")
    limit = context.settings["UPLOAD_MAX_BYTES"]
    if len(data) > limit:
        too_large = Problem(None, N_("the file is larger than %(limit)s bytes"),
                            {"limit": limit})
        problems.append(too_large)
        outcome.rejected.append(Rejected(None, {"file": filename}, too_large.message))
        raise JobFailed(f"{filename}: {too_large.message}", outcome)
    with context.database.transaction(context.actor) as session:
        networks = {nid: NetworkFacts(start, end)
                    for nid, (start, end) in network_validity(session).items()}
        parsed = parse(data, filename, networks, today=today, only_network=only_network)
        outcome.rows_read = parsed.rows_read
        if parsed.problems:
            problems.extend(parsed.problems)
            by_row: dict[int | None, list[Problem]] = {}
            for problem in parsed.problems:
                by_row.setdefault(problem.row, []).append(problem)
            for number, row_problems in by_row.items():
                record = {"file": filename, **parsed.records.get(number, {})}
                outcome.rejected.extend(Rejected(number, record, p.message)
                                        for p in row_problems)
            count = len(parsed.problems)
            raise JobFailed(f"{filename}: {count} problem{'s' if count != 1 else ''}, "
                            "nothing was loaded:\n" + "\n".join(parsed.messages), outcome)
        report = store_volumes(session, parsed.rows, source=f"{filename} ({context.actor.label})",
                               run_id=context.run_id, submitted_by=context.actor.label,
                               now=now())
    outcome.rows_accepted = len(parsed.rows)
    outcome.rows_changed = report.changed
    outcome.message = f"{filename}: {report.summary()}"
    return outcome


def run_inbox(context: JobContext, *, folder: str | None = None) -> Outcome:
    """Submit every CSV/XLSX file in the inbox, oldest name first, each as its own run."""
    inbox = folder or context.settings.get("CLIENT_VOLUME_INBOX") or ""
    outcome = Outcome(source=inbox)
    if not inbox:
        outcome.message = "no inbox configured (TYM_CLIENT_VOLUME_INBOX): nothing to do"
        return outcome
    root = Path(inbox)
    if not root.is_dir():
        raise JobFailed(f"the inbox {root} is not a folder", outcome)
    files = sorted(p for p in root.iterdir() if p.is_file() and not p.name.startswith("."))
    lines = []
    for path in files:
        if path.suffix.lower() not in SUFFIXES:
            target = _move(path, root / "rejected")
            lines.append(f"{path.name}: not a .csv or .xlsx file, moved to {target.parent.name}/")
            continue
        run = submit(context.database, context.settings, path.read_bytes(), path.name,
                     actor=Actor(f"job:{context.job_id}", reason=f"inbox file {path.name}"),
                     trigger="inbox")
        outcome.rows_read += run.rows_read
        outcome.rows_accepted += run.rows_accepted
        outcome.rows_changed += run.rows_changed
        ok = run.status.value == "succeeded"
        target = _move(path, root / ("done" if ok else "rejected"))
        lines.append(f"{path.name}: run {run.id} {run.status.value}, moved to "
                     f"{target.parent.name}/")
    outcome.message = "\n".join(lines) if lines else "the inbox is empty"
    return outcome


def _move(path: Path, folder: Path) -> Path:
    """Move ``path`` into ``folder``; a name already there gets a timestamp suffix."""
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    if target.exists():
        target = folder / f"{path.stem}.{dt.datetime.now():%Y%m%dT%H%M%S%f}{path.suffix}"
    shutil.move(str(path), target)
    return target

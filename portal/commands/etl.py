"""``tym etl``: run a job now, list recent runs, list and export quarantined rows, show
the schedule, and aggregate stored statistics. Thin adapters over ``etl`` and
``portal.registry.etl.services``."""

from __future__ import annotations

import datetime as dt
import sys

import click

from portal.commands.state import CliState, pass_state
from portal.registry.audit.recorder import Actor


@click.group()
def etl() -> None:
    """ETL jobs: run them, see their runs and what they refused."""


def _entries(state: CliState):
    from etl.jobs import load_entries
    from etl.schedule import ScheduleError

    try:
        return load_entries(state.get_settings())
    except ScheduleError as exc:
        raise click.ClickException(str(exc)) from None


@etl.command("run")
@click.argument("job_id")
@pass_state
def run_cmd(state: CliState, job_id: str) -> None:
    """Run the scheduled job JOB_ID now (with its schedule arguments) and record the run."""
    from etl.jobs import run_entry
    from etl.schedule import ScheduleError
    from portal.registry.etl.models import RunStatus

    entries = _entries(state)
    try:
        run = run_entry(state.get_database(), state.get_settings(), job_id, trigger="cli",
                        actor=Actor(f"job:{job_id}", reason="tym etl run"), entries=entries)
    except ScheduleError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(_run_line(run))
    if run.message:
        click.echo(run.message)
    if run.status != RunStatus.succeeded:
        raise click.ClickException(f"run {run.id} of {job_id} failed")


def _run_line(run) -> str:
    took = f"{run.duration.total_seconds():.1f} s" if run.duration else "-"
    return (f"run {run.id}\t{run.job_id}\t{run.status.value}\t{run.started_at:%Y-%m-%d %H:%M}"
            f"\t{took}\tread {run.rows_read}, accepted {run.rows_accepted}, rejected "
            f"{run.rows_rejected}, changed {run.rows_changed}\t{run.source_version or '-'}")


@etl.command("status")
@click.option("--limit", default=20, show_default=True, help="How many recent runs.")
@click.option("--job", "job_id", default=None, help="Only this job.")
@pass_state
def status_cmd(state: CliState, limit: int, job_id: str | None) -> None:
    """List recent runs, newest first, and when each scheduled job runs next."""
    from etl.schedule import next_run_times
    from portal.registry.etl.services import last_run_times, recent_runs

    entries = _entries(state)
    with state.get_database().transaction() as session:
        runs = recent_runs(session, limit=limit, job_id=job_id)
        last = last_run_times(session)
    if not runs:
        click.echo("no runs yet")
    for run in runs:
        click.echo(_run_line(run))
    click.echo("")
    upcoming = next_run_times(entries, dt.datetime.now(dt.UTC), last)
    for entry in entries:
        when = upcoming[entry.id]
        click.echo(f"next\t{entry.id}\t{when:%Y-%m-%d %H:%M %Z}\t{entry.describe_trigger()}"
                   if when else f"next\t{entry.id}\t-\t{entry.describe_trigger()}")


@etl.command("quarantine")
@click.argument("job_id", required=False)
@click.option("--run", "run_id", type=int, default=None, help="Only rows of this run.")
@click.option("--csv", "as_csv", is_flag=True, help="Write every row as CSV to stdout.")
@click.option("--limit", default=50, show_default=True, help="Rows to list (without --csv).")
@pass_state
def quarantine_cmd(state: CliState, job_id: str | None, run_id: int | None, as_csv: bool,
                   limit: int) -> None:
    """List the rows jobs refused, with the reason (all jobs, or JOB_ID)."""
    from portal.registry.etl.services import quarantine_csv, quarantined_rows

    with state.get_database().transaction() as session:
        if as_csv:
            for chunk in quarantine_csv(session, job_id=job_id, run_id=run_id):
                sys.stdout.write(chunk)
            return
        rows = quarantined_rows(session, job_id=job_id, run_id=run_id, limit=limit)
        if not rows:
            click.echo("no quarantined rows")
        for row in rows:
            where = f"row {row.row_number}" if row.row_number is not None else "-"
            click.echo(f"run {row.run_id}\t{row.job_id}\t{where}\t{row.reason}\t"
                       f"{_compact(row.record)}")


def _compact(record: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in record.items())


@etl.command("aggregate")
@click.argument("dataset_id")
@click.argument("level", type=click.Choice(["employment_area", "network", "county", "nation"]))
@click.option("--measure", "measures", multiple=True, help="Measure code (repeatable).")
@click.option("--from", "start", default=None, help="First period, YYYY-MM.")
@click.option("--to", "end", default=None, help="Last period, YYYY-MM.")
@pass_state
def aggregate_cmd(state: CliState, dataset_id: str, level: str, measures: tuple[str, ...],
                  start: str | None, end: str | None) -> None:
    """Print DATASET_ID's municipal values summed to LEVEL per period, as CSV."""
    from portal.registry.statistics.services import UnknownDataset, aggregate_values

    with state.get_database().transaction() as session:
        try:
            frame = aggregate_values(session, dataset_id, level,
                                     measures=list(measures) or None,
                                     start=_month(start), end=_month(end))
        except (UnknownDataset, ValueError) as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(frame.to_csv(index=False), nl=False)


def _month(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a month (use YYYY-MM)") from None

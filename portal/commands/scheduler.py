"""``tym scheduler``: the one process that runs the ETL schedule (see etl/scheduler.py)."""

from __future__ import annotations

import datetime as dt

import click

from portal.commands.state import CliState, pass_state
from portal.ops import logs


@click.command("scheduler")
@click.option("--list", "list_only", is_flag=True,
              help="Show the jobs and their next run times, and exit without scheduling.")
@pass_state
def scheduler(state: CliState, list_only: bool) -> None:
    """Run the ETL schedule in this process until stopped (exactly one may run)."""
    from etl.jobs import load_entries
    from etl.schedule import ScheduleError, next_run_times
    from etl.scheduler import AlreadyRunning, serve

    settings = state.get_settings()
    try:
        entries = load_entries(settings)
    except ScheduleError as exc:
        raise click.ClickException(str(exc)) from None
    upcoming = next_run_times(entries, dt.datetime.now(dt.UTC))
    for entry in entries:
        when = upcoming[entry.id]
        click.echo(f"{entry.id}\t{entry.job}\t{entry.describe_trigger()}\tnext "
                   f"{when:%Y-%m-%d %H:%M %Z}" if when else f"{entry.id}\t{entry.job}\t-")
    if list_only:
        return

    def started(_scheduler) -> None:
        click.echo(f"scheduler running {len(entries)} jobs; stop with Ctrl-C or SIGTERM")

    logs.configure(settings["LOG_LEVEL"], settings["LOG_FORMAT"])
    try:
        serve(state.get_database(), settings, entries, on_start=started)
    except AlreadyRunning as exc:
        raise click.ClickException(str(exc)) from None

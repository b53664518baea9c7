"""Every ETL job, registered by hand: the name a schedule entry's ``job`` refers to ->
the function that runs it (``function(context, **kwargs) -> Outcome``)."""

from __future__ import annotations

from collections.abc import Mapping

from etl.runs import JobFunction


def registry() -> Mapping[str, JobFunction]:
    # Imported here, not at module import: nothing runs or loads at import time.
    from etl.jobs import agreements, client_volumes, sotkanet, statfin

    return {
        "statfin_pxweb": statfin.run,
        "sotkanet": sotkanet.run,
        "client_volumes_inbox": client_volumes.run_inbox,
        "agreement_proposals": agreements.run,
    }


JOB_NAMES = ("statfin_pxweb", "sotkanet", "client_volumes_inbox", "agreement_proposals")


def load_entries(settings: Mapping):
    """The installation's schedule (``SCHEDULE_FILE``, or the default)."""
    from etl.schedule import load_schedule

    return load_schedule(settings.get("SCHEDULE_FILE") or None, JOB_NAMES)


def run_entry(database, settings: Mapping, entry_id: str, *, trigger: str = "cli",
              actor=None, entries=None):
    """Run the schedule entry ``entry_id`` now with its kwargs; return the run record.
    Raises ``etl.schedule.ScheduleError`` for an unknown id or a bad schedule file."""
    from etl.runs import execute
    from etl.schedule import find_entry

    entry = find_entry(entries if entries is not None else load_entries(settings), entry_id)
    return execute(database, settings, entry.id, registry()[entry.job], entry.kwargs,
                   trigger=trigger, actor=actor)

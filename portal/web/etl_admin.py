"""The ETL admin page (admins only): recent runs, when each job runs next (computed from
the schedule: the scheduler is another process), and the quarantined rows with a CSV
download. Every route is a thin adapter over ``portal.registry.etl.services``."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext

from portal.db import get_session
from portal.registry.etl.services import (
    count_quarantined,
    get_run,
    last_run_times,
    quarantine_csv,
    quarantined_rows,
    recent_runs,
)
from portal.registry.users.models import Role
from portal.web.auth import require_roles

bp = Blueprint("etl_admin", __name__, url_prefix="/admin/etl")
RUNS_SHOWN = 50
ROWS_SHOWN = 200


def _schedule():
    """(entries, problem): the schedule, or why it cannot be read."""
    from etl.jobs import load_entries
    from etl.schedule import ScheduleError

    try:
        return load_entries(current_app.config), None
    except ScheduleError as exc:
        return [], str(exc)


@bp.get("/")
@require_roles(Role.admin)
def overview():
    from etl.schedule import next_run_times

    session = get_session()
    job_id = request.args.get("job") or None
    entries, problem = _schedule()
    upcoming = next_run_times(entries, dt.datetime.now(dt.UTC), last_run_times(session))
    return render_template(
        "etl/overview.html", runs=recent_runs(session, limit=RUNS_SHOWN, job_id=job_id),
        entries=entries, upcoming=upcoming, schedule_problem=problem, job_id=job_id,
        rows=quarantined_rows(session, job_id=job_id, limit=ROWS_SHOWN),
        quarantined=count_quarantined(session, job_id=job_id), rows_shown=ROWS_SHOWN)


@bp.get("/runs/<int:run_id>")
@require_roles(Role.admin)
def run(run_id: int):
    session = get_session()
    record = get_run(session, run_id)
    if record is None:
        abort(404)
    return render_template("etl/run.html", run=record,
                           rows=quarantined_rows(session, run_id=run_id, limit=None))


@bp.get("/quarantine.csv")
@require_roles(Role.admin)
def quarantine_download():
    job_id = request.args.get("job") or None
    run_id = request.args.get("run", type=int)
    session = get_session()
    name = "quarantine" + (f"-{job_id}" if job_id else "") + (f"-run{run_id}" if run_id else "")
    response = Response(quarantine_csv(session, job_id=job_id, run_id=run_id),
                        mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


def status_label(status: str) -> str:
    return {"running": gettext("running"), "succeeded": gettext("succeeded"),
            "failed": gettext("failed")}.get(status, status)


@bp.app_template_filter("run_status")
def _run_status(status) -> str:
    return status_label(getattr(status, "value", status))

"""Operations endpoints: ``/healthz`` (the process answers), ``/readyz`` (it can serve:
database, migrations, scheduled jobs), ``/metrics`` (Prometheus); and ``init_app``,
which installs the request hooks every answer goes through (request ids and logs,
security headers, versioned static URLs, the database-outage page).

Each answer is JSON (or the Prometheus text format) and never cached.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import Blueprint, Flask, abort, current_app, jsonify, request

from portal.db import get_database, get_replica
from portal.ops import health, jobs, metrics

bp = Blueprint("operations", __name__)

NO_STORE = {"Cache-Control": "no-store"}
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz():
    """Liveness: the process runs and answers; touches nothing else."""
    return jsonify(status="ok"), 200, NO_STORE


@bp.get("/readyz")
def readyz():
    """Readiness, one entry per check; 503 when any fails.

    ``?skip=jobs`` (repeatable) leaves a check out: a load balancer deciding whether an
    instance can serve pages should not drop every instance because a nightly job is late.
    """
    skip = frozenset(request.args.getlist("skip")) & set(health.CHECKS)
    config = current_app.config
    checks = health.readiness(
        get_database(), replica=get_replica(), periods=job_periods(),
        grace=dt.timedelta(minutes=config["JOB_STALE_GRACE_MINUTES"]), skip=skip)
    ready = all(c.ok for c in checks)
    body = {"status": "ready" if ready else "not ready",
            "checks": {c.name: c.as_dict() for c in checks}}
    return jsonify(body), 200 if ready else 503, NO_STORE


def job_periods():
    """How often each scheduled job runs (None: not known). Pluggable:
    ``app.extensions["tym_job_periods"]`` is a callable taking the settings; the default
    reads the ETL schedule (``portal.ops.jobs.scheduled_periods``)."""
    provider = current_app.extensions.get("tym_job_periods") or jobs.scheduled_periods
    try:
        return provider(current_app.config)
    except Exception as exc:  # noqa: BLE001 - a broken schedule file is reported, not raised
        log.warning("the job schedule cannot be read: %s", exc)
        return None


@bp.get("/metrics")
def metrics_view():
    config = current_app.config
    if not config.get("METRICS_ENABLED", True):
        abort(404)
    database = get_database()
    collector = jobs.JobTableCollector(lambda: health.connect(database))
    body, content_type = metrics.exposition(
        [collector], job_metrics_dir=config.get("JOB_METRICS_DIR") or "")
    return body, 200, {"Content-Type": content_type, **NO_STORE}


def init_app(app: Flask) -> None:
    from portal.web import assets, observability, outage, security

    observability.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    outage.init_app(app)

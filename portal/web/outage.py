"""When the database cannot be reached: a translated 503 page (JSON for machines),
never a stack trace, and no hang (see ``portal.db.web_engine_options``).

Recovery needs nothing: the engine checks each pooled connection before use
(``pool_pre_ping``) and opens new ones once the database answers again. The page is
rendered from a self-contained template straight from the Jinja environment, without
the context processors and the shared includes, because those may read the database
that just failed.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, request
from sqlalchemy import exc as sa_exc

from portal.ops.health import describe

DATABASE_ERRORS = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)
RETRY_AFTER_SECONDS = 30
# Blueprints whose answers are read by scripts and programs, not people.
JSON_BLUEPRINTS = frozenset({"geometry", "maps", "api", "operations"})

log = logging.getLogger("portal.outage")


def wants_json() -> bool:
    if request.blueprint in JSON_BLUEPRINTS:
        return True
    if request.path.endswith((".json", ".geojson", ".js")):
        return True
    best = request.accept_mimetypes.best
    return best in ("application/json", "application/geo+json")


def _discard_session() -> None:
    session = g.pop("tym_session", None)
    if session is not None:
        try:
            session.close()
        except Exception:  # noqa: BLE001 - the connection is already gone
            pass


def _page() -> str:
    template = current_app.jinja_env.get_template("unavailable.html")
    return template.render(status=503)


def database_unavailable(error: Exception):
    log.warning("database unavailable: %s", describe(error),
                extra={"error": type(error).__name__})
    _discard_session()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if wants_json():
        return (jsonify(error="Service Unavailable", status=503,
                        reason="database unavailable"), 503, headers)
    try:
        body = _page()
    except Exception:  # noqa: BLE001 - last resort: still a 503, still no trace
        log.exception("the 503 page could not be rendered")
        body = "503 Service Unavailable"
        headers["Content-Type"] = "text/plain; charset=utf-8"
        return body, 503, headers
    headers["Content-Type"] = "text/html; charset=utf-8"
    return body, 503, headers


def _pending_rollback(error: sa_exc.PendingRollbackError):
    """A session used again after its connection was lost (code that caught the first
    error and carried on): still the outage. Any other pending rollback is a bug: 500."""
    if "invalid transaction" in str(error):
        return database_unavailable(error)
    raise error


def init_app(app: Flask) -> None:
    for error in DATABASE_ERRORS:
        app.register_error_handler(error, database_unavailable)
    app.register_error_handler(sa_exc.PendingRollbackError, _pending_rollback)

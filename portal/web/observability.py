"""Request ids, one structured access-log line per request, request-latency metrics.

Every request gets an id: the ``X-Request-ID`` it came with (nginx passes its own
``$request_id`` or the client's) when that is a sane token, otherwise a new one. It is
put in ``flask.g.request_id`` (the audit trail reads it through
``portal.web.auth.web_actor``), bound to every log record of the request and echoed in
the answer's ``X-Request-ID``.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, g, request
from werkzeug.wrappers import Response

from portal.ops import logs, metrics

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
UNMATCHED = "<unmatched>"  # one label for every unknown URL: no unbounded label values

access_log = logging.getLogger("portal.access")


def request_id() -> str:
    """This request's id (created on first use, so error paths have one too)."""
    if "request_id" not in g:
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = sent if _SANE_ID.fullmatch(sent) else uuid.uuid4().hex
        logs.bind_request_id(g.request_id)
    return g.request_id


def route_template() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else UNMATCHED


def _loggable_path() -> str:
    """The path, unless it carries a secret (a one-time token): then the route template."""
    if any("token" in name for name in (request.view_args or {})):
        return route_template()
    return request.path


def _start() -> None:
    g.tym_started = time.perf_counter()
    request_id()


def _finish(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = request_id()
    started = g.get("tym_started")
    seconds = time.perf_counter() - started if started is not None else 0.0
    route = route_template()
    metrics.observe_request(request.method, route, response.status_code, seconds)
    path = _loggable_path()
    access_log.info("%s %s %s", request.method, path, response.status_code,
                    extra={"request_id": request_id(), "method": request.method, "path": path,
                           "route": route, "status": response.status_code,
                           "duration_ms": round(seconds * 1000, 1),
                           "remote_addr": request.remote_addr,
                           "bytes": response.content_length})
    return response


def _unbind(_exc: BaseException | None) -> None:
    logs.bind_request_id(None)


# Loggers that talk at INFO on every health check (/readyz reads the migration state):
# useful from `tym db upgrade`, noise from a web process polled by a load balancer.
QUIET_IN_WEB = ("alembic.runtime.plugins", "alembic.runtime.migration")


def init_app(app: Flask) -> None:
    if not app.testing:
        logs.configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
        for name in QUIET_IN_WEB:
            logging.getLogger(name).setLevel(max(logging.WARNING,
                                                 logging.getLevelName(app.config["LOG_LEVEL"])))
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_unbind)

"""What the indicator pages, the JSON API and the downloads share: the computed
indicators of the current data version (cached per app), the viewer's suppression mode,
and HTTP answers with validators.

Caching rules (one contract for every cacheable answer):

- The ETag is derived from the *data version* (the latest audit event and ETL run), the
  request's path and query, the format and the viewer's mode, so a 304 is answered
  before anything is computed, and streamed answers get validators too.
- ``Last-Modified`` is the time of that latest change.
- Public answers are ``Cache-Control: public, max-age=300``; answers for anyone signed
  in (a monitor sees unsuppressed values; every signed-in page carries the account's
  name and forms) are ``private, no-store``. Both vary on ``Cookie``, so a shared cache
  never hands one to the other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from flask import Response, current_app, make_response, request, stream_with_context
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from portal.db import get_session
from portal.registry.audit.models import AuditEvent
from portal.registry.etl.models import JobRun
from portal.registry.indicators.compute import IndicatorData
from portal.web.auth import current_user, is_monitor

PUBLIC = "public, max-age=300"
PRIVATE = "private, no-store"
T = TypeVar("T")


@dataclass(frozen=True)
class DataVersion:
    stamp: str
    modified: dt.datetime | None


def data_version() -> DataVersion:
    """The data version of this request (read once per request)."""
    from flask import g

    if "tym_data_version" not in g:
        session = get_session()
        # One round trip: max(id) reads the end of each primary key, the time is that
        # audit row's (one lookup); etl_runs is small.
        last_audit = select(func.max(AuditEvent.id)).scalar_subquery()
        audit_id, audit_at, run_id, run_at = session.connection().execute(select(
            last_audit,
            select(AuditEvent.occurred_at).where(AuditEvent.id == last_audit)
            .scalar_subquery(),
            select(func.max(JobRun.id)).scalar_subquery(),
            select(func.max(JobRun.finished_at)).scalar_subquery())).one()
        times = [t for t in (audit_at, run_at) if t is not None]
        modified = max((_aware(t) for t in times), default=None)
        stamp = f"a{audit_id or 0}.r{run_id or 0}.{dt.date.today().isoformat()}"
        g.tym_data_version = DataVersion(stamp, modified)
    return g.tym_data_version


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def monitor_view() -> bool:
    """Whether this viewer sees unsuppressed values (a signed-in monitor or admin)."""
    try:
        return is_monitor()
    except SQLAlchemyError:
        return False


def viewer() -> str:
    """Who the answer is for: "public", or the signed-in account (whose pages carry
    their name and forms, and for a monitor unsuppressed values)."""
    try:
        user = current_user()
    except SQLAlchemyError:
        return "public"
    if user is None:
        return "public"
    return f"user{user.id}.{'m' if monitor_view() else 'e'}"


def threshold() -> int:
    return int(current_app.config.get("SUPPRESSION_THRESHOLD", 5))


@dataclass
class _Entry:
    data: IndicatorData
    lock: threading.Lock = field(default_factory=threading.Lock)


_registry_lock = threading.Lock()


def with_data(work: Callable[[IndicatorData], T], monitor: bool | None = None) -> T:
    """Run ``work`` on the computed indicators of the current data version and viewer.

    The computed object is kept per app and data version (two versions at most) and
    bound to the request's session while ``work`` runs; a lock serialises requests
    that share it (the results are plain values, so nothing escapes the session).
    """
    monitor = monitor_view() if monitor is None else monitor
    version = data_version().stamp
    key = (version, monitor, threshold())
    cache: dict = current_app.extensions.setdefault("tym_indicator_cache", {})
    with _registry_lock:
        entry = cache.get(key)
        if entry is None:
            for old in [k for k in cache if k[0] != version]:
                del cache[old]
            entry = cache[key] = _Entry(IndicatorData(None, threshold=key[2],
                                                      monitor=monitor))
    with entry.lock:
        entry.data.session = get_session()
        try:
            return work(entry.data)
        finally:
            entry.data.session = None


def etag_for(*parts: str) -> str:
    """The validator of this answer: the release (code, templates, catalogs; see
    ``page_cache.release_digest``), the data version, the viewer, the host (answers hold
    absolute URLs), the path and query, and ``parts``."""
    text = "|".join([current_app.extensions.get("tym_release", ""), data_version().stamp,
                     viewer(), request.host_url, request.path,
                     request.query_string.decode("latin-1"), *parts])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def with_validators(response: Response, etag: str, public: str = PUBLIC) -> Response:
    """ETag, Last-Modified and Cache-Control (``public`` for visitors who are not signed
    in; anything for a signed-in account stays out of shared caches)."""
    version = data_version()
    response.set_etag(etag)
    if version.modified is not None:
        response.last_modified = version.modified
    response.headers["Cache-Control"] = public if viewer() == "public" else PRIVATE
    response.vary.add("Cookie")
    return response


def not_modified(etag: str, public: str = PUBLIC) -> Response | None:
    """A 304 when the client already holds this version, else None."""
    if request.if_none_match and request.if_none_match.contains_weak(etag):
        return with_validators(Response(status=304), etag, public)
    since = request.if_modified_since
    modified = data_version().modified
    if not request.if_none_match and since is not None and modified is not None \
            and modified.replace(microsecond=0) <= since:
        return with_validators(Response(status=304), etag, public)
    return None


def conditional(build: Callable[[], Response], *parts: str) -> Response:
    """``build()``'s answer with validators, or a 304 without building it."""
    etag = etag_for(*parts)
    cached = not_modified(etag)
    if cached is not None:
        return cached
    return with_validators(make_response(build()), etag)


def streamed(chunks: Iterable[str], mimetype: str, filename: str | None = None,
             charset: str = "utf-8") -> Response:
    """A streamed text answer (the generator runs inside the request context, with the
    request's session still open)."""
    def encoded():
        for chunk in chunks:
            yield chunk.encode(charset)

    response = Response(stream_with_context(encoded()), mimetype=mimetype)
    if charset:
        response.headers["Content-Type"] = f"{mimetype}; charset={charset}"
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- request arguments and the published tables ---------------------------------------------

class BadArgument(ValueError):
    """A query argument the API refuses (answered as a 400 with this message)."""


def level_arg(allowed: Iterable[str], default: str | None = None) -> str | None:
    value = request.args.get("level") or default
    if value is not None and value not in allowed:
        raise BadArgument(f"level must be one of: {', '.join(allowed)}")
    return value


def period_arg(name: str = "period") -> str | None:
    from portal.registry.indicators.compute import parse_period

    value = request.args.get(name)
    if not value:
        return None
    try:
        parse_period(value)
    except ValueError as exc:
        raise BadArgument(str(exc)) from None
    return value


def date_arg() -> dt.date:
    value = request.args.get("on")
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadArgument(f"on must be a date (YYYY-MM-DD), not {value[:40]!r}") from None


def units_arg() -> list[str] | None:
    units = [u for raw in request.args.getlist("unit") for u in raw.split(",") if u]
    return units or None


def snapshot(factory: Callable) -> tuple:
    """(table, rows) of ``factory(OpenData)`` computed now, under the data lock; the rows
    are plain tuples, safe to serialise after the lock (and the session) are released."""
    from portal.opendata.tables import OpenData

    on = date_arg()

    def work(data):
        table = factory(OpenData(data, on))
        return table, list(table.iter_rows())

    return with_data(work)


def default_month(data: IndicatorData) -> str:
    """The month a view shows when none is asked for: the latest month with client
    volumes, else the latest month of open statistics, else the current month."""
    from portal.registry.indicators.catalogue import get_indicator

    for indicator_id in ("active-clients", "unemployment-rate"):
        periods = data.periods(get_indicator(indicator_id))
        if periods:
            return periods[-1]
    return f"{data.today.year:04d}-{data.today.month:02d}"

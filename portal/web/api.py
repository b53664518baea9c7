"""The JSON API, ``/api/v1/...``: the indicator catalogue, indicator values, summaries,
client volumes, the comparison of networks and the registry's tables, with cursor
pagination (``_size``, ``_next`` and a ready ``next_url``), validators and 304s.

Each route parses its arguments and hands a table from ``portal.opendata.tables`` to
``_page``; the OpenAPI document (``portal.opendata.openapi``) describes every route.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from portal.opendata import openapi
from portal.opendata.formats import json_text, row_object
from portal.registry.indicators.catalogue import (
    CATALOGUE,
    LEVELS,
    UnknownIndicator,
    describe,
    get_indicator,
)
from portal.registry.indicators.peers import NAMES as PEER_NAMES
from portal.web.open_data import (
    PUBLIC,
    BadArgument,
    conditional,
    default_month,
    level_arg,
    monitor_view,
    period_arg,
    snapshot,
    threshold,
    units_arg,
    with_data,
)
from portal.web.page_cache import cached_page

bp = Blueprint("api", __name__, url_prefix="/api/v1")

JSON = "application/json"
DEFAULT_SIZE, MAX_SIZE = 100, 1000
LICENCE = {"id": "CC-BY-4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}


class NotFoundError(LookupError):
    pass


@bp.errorhandler(BadArgument)
def _bad_argument(error: BadArgument):
    return jsonify(error=str(error), status=400), 400


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return jsonify(error=error.name, status=error.code), error.code


@bp.errorhandler(NotFoundError)
@bp.errorhandler(UnknownIndicator)
def _not_found(error: Exception):
    return jsonify(error=str(error).strip("'\""), status=404), 404


def _json(document) -> object:
    from flask import Response

    return Response(json_text(document), mimetype=JSON)


def _size() -> int:
    raw = request.args.get("_size")
    if raw is None or raw == "":
        return DEFAULT_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_SIZE:
        raise BadArgument(f"_size must be a whole number from 1 to {MAX_SIZE}")
    return int(raw)


def _offset() -> int:
    """``_next``: the cursor a previous page gave (the position of the next row)."""
    token = request.args.get("_next")
    if not token:
        return 0
    if not token.isdigit() or len(token) > 9:
        raise BadArgument("_next is not a cursor this API gave out")
    return int(token)


def _cursor(offset: int) -> str:
    return str(offset)


def _page(factory, **extra):
    """One page of a table as JSON: ``rows`` (objects), ``next`` and ``next_url``."""
    size, offset = _size(), _offset()

    def build():
        table, rows = snapshot(factory)
        page = rows[offset:offset + size]
        following = offset + size if offset + size < len(rows) else None
        next_url = None
        if following is not None:
            args = request.args.to_dict(flat=False)
            args["_next"] = [_cursor(following)]
            next_url = url_for(request.endpoint, _external=True, **(request.view_args or {}),
                               **args)
        return _json({
            "table": table.name,
            "title": table.title.as_dict(),
            "columns": [c.name for c in table.columns],
            "rows": [row_object(table.columns, r) for r in page],
            "total": len(rows),
            "next": _cursor(following) if following is not None else None,
            "next_url": next_url,
            **_notes(table.synthetic),
            **extra,
        })

    return cached_page(build, "json", cache_control=PUBLIC)


def _notes(synthetic: bool) -> dict:
    return {"synthetic": synthetic, "licence": LICENCE,
            "suppression": {"threshold": threshold(), "unsuppressed_view": monitor_view()}}


# --- the routes -------------------------------------------------------------------------------

@bp.get("/")
def index():
    def build():
        links = {name: url_for(endpoint, _external=True) for name, endpoint in (
            ("indicators", "api.indicators"), ("client_volumes", "api.client_volumes"),
            ("networks", "api.networks"), ("configuration_types", "api.configuration_types"),
            ("steering_summary", "api.steering_summary"), ("areas", "api.areas"),
            ("comparison", "api.comparison"), ("openapi", "api.openapi_document"))}
        return _json({"api": "tym-portal open data", "version": "1", "links": links,
                      "licence": LICENCE})

    return cached_page(build, "json", cache_control=PUBLIC)


@bp.get("/openapi.json")
def openapi_document():
    return conditional(lambda: _json(openapi.document(url_for("api.index", _external=True)
                                                      .rstrip("/"))), "json")


@bp.get("/indicators")
def indicators():
    def build():
        def work(data):
            entries = []
            for indicator in CATALOGUE:
                entry = describe(indicator)
                periods = data.periods(indicator)
                entry.update(periods={"first": periods[0] if periods else None,
                                      "last": periods[-1] if periods else None},
                             synthetic=data.synthetic_sources(indicator),
                             links=_indicator_links(indicator.id))
                entries.append(entry)
            return entries, data.synthetic

        entries, synthetic = with_data(work)
        return _json({"indicators": entries, **_notes(synthetic)})

    return cached_page(build, "json", cache_control=PUBLIC)


def _indicator_links(indicator_id: str) -> dict:
    return {
        "self": url_for("api.indicator", indicator_id=indicator_id, _external=True),
        "values": url_for("api.indicator_values", indicator_id=indicator_id, _external=True),
        "summary": url_for("api.indicator_summary", indicator_id=indicator_id,
                           _external=True),
        "csv": url_for("downloads.indicator_csv", indicator_id=indicator_id, _external=True),
        "page": url_for("indicators.indicator", indicator_id=indicator_id, _external=True),
    }


@bp.get("/indicators/<indicator_id>")
def indicator(indicator_id: str):
    found = get_indicator(indicator_id)

    def build():
        def work(data):
            return data.periods(found), data.synthetic_sources(found)

        periods, synthetic = with_data(work)
        return _json({**describe(found), "periods": periods,
                      "links": _indicator_links(found.id), **_notes(synthetic)})

    return cached_page(build, "json", cache_control=PUBLIC)


@bp.get("/indicators/<indicator_id>/values")
def indicator_values(indicator_id: str):
    found = get_indicator(indicator_id)
    level, period, units = level_arg(LEVELS), period_arg(), units_arg()
    return _page(lambda od: od.indicator_values([found.id], level=level, period=period,
                                                units=units))


@bp.get("/indicators/<indicator_id>/summary")
def indicator_summary(indicator_id: str):
    from portal.opendata.tables import OpenData

    found = get_indicator(indicator_id)
    level = level_arg(LEVELS, "network")
    period = period_arg()

    def build():
        def work(data):
            periods = data.periods(found)
            chosen = period or (periods[-1] if periods else None)
            if chosen is None or chosen not in periods:
                raise NotFoundError(f"{found.id} has no values for period {chosen}")
            opendata = OpenData(data)
            units = [v.unit for v in data.values(found, level=level, period=chosen)]
            peers = opendata.peers(level, chosen, units)
            summary = data.summary(found, level, chosen, peers)
            return chosen, summary, data.synthetic_sources(found)

        chosen, summary, synthetic = with_data(work)
        return _json({
            "indicator": found.id, "level": level, "period": chosen,
            "count": summary.count, "median": summary.median, "q1": summary.q1,
            "q3": summary.q3, "min": summary.minimum, "max": summary.maximum,
            "peer_groups": {g: {**s, "name": PEER_NAMES[g].as_dict()}
                            for g, s in summary.peers.items()},
            **_notes(synthetic)})

    return cached_page(build, "json", cache_control=PUBLIC)


@bp.get("/client-volumes")
def client_volumes():
    level, month, units = level_arg(LEVELS), period_arg("month"), units_arg()
    if month is not None and len(month) != 7:
        raise BadArgument("month must be YYYY-MM")
    return _page(lambda od: od.client_volumes(level=level, month=month, units=units))


@bp.get("/networks")
def networks():
    return _page(lambda od: od.networks())


@bp.get("/configuration-types")
def configuration_types():
    return _page(lambda od: od.configuration_types())


@bp.get("/steering-summary")
def steering_summary():
    return _page(lambda od: od.steering_summary())


@bp.get("/areas")
def areas():
    level = level_arg(("county", "employment_area", "municipality"))
    return _page(lambda od: od.areas(level))


@bp.get("/comparison")
def comparison():
    ids, period, county, kind, peer = comparison_args()

    def factory(opendata):
        return opendata.comparison(ids, period or default_month(opendata.data), county=county,
                                   config_type=kind, peer=peer)

    return _page(factory)


def comparison_args() -> tuple[list[str], str | None, str | None, str | None, str | None]:
    """``indicator`` (repeatable or comma-separated), ``period`` (YYYY-MM), ``county``,
    ``type`` (configuration type) and ``peer`` (peer group) of a comparison."""
    ids = [i for raw in request.args.getlist("indicator") for i in raw.split(",") if i]
    ids = ids or [i.id for i in CATALOGUE if i.kind != "statistics"][:6]
    unknown = [i for i in ids if i not in {x.id for x in CATALOGUE}]
    if unknown:
        raise BadArgument(f"unknown indicator: {unknown[0][:60]}")
    period = period_arg()
    if period is not None and len(period) != 7:
        raise BadArgument("period must be a month (YYYY-MM)")
    county = request.args.get("county") or None
    kind = request.args.get("type") or None
    if kind is not None and kind not in ("1", "2", "3", "4", "5", "incomplete"):
        raise BadArgument("type must be 1, 2, 3, 4, 5 or incomplete")
    peer = request.args.get("peer") or None
    if peer is not None and peer not in PEER_NAMES:
        raise BadArgument(f"peer must be one of: {', '.join(PEER_NAMES)}")
    return list(dict.fromkeys(ids)), period, county, kind, peer

"""The TYM network pages: the national overview (configuration map and table, the
national distribution, the sortable list of networks, the steering-group summary,
continuity and data completeness) and one profile page per network, with the
network's outline served as cacheable GeoJSON and its maps' scripts from their own URLs.

Every figure is computed from the registry on each request (``services.overview``,
``profile.network_profile``), so a change in the registry shows at once. When the
registry holds synthetic demonstration data every page says so (``_notices.html``).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from threading import Lock

from flask import Blueprint, abort, g, jsonify, render_template, request, url_for
from flask_babel import force_locale, format_decimal, format_percent, gettext
from sqlalchemy.exc import SQLAlchemyError

from geodata import maps
from portal.db import get_session
from portal.i18n import current_locale
from portal.registry.geography.boundaries import get_boundary_set
from portal.registry.geography.models import BoundarySet, Level
from portal.registry.geography.profiles import boundary_set_for
from portal.registry.networks import services
from portal.registry.networks.configuration import ConfigType, classify_counties
from portal.registry.networks.continuity import Continuity
from portal.registry.networks.coverage import Geography
from portal.registry.networks.listing import (
    DEFAULT_SORT,
    SORT_KEYS,
    completeness_summary,
    continuity_counts,
    network_rows,
    sort_rows,
)
from portal.registry.networks.profile import (
    UnknownNetwork,
    all_counties,
    area_networks,
    county_networks,
    county_shapes,
    find_network,
    network_profile,
    outline_bounds,
    outline_feature,
)
from portal.settings import LOCALES
from portal.web.caching import SHORT, cached_response
from portal.web.geometry import GEOJSON, topology_version
from portal.web.helpers import ENDPOINTS, InvalidParameter, requested_date

# The map plumbing of the area pages, reused as is (assets, texts, script responses).
from portal.web.maps import (
    PageMap,
    _assets,
    _page_map,
    _render_outline,
    _script_response,
    _texts,
    _tiles,
)
from portal.web.page_cache import cached_page

bp = Blueprint("networks", __name__)

CONFIGURATION_STATUS_ID = "configuration-map-status"
THL_STUDY = {"1": 5, "2": 10, "3": 4, "4": 2, "5": 1, "incomplete": None}  # n = 22 counties


# --- what every page shares ------------------------------------------------------------

def registry_is_synthetic() -> bool:
    """Whether the registry holds demonstration data: asked once per request.

    A page rendered after a database error (the 500 page) cannot ask; it goes without
    the banner rather than failing again.
    """
    if "tym_synthetic" not in g:
        try:
            g.tym_synthetic = services.is_synthetic(get_session())
        except SQLAlchemyError:
            g.tym_synthetic = False
    return g.tym_synthetic


@bp.app_context_processor
def _page_context() -> dict:
    return {"registry_is_synthetic": registry_is_synthetic()}


def _date() -> tuple[dt.date, bool]:
    on = requested_date()
    return (on, True) if on else (dt.date.today(), False)


def _on_param() -> str | None:
    """The visitor's ``?on=`` to keep in links (already validated by ``_date``)."""
    return request.args.get("on") or None


@bp.app_template_global()
def network_url(network, anchor: str | None = None) -> str:
    """The network's page, keeping the requested date."""
    network_id = network if isinstance(network, str) else network.id
    return url_for("networks.profile", network_id=network_id, on=_on_param(), _anchor=anchor)


@bp.app_template_global()
def networks_of_county(code: str, on: dt.date):
    return county_networks(get_session(), code, on)


@bp.app_template_global()
def networks_of_area(area_id: str, on: dt.date):
    return area_networks(get_session(), area_id, on)


@bp.app_template_filter("decimal")
def decimal(value: float | None, digits: int = 1) -> str:
    """A number in the page language (decimal comma in Finnish and Swedish)."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0." + "0" * digits)


@bp.app_template_filter("fte")
def fte(value: float) -> str:
    return format_decimal(value, format="#,##0.0#")


@bp.app_template_filter("percent")
def percent(value: float | None) -> str:
    return "" if value is None else format_percent(value, format="#,##0 %")


# --- labels (translated when asked for, in the page language) ---------------------------

def _labels() -> dict[str, dict[str, str]]:
    return {
        "config_type": {
            "1": gettext("Type 1"), "2": gettext("Type 2"), "3": gettext("Type 3"),
            "4": gettext("Type 4"), "5": gettext("Type 5"),
            "incomplete": gettext("Incomplete or other")},
        "config_definition": {
            "1": gettext("The county and its one employment area coincide: one network."),
            "2": gettext("Several employment areas, one network per area."),
            "3": gettext("Several employment areas, one network for all of them."),
            "4": gettext("Several employment areas, combined networks: fewer networks "
                         "than areas, some covering several areas."),
            "5": gettext("One network and one employment area, but their areas are not "
                         "the same (the area crosses the county border)."),
            "incomplete": gettext("The registry does not describe the county fully: no "
                                  "network registered, or an area split between networks.")},
        "incomplete_reason": {
            "no_networks": gettext("No network is registered for the county."),
            "area_split": gettext("An employment area is split between networks."),
            "areas_mismatch": gettext("The networks do not cover exactly the county's "
                                      "employment areas."),
            "municipality_uncovered": gettext("Some municipalities of the county are in "
                                              "no network."),
            "other": gettext("The networks fit none of the five types.")},
        "continuity": {
            "continues": gettext("Continues a TYP network"),
            "moved": gettext("Municipalities moved"),
            "split": gettext("TYP network split"),
            "merged": gettext("TYP networks merged"),
            "new": gettext("New network")},
        "continuity_definition": {
            "continues": gettext("Exactly the municipalities of one earlier TYP network."),
            "moved": gettext("Mainly one earlier TYP network; single municipalities moved "
                             "between networks."),
            "split": gettext("An earlier TYP network was divided between two or more TYM "
                             "networks."),
            "merged": gettext("Two or more earlier TYP networks went mostly into this one."),
            "new": gettext("No earlier TYP network covered a quarter of its "
                           "municipalities.")},
        # The names below are the same msgids as portal/web/labels.py (the editing
        # forms and history) uses, so a code reads the same everywhere.
        "org_type": {
            "employment_authority": gettext("Employment authority"),
            "county_social": gettext("Wellbeing county, social services"),
            "county_health": gettext("Wellbeing county, health services"),
            "kela": gettext("Kela"),
            "other": gettext("Other organisation")},
        "staff_organisation": {
            "employment_authority": gettext("Employment authority"),
            "county": gettext("Wellbeing county"),
            "kela": gettext("Kela"),
            "other": gettext("Other organisation")},
        "sector": {
            "employment": gettext("Employment services"), "social": gettext("Social care"),
            "health": gettext("Health care"), "benefits": gettext("Benefits"),
            "other": gettext("Other")},
        "status": {
            "draft": gettext("Draft"),
            "confirmed": gettext("Confirmed by the network"),
            "verified": gettext("Verified by the monitoring authority")},
        "section": {
            "purpose": gettext("Purpose"), "parties": gettext("Parties"),
            "area": gettext("Area"), "steering_group": gettext("Steering group"),
            "objectives": gettext("Objectives"),
            "organisation": gettext("Ways of organising the service"),
            "services": gettext("Services offered"), "staff": gettext("Staff"),
            "leader": gettext("The person leading the cooperation and their tasks"),
            "costs": gettext("Costs"),
            "information_system": gettext("Client data and information system"),
            "validity": gettext("Validity and amendment")},
        "coding": {
            "specific": gettext("Present, specific to the network"),
            "general": gettext("Present, general"),
            "absent": gettext("Absent"),
            "": gettext("Not coded")},
        "cost_sharing": {
            "not_stated": gettext("Not stated"),
            "each_bears_own": gettext("Each party bears its own costs"),
            "shared_by_formula": gettext("Shared by a formula"),
            "host_pays": gettext("The host pays"),
            "other": gettext("Other arrangement")},
        "service": {
            "employment": gettext("Employment services"),
            "social": gettext("Social services"),
            "health": gettext("Health services"),
            "kela_rehabilitation": gettext("Kela's rehabilitation"),
            "benefit_advice": gettext("Benefit advice")},
        "maturity": {
            "1": gettext("No interaction."),
            "2": gettext("Interaction, but not regular."),
            "3": gettext("Regular interaction and cooperation, but the whole and its goals have "
                         "not been discussed together."),
            "4": gettext("People in different roles cooperate regularly, and shared goals are "
                         "defined."),
            "5": gettext("Cooperation is an important part of operations, and the joint goals "
                         "support each organisation's goals."),
            "6": gettext("Operations form a whole: cooperation is natural in every sector, and "
                         "shared strategic goals link to each organisation's strategy.")},
    }


@bp.app_template_global()
def label(kind: str, value) -> str:
    """The translated name of ``value`` (an enum member, a code, or None) in ``kind``."""
    key = "" if value is None else str(getattr(value, "value", value))
    labels = g.get("tym_labels")
    if labels is None or labels[0] != current_locale():
        labels = g.tym_labels = (current_locale(), _labels())
    return labels[1][kind].get(key, key)


@bp.app_template_global()
def chart_rows(kind: str, counts: dict, css_prefix: str) -> list[dict]:
    """Rows for the ``bar_chart`` macro: one per key of ``counts``, named by ``label``."""
    rows = []
    for key, value in counts.items():
        code = str(getattr(key, "value", key))
        rows.append({"label": label(kind, code), "value": value, "text": str(value),
                     "css": css_prefix + code})
    return rows


@bp.app_template_global()
def missing_text(code: str, on: dt.date) -> str:
    """What a completeness code means, for the date ``on``."""
    texts = {
        "leader": gettext("The person leading the network"),
        "steering_group": gettext("The steering group"),
        "agreement": gettext("The cooperation agreement"),
        "agreement_coding": gettext("The coding of the agreement against the model "
                                    "agreement"),
        "staff": gettext("Staff resources for %(year)d", year=on.year),
        "maturity": gettext("The cooperation-maturity self-assessment for %(year)d",
                            year=on.year),
        "confirmed_recently": gettext("Confirmation by the network within the last "
                                      "%(days)d days", days=services.STALE_AFTER_DAYS),
    }
    return texts.get(code, code)


# --- the national overview ----------------------------------------------------------------

def _sort_args() -> tuple[str, bool]:
    column = request.args.get("sort") or DEFAULT_SORT
    direction = request.args.get("dir") or "asc"
    if column not in SORT_KEYS:
        raise InvalidParameter(gettext(
            "“%(value)s” is not a column of the list of networks.", value=column[:40]))
    if direction not in ("asc", "desc"):
        raise InvalidParameter(gettext(
            "“%(value)s” is not a sort direction: use asc or desc.", value=direction[:40]))
    return column, direction == "desc"


def _sort_links(column: str, descending: bool) -> dict[str, dict]:
    """For each column heading: its link (the other direction when it is the sorted
    column) and its ``aria-sort``."""
    links = {}
    for name in SORT_KEYS:
        current = name == column
        next_dir = "asc" if (not current or descending) else "desc"
        links[name] = {
            "url": url_for("networks.overview", sort=name, dir=next_dir, on=_on_param(),
                           _anchor="network-list"),
            "aria_sort": ("descending" if descending else "ascending") if current else None,
        }
    return links


@bp.get("/networks")
def overview():
    on, chosen = _date()
    column, descending = _sort_args()
    return cached_page(lambda: _overview_page(on, chosen, column, descending), "html",
                       current_locale())


def _overview_page(on: dt.date, chosen: bool, column: str, descending: bool):
    session = get_session()
    data = services.overview(session, on)
    counties = all_counties(session)
    rows = network_rows(data, counties)
    by_county: dict[str, list] = {}
    for row in sorted(rows, key=lambda r: r.network.id):
        by_county.setdefault(row.network.county_code, []).append(row.network)
    boundary_set = boundary_set_for(session, on)
    continuity = continuity_counts(data)
    locale = current_locale()
    return render_template(
        "networks/overview.html", overview=data, on=on, date_chosen=chosen,
        rows=sort_rows(rows, column, descending, locale),
        sort=column, descending=descending, sort_links=_sort_links(column, descending),
        counties=counties, networks_by_county=by_county, thl_study=THL_STUDY,
        completeness=completeness_summary(rows),
        completeness_rows=sort_rows(rows, "completeness", False, locale),
        continuity=continuity, continuing=continuity[Continuity.continues],
        config_types=list(ConfigType), boundary_set=boundary_set,
        map=_configuration_map(boundary_set, on, {c: k.type.value for c, k in
                                                  data.classifications.items()}))


# --- the configuration map ------------------------------------------------------------------

def _categories() -> tuple[maps.Category, ...]:
    types = tuple(maps.Category(t.value, label("config_type", t), f"tym-config--{t.value}",
                                t.value if t != ConfigType.incomplete else "?")
                  for t in ConfigType)
    return (*types, maps.Category("outside", gettext("Outside the TYM model"),
                                  "tym-config--outside", ""))


_marks_lock = Lock()
_marks: dict[str, dict[str, tuple[float, float]]] = {}


def _county_marks(boundary_set: BoundarySet) -> dict[str, tuple[float, float]]:
    """Where each county's type mark goes, computed once per boundary version."""
    with _marks_lock:
        cached = _marks.get(boundary_set.etag)
    if cached is None:
        cached = maps.label_points(county_shapes(get_session(), boundary_set))
        with _marks_lock:
            _marks.clear()  # one boundary version at a time is plenty
            _marks[boundary_set.etag] = cached
    return cached


@lru_cache(maxsize=64)
def _render_configuration(assets, topology_url, href, categories, assigned, marks, locale,
                          attribution, texts, tiles) -> maps.RenderedMap:
    return maps.render_map(maps.category_map(
        assets, topology_url, Level.county.value, css_class="tym-area--configuration",
        href=href, categories=categories, assigned=dict(assigned), fallback="outside",
        marks=dict(marks), locale=locale, attribution=attribution, texts=texts,
        status_id=CONFIGURATION_STATUS_ID, tiles=tiles, key="configuration"))


def _configuration_rendered(boundary_set: BoundarySet,
                            assigned: dict[str, str]) -> maps.RenderedMap:
    topology = url_for("geometry.topology_versioned", year=boundary_set.year,
                       version=topology_version(boundary_set.etag))
    # url_for escapes braces, so build the template around a placeholder
    href = url_for(ENDPOINTS[Level.county], code="CODE", on=_on_param()).replace(
        "CODE", "{code}")
    return _render_configuration(
        _assets(), topology, href, _categories(), tuple(sorted(assigned.items())),
        tuple(sorted(_county_marks(boundary_set).items())), current_locale(),
        boundary_set.attribution, _texts(), _tiles())


def _configuration_map(boundary_set: BoundarySet | None, on: dt.date,
                       assigned: dict[str, str]) -> PageMap | None:
    if boundary_set is None:
        return None
    return _page_map(_configuration_rendered(boundary_set, assigned),
                     "networks.configuration_script", year=boundary_set.year,
                     on=_on_param())


class _NotServed(Exception):
    """A script or geometry URL that cannot be answered: a small JSON error, not a page."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


@bp.errorhandler(_NotServed)
def _not_served(error: _NotServed):
    names = {400: "Bad Request", 404: "Not Found"}
    return jsonify(error=names[error.status], status=error.status), error.status


def _script_date() -> dt.date:
    """``?on=`` of a script or geometry URL, today when absent."""
    try:
        return requested_date() or dt.date.today()
    except InvalidParameter:
        raise _NotServed(400) from None


def _boundary_set(year: int) -> BoundarySet:
    boundary_set = get_boundary_set(get_session(), year)
    if boundary_set is None:
        raise _NotServed(404)
    return boundary_set


@bp.get("/maps/<int:year>/configuration.<lang>.js")
def configuration_script(year: int, lang: str):
    if lang not in LOCALES:
        raise _NotServed(404)
    on = _script_date()
    boundary_set = _boundary_set(year)
    assigned = {c: k.type.value for c, k in classify_counties(get_session(), on).items()}
    with force_locale(lang):
        return _script_response(_configuration_rendered(boundary_set, assigned).script)


# --- one network ------------------------------------------------------------------------------

@bp.get("/networks/<network_id>")
def profile(network_id: str):
    on, chosen = _date()

    def build():
        try:
            found = network_profile(get_session(), network_id, on)
        except UnknownNetwork:
            abort(404)
        return render_template("networks/profile.html", profile=found,
                               network=found.network, on=on, date_chosen=chosen,
                               map=_outline_map(found),
                               completeness_total=len(services.COMPLETENESS_ITEMS))

    return cached_page(build, "html", current_locale())


def _outline_rendered(boundary_set: BoundarySet, network_id: str, bounds) -> maps.RenderedMap:
    url = url_for("networks.outline", year=boundary_set.year, network_id=network_id,
                  on=_on_param())
    return _render_outline(_assets(), url, bounds, "tym-outline--network",
                           boundary_set.attribution, _texts(), _tiles())


def _outline_map(found) -> PageMap | None:
    if found.boundary_set is None or found.bounds is None:
        return None
    return _page_map(_outline_rendered(found.boundary_set, found.id, found.bounds),
                     "networks.outline_script", year=found.boundary_set.year,
                     network_id=found.id, on=_on_param())


def _network_codes(year: int, network_id: str):
    """The boundary set, the network and its municipality codes on ``?on=`` (today)
    for a script or geometry URL."""
    on = _script_date()
    session = get_session()
    try:
        network = find_network(session, network_id)
    except UnknownNetwork:
        raise _NotServed(404) from None
    return _boundary_set(year), network, Geography(session, on).municipalities_of(network)


@bp.get("/geo/<int:year>/networks/<network_id>.geojson")
def outline(year: int, network_id: str):
    """The network's outline on ``?on=`` (today): its municipalities dissolved."""
    boundary_set, network, codes = _network_codes(year, network_id)
    feature = outline_feature(get_session(), network, boundary_set, codes)
    if feature is None:
        raise _NotServed(404)
    return cached_response(feature, GEOJSON, cache_control=SHORT)


@bp.get("/maps/<int:year>/networks/<network_id>.<lang>.js")
def outline_script(year: int, network_id: str, lang: str):
    if lang not in LOCALES:
        raise _NotServed(404)
    boundary_set, network, codes = _network_codes(year, network_id)
    bounds = outline_bounds(get_session(), boundary_set, codes)
    if bounds is None:
        raise _NotServed(404)
    with force_locale(lang):
        return _script_response(_outline_rendered(boundary_set, network.id, bounds).script)

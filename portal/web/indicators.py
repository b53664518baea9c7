"""The indicator pages: the catalogue, one page per indicator with the tabs Map / Chart /
Table / Sources, the comparison of networks, the choropleth's script, and the template
helper a network's profile uses to show its indicators against the national median.

The URL holds the whole state (``level``, ``period``, ``unit`` selection, ``tab``,
``sort``/``dir``), so any view can be shared; the tabs are plain links (they work
without script). Every value comes from ``portal.web.open_data.with_data`` (suppressed
for the public, unsuppressed and marked for a signed-in monitor).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import force_locale, format_decimal, gettext
from werkzeug.exceptions import NotFound

from geodata import choropleth
from geodata.maps import render_map
from portal.db import get_session
from portal.i18n import current_locale
from portal.opendata.tables import OpenData
from portal.registry.geography.profiles import boundary_set_for
from portal.registry.indicators.catalogue import (
    BY_ID,
    CATALOGUE,
    INPUTS,
    LEVEL_NAMES,
    LEVELS,
    REASON_TEXTS,
    SOURCES,
    Indicator,
    UnknownIndicator,
    get_indicator,
)
from portal.registry.indicators.compute import IndicatorData, Value, parse_period
from portal.registry.indicators.peers import NAMES as PEER_NAMES
from portal.registry.networks.configuration import ConfigType
from portal.registry.statistics.aggregate import period_end
from portal.settings import LOCALES
from portal.web.charts import Series, legend_items, line_chart
from portal.web.errors import render_error
from portal.web.geometry import topology_version
from portal.web.helpers import InvalidParameter, in_sentence
from portal.web.maps import PageMap, _assets, _page_map, _texts, _tiles
from portal.web.open_data import (
    BadArgument,
    conditional,
    default_month,
    monitor_view,
    with_data,
)
from portal.web.page_cache import cached_page

bp = Blueprint("indicators", __name__, url_prefix="/indicators")

TABS = ("map", "chart", "table", "sources")
MAP_STATUS_ID = "indicator-map-status"
MAP_LEVELS = ("network", "employment_area", "county")
MAX_SELECTED = 7
UNIT_ENDPOINTS = {"county": "pages.county", "employment_area": "pages.employment_area"}


@bp.errorhandler(UnknownIndicator)
def _unknown(_error):
    return render_error(NotFound())


@bp.errorhandler(BadArgument)
def _bad(error: BadArgument):
    return render_error(InvalidParameter(str(error)))


# --- formatting -------------------------------------------------------------------------------

def number(value: float | None, indicator: Indicator) -> str:
    if value is None:
        return ""
    digits = indicator.decimals
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern)


def value_text(v: Value | None, indicator: Indicator) -> str:
    """A value in the page language with its unit's sign, or the reason it is blank."""
    if v is None:
        return REASON_TEXTS["not_applicable"].get(current_locale())
    if v.value is None:
        return REASON_TEXTS[v.status or "not_applicable"].get(current_locale())
    text = number(v.value, indicator)
    return text + (" %" if indicator.percent else "")


def unit_link(level: str, code: str) -> str | None:
    if level == "network":
        return url_for("networks.profile", network_id=code)
    if level in UNIT_ENDPOINTS:
        return url_for(UNIT_ENDPOINTS[level], code=code)
    return None


def _name(info, locale: str) -> str:
    if locale == "sv":
        return info.name_sv or info.name_fi
    if locale == "en":
        return info.name_en or info.name_fi
    return info.name_fi


@bp.app_template_filter("indicator_number")
def indicator_number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return ""
    return format_decimal(value, format="#,##0" + ("." + "0" * digits if digits else ""))


@bp.app_template_filter("indicator_value")
def indicator_value(value: float | None, indicator: Indicator) -> str:
    if value is None:
        return ""
    return number(value, indicator) + (" %" if indicator.percent else "")


# --- the state in the URL ------------------------------------------------------------------

@dataclass
class ViewState:
    indicator: Indicator
    level: str
    period: str
    periods: list[str]
    units: list[str]
    tab: str
    sort: str
    descending: bool

    def url(self, **changes) -> str:
        values = {"level": self.level, "period": self.period,
                  "unit": ",".join(self.units) or None, "tab": self.tab,
                  "sort": self.sort if self.sort != "name" else None,
                  "dir": "desc" if self.descending else None}
        values.update(changes)
        return url_for("indicators.indicator", indicator_id=self.indicator.id,
                       **{k: v for k, v in values.items() if v})

    def query(self, **changes) -> dict:
        values = {"level": self.level, "period": self.period}
        if self.units:
            values["unit"] = ",".join(self.units)
        values.update(changes)
        return {k: v for k, v in values.items() if v}


def _state(indicator: Indicator, data: IndicatorData) -> ViewState:
    levels = [lvl for lvl in LEVELS if indicator.exists_at(lvl)]
    level = request.args.get("level") or ("network" if "network" in levels else levels[0])
    if level not in levels:
        raise InvalidParameter(gettext("“%(value)s” is not a level of this indicator.",
                                       value=level[:40]))
    periods = data.periods(indicator)
    period = request.args.get("period") or (periods[-1] if periods else "")
    if periods and period not in periods:
        raise InvalidParameter(gettext("“%(value)s” is not a period of this indicator.",
                                       value=period[:40]))
    units = [u for raw in request.args.getlist("unit") for u in raw.split(",") if u]
    tab = request.args.get("tab") or "map"
    if tab not in TABS:
        raise InvalidParameter(gettext("“%(value)s” is not a tab of this page.",
                                       value=tab[:40]))
    sort = request.args.get("sort") or "name"
    if sort not in ("name", "value", "peer"):
        raise InvalidParameter(gettext("“%(value)s” is not a column of the table.",
                                       value=sort[:40]))
    return ViewState(indicator, level, period, periods, list(dict.fromkeys(units))[
        :MAX_SELECTED], tab, sort, request.args.get("dir") == "desc")


# --- the catalogue page -------------------------------------------------------------------

@bp.get("/")
def index():
    def build():
        locale = current_locale()

        def work(data):
            rows = []
            for indicator in CATALOGUE:
                periods = data.periods(indicator)
                latest = periods[-1] if periods else None
                nation = next(iter(data.values(indicator, level="nation", period=latest)),
                              None) if latest else None
                rows.append({"indicator": indicator, "period": latest,
                             "nation": value_text(nation, indicator) if latest else "",
                             "synthetic": data.synthetic_sources(indicator)})
            return rows, data.synthetic

        rows, synthetic = with_data(work)
        return render_template("indicators/index.html", rows=rows, synthetic=synthetic,
                               locale=locale, kinds=_kind_names())

    return cached_page(build, "html", current_locale())


def _kind_names() -> dict[str, str]:
    return {"clients": gettext("Clients (reported by the networks)"),
            "registry": gettext("Governance and resources (from the registry)"),
            "statistics": gettext("Labour market (open statistics)")}


# --- one indicator ------------------------------------------------------------------------------

@bp.get("/<indicator_id>")
def indicator(indicator_id: str):
    found = get_indicator(indicator_id)

    def build():
        locale = current_locale()

        def work(data):
            state = _state(found, data)
            return state, _page_data(found, data, state, locale)

        state, page = with_data(work)
        return render_template(
            "indicators/indicator.html", indicator=found, state=state, page=page,
            locale=locale, tabs=_tab_names(), levels=[lvl for lvl in LEVELS
                                                      if found.exists_at(lvl)],
            level_names={k: v.get(locale) for k, v in LEVEL_NAMES.items()},
            reason_texts={k: v.get(locale) for k, v in REASON_TEXTS.items()},
            sources=[SOURCES[s] for s in found.sources], inputs=_inputs_used(found),
            monitor=monitor_view(), map_year=_map_year(found, state),
            map=_choropleth(found, state, page) if state.tab == "map" else None)

    return cached_page(build, "html", current_locale())


def _map_year(indicator: Indicator, state: ViewState) -> int | None:
    if not state.period:
        return None
    on = min(period_end(parse_period(state.period), indicator.frequency), dt.date.today())
    boundary_set = boundary_set_for(get_session(), on)
    return boundary_set.year if boundary_set else None


def _tab_names() -> dict[str, str]:
    return {"map": gettext("Map"), "chart": gettext("Chart"), "table": gettext("Table"),
            "sources": gettext("Sources")}


def _inputs_used(indicator: Indicator) -> list[dict]:
    def work(data):
        rows = []
        for key in indicator.inputs:
            used = data.inputs.get(key)
            dataset = data.datasets.get(used.dataset_id) if used else None
            rows.append({"key": key, "candidates": INPUTS[key], "used": used,
                         "dataset": dataset})
        return rows

    return with_data(work)


def _page_data(indicator: Indicator, data: IndicatorData, state: ViewState,
               locale: str) -> dict:
    opendata = OpenData(data)
    rows = opendata.values(indicator, level=state.level, period=state.period)
    peers = opendata.peers(state.level, state.period, [r.unit for r in rows]) \
        if state.period else {}
    summary = data.summary(indicator, state.level, state.period, peers) if state.period \
        else None
    table = []
    for v in rows:
        info = opendata.name(v.level, v.unit)
        county = opendata.name("county", info.county) if info.county else None
        table.append({"value": v, "code": v.unit, "name": _name(info, locale),
                      "name_lang": "fi" if locale == "en" and v.level == "network" else locale,
                      "url": unit_link(v.level, v.unit),
                      "county": _name(county, locale) if county else "",
                      "peer": peers.get(v.unit), "text": value_text(v, indicator)})
    key = {"name": lambda r: r["name"].casefold(),
           "value": lambda r: (r["value"].value is None,
                               r["value"].value if r["value"].value is not None else 0),
           "peer": lambda r: (r["peer"] or "~", r["name"].casefold())}[state.sort]
    table.sort(key=key, reverse=state.descending)
    if state.descending and state.sort == "value":  # blanks last in both directions
        table.sort(key=lambda r: r["value"].value is None)
    choices = [{"code": r["code"], "name": r["name"]} for r in
               sorted(table, key=lambda r: r["name"].casefold())]
    series = _series(indicator, data, opendata, state, locale) if state.tab == "chart" \
        else None
    return {"rows": table, "summary": summary, "choices": choices, "series": series,
            "synthetic": data.synthetic_sources(indicator),
            "unsuppressed": any(v.unsuppressed for v in rows),
            "nation": next(iter(data.values(indicator, level="nation",
                                            period=state.period)), None),
            "peer_names": {k: v.get(locale) for k, v in PEER_NAMES.items()}}


def _series(indicator: Indicator, data: IndicatorData, opendata: OpenData, state: ViewState,
            locale: str) -> dict:
    """The chart: the selected units (or the whole country) and the national median of
    the level over every period, and the same numbers as table rows."""
    periods = state.periods
    chosen = state.units or ([] if state.level == "nation" else [])
    lines = []
    by_unit: dict[str, dict[str, Value]] = {}
    for v in data.values(indicator, level=state.level, units=chosen):
        by_unit.setdefault(v.unit, {})[v.period] = v
    for unit in chosen:
        info = opendata.name(state.level, unit)
        values = by_unit.get(unit, {})
        lines.append(Series(_name(info, locale),
                            [(p, values[p].value if p in values else None) for p in periods]))
    nation = {v.period: v for v in data.values(indicator, level="nation")}
    if state.level != "nation":
        lines.append(Series(LEVEL_NAMES["nation"].get(locale),
                            [(p, nation[p].value if p in nation else None) for p in periods]))
    medians = {p: opendata.median(indicator, state.level, p) for p in periods}
    median_label = gettext("National median of the %(level)s level",
                           level=in_sentence(LEVEL_NAMES[state.level].get(locale)))
    if state.level != "nation":
        lines.append(Series(median_label, [(p, medians[p]) for p in periods], median=True))

    def fmt(value: float) -> str:
        return number(value, indicator)

    title = gettext("%(indicator)s, %(first)s–%(last)s", indicator=indicator.name.get(locale),
                    first=periods[0] if periods else "", last=periods[-1] if periods else "")
    table = []
    for p in periods:
        cells = [value_text(by_unit.get(u, {}).get(p), indicator) for u in chosen]
        if state.level != "nation":
            cells.append(value_text(nation.get(p), indicator))
            cells.append(number(medians[p], indicator))
        table.append({"period": p, "cells": cells})
    return {"svg": line_chart(periods, lines, title=title, number=fmt,
                              label_id="chart-caption"),
            "legend": legend_items(lines), "title": title,
            "headers": [s.label for s in lines], "table": table}


# --- the choropleth -------------------------------------------------------------------------

def _map_areas(indicator: Indicator, level: str, period: str, data: IndicatorData,
               locale: str) -> tuple[dict, list[dict], list[str]]:
    """(areas for the map, legend classes, colours) of one level and period."""
    rows = data.values(indicator, level=level, period=period)
    values = [v.value for v in rows if v.value is not None]
    breaks = choropleth.quantile_breaks(values)
    colours = choropleth.PALETTES.get(len(breaks), ())
    areas: dict[str, choropleth.Area] = {}
    members: dict[str, frozenset[str]] = {}
    if level == "network":
        first = parse_period(period)
        members = data.coverage(first, indicator.frequency).municipalities
    names = OpenData(data).names
    for v in rows:
        category = choropleth.classify(v.value, breaks) if v.value is not None else None
        info = names.get((level, v.unit))
        areas[v.unit] = choropleth.Area(
            category, value_text(v, indicator), tuple(sorted(members.get(v.unit, ()))),
            info.name_fi if info else v.unit, info.name_sv if info else v.unit)
    legend = []
    lower = min(values) if values else None
    for index, upper in enumerate(breaks):
        count = sum(1 for a in areas.values() if a.category == index)
        text = (number(upper, indicator) if lower == upper else
                f"{number(lower, indicator)} – {number(upper, indicator)}")
        legend.append({"colour": colours[index], "label": text, "count": count})
        lower = upper
    blank = sum(1 for a in areas.values() if a.category is None)
    if blank:
        legend.append({"colour": choropleth.NO_DATA, "label": gettext(
            "No value (suppressed, not reported, not applicable or not yet released)"),
            "count": blank})
    return areas, legend, list(colours)


@lru_cache(maxsize=128)
def _render(assets, topology_url, object_name, href, colours, areas, grouped, locale,
            attribution, texts, tiles):
    return render_map(choropleth.choropleth_map(
        assets, topology_url, object_name, href=href, colours=colours, areas=dict(areas),
        grouped=grouped, locale=locale, attribution=attribution, texts=texts,
        status_id=MAP_STATUS_ID, tiles=tiles))


def _rendered(indicator: Indicator, level: str, period: str, data: IndicatorData):
    locale = current_locale()
    first = parse_period(period)
    on = min(period_end(first, indicator.frequency), dt.date.today())
    boundary_set = boundary_set_for(get_session(), on)
    if boundary_set is None:
        return None, []
    areas, legend, colours = _map_areas(indicator, level, period, data, locale)
    topology = url_for("geometry.topology_versioned", year=boundary_set.year,
                       version=topology_version(boundary_set.etag))
    href = (url_for("networks.profile", network_id="CODE") if level == "network"
            else url_for(UNIT_ENDPOINTS[level], code="CODE")).replace("CODE", "{code}")
    object_name = "municipality" if level == "network" else level
    rendered = _render(_assets(), topology, object_name, href, tuple(colours),
                       tuple(sorted(areas.items())), level == "network", locale,
                       boundary_set.attribution, _texts(), _tiles())
    return rendered, legend


def _choropleth(indicator: Indicator, state: ViewState, page: dict) -> PageMap | None:
    if state.level not in MAP_LEVELS or not state.period:
        page["legend"] = []
        return None
    rendered, legend = with_data(lambda d: _rendered(indicator, state.level, state.period, d))
    page["legend"] = legend
    if rendered is None:
        return None
    return _page_map(rendered, "indicators.map_script", indicator_id=indicator.id,
                     level=state.level, period=state.period)


@bp.get("/<indicator_id>/map.<lang>.js")
def map_script(indicator_id: str, lang: str):
    found = get_indicator(indicator_id)
    level = request.args.get("level") or ""
    period = request.args.get("period") or ""
    if lang not in LOCALES or level not in MAP_LEVELS or not found.exists_at(level):
        abort(404)

    def build():
        from flask import Response

        with force_locale(lang):
            def work(data):
                if period not in data.periods(found):
                    abort(404)
                return _rendered(found, level, period, data)[0]

            rendered = with_data(work)
        if rendered is None:
            abort(404)
        return Response(rendered.script, mimetype="text/javascript")

    return conditional(build, "js", lang)


# --- the comparison of networks ----------------------------------------------------------------

COMPARISON_DEFAULT = ("clients-per-1000-long-term-unemployed", "new-clients-per-10000-working-age",
                      "exits-to-work-or-education-per-100-ended", "clients-per-staff-fte",
                      "steering-group-size", "unemployment-rate")


@bp.get("/compare")
def compare():
    from portal.web.api import comparison_args

    def build():
        locale = current_locale()
        chosen = [i for raw in request.args.getlist("indicator") for i in raw.split(",") if i]
        ids, period, county, kind, peer = comparison_args()
        if not chosen:
            ids = list(COMPARISON_DEFAULT)
        sort = request.args.get("sort") or "name"
        if sort != "name" and sort not in ids:
            raise InvalidParameter(gettext("“%(value)s” is not a column of the table.",
                                           value=sort[:40]))
        descending = request.args.get("dir") == "desc"

        def work(data):
            month = period or default_month(data)
            opendata = OpenData(data)
            table = opendata.comparison(ids, month, county=county, config_type=kind,
                                        peer=peer)
            rows = list(table.iter_rows())
            months = sorted({p for i in CATALOGUE if i.frequency == "month"
                             for p in data.periods(i)})
            counties = sorted({(r[3], _name(opendata.name("county", r[3]), locale))
                               for r in rows if r[3]} |
                              {(c, _name(opendata.name("county", c), locale))
                               for c in data.coverage(parse_period(month)).by_county},
                              key=lambda c: c[1])
            return month, table, rows, months, counties, data.synthetic

        month, table, rows, months, counties, synthetic = with_data(work)
        indicators = [BY_ID[i] for i in ids]
        shaped = []
        for r in rows:
            cells = []
            for n, i in enumerate(indicators):
                value, status = r[6 + 2 * n], r[7 + 2 * n]
                v = Value(i.id, "network", r[0], month, value, status)
                cells.append({"value": value, "text": value_text(v, i)})
            shaped.append({"code": r[0], "name": r[1] if locale != "sv" else r[2],
                           "county": r[3], "type": r[4], "peer": r[5], "cells": cells,
                           "unsuppressed": r[-1]})
        if sort == "name":
            shaped.sort(key=lambda r: r["name"].casefold(), reverse=descending)
        else:
            index = ids.index(sort)
            present = [r for r in shaped if r["cells"][index]["value"] is not None]
            missing = [r for r in shaped if r["cells"][index]["value"] is None]
            present.sort(key=lambda r: r["cells"][index]["value"], reverse=descending)
            shaped = present + missing
        medians = with_data(lambda d: [OpenData(d).median(
            i, "network", _period_for(i, month)) for i in indicators])
        return render_template(
            "indicators/compare.html", indicators=indicators, rows=shaped, month=month,
            months=months, counties=counties, county=county, kind=kind, peer=peer,
            chosen=ids, sort=sort, descending=descending, locale=locale,
            catalogue=CATALOGUE, types=[t.value for t in ConfigType],
            peer_names={k: v.get(locale) for k, v in PEER_NAMES.items()},
            medians=[number(m, i) if m is not None else "" for m, i in
                     zip(medians, indicators, strict=True)],
            synthetic=synthetic or table.synthetic, monitor=monitor_view(),
            query={k: v for k, v in {"indicator": ",".join(ids), "period": month,
                                     "county": county, "type": kind,
                                     "peer": peer}.items() if v})

    return cached_page(build, "html", current_locale())


def _period_for(indicator: Indicator, month: str) -> str:
    return month[:4] if indicator.frequency == "year" else month


# --- the network profile's panel ---------------------------------------------------------------

PROFILE_INDICATORS = ("active-clients", "clients-per-1000-long-term-unemployed",
                      "new-clients-per-10000-working-age",
                      "exits-to-work-or-education-per-100-ended", "clients-per-staff-fte",
                      "steering-group-size", "health-share-of-county-staff",
                      "agreement-completeness", "unemployment-rate",
                      "long-term-unemployment-share")


@bp.app_template_global()
def network_indicators(network_id: str) -> dict:
    """A network's latest value of each profile indicator next to the national median
    of the networks (for ``indicators/_network_indicators.html``)."""
    locale = current_locale()

    def work(data):
        rows = []
        opendata = OpenData(data)
        for indicator_id in PROFILE_INDICATORS:
            indicator = BY_ID[indicator_id]
            periods = data.periods(indicator)
            if not periods:
                continue
            period = periods[-1]
            value = next(iter(data.values(indicator, level="network", period=period,
                                          units=[network_id])), None)
            if value is None:
                continue
            median = opendata.median(indicator, "network", period)
            rows.append({"indicator": indicator, "name": indicator.name.get(locale),
                         "period": period, "text": value_text(value, indicator),
                         "median": number(median, indicator) + (
                             " %" if indicator.percent and median is not None else ""),
                         "relation": _relation(value.value, median),
                         "url": url_for("indicators.indicator", indicator_id=indicator.id,
                                        level="network", period=period, unit=network_id,
                                        tab="chart")})
        return {"rows": rows, "synthetic": data.synthetic,
                "unsuppressed": monitor_view()}

    try:
        return with_data(work)
    except Exception:  # noqa: BLE001 - a profile page must not fail because of this panel
        import logging

        logging.getLogger(__name__).exception("network indicators not available")
        return {"rows": [], "synthetic": False, "unsuppressed": False}


def _relation(value: float | None, median: float | None) -> str:
    if value is None or median is None:
        return ""
    if abs(value - median) <= 1e-9 * max(1.0, abs(median)):
        return gettext("at the median")
    return gettext("above the median") if value > median else gettext("below the median")


__all__ = ["bp", "network_indicators"]

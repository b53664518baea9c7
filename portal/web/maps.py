"""The pages' maps: built with ``geodata.maps`` from our own URLs, their JavaScript
served from its own cacheable URL (no inline script, ready for a strict CSP).

A page asks for ``national_map(...)`` or ``outline_map(...)`` and gets a ``PageMap``:
the id of the element to draw into, the script URL (with a content hash, so it can
be cached for a year) and the libraries to load first. The script endpoints rebuild
the same map from the same inputs; rendering is memoised per input.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import Blueprint, abort, current_app, request, url_for
from flask_babel import force_locale, gettext

from geodata import maps
from portal.db import get_session
from portal.i18n import current_locale
from portal.registry.geography.boundaries import get_boundary_set, get_shape
from portal.registry.geography.models import AreaShape, BoundarySet, Level
from portal.registry.geography.profiles import find_unit
from portal.settings import LOCALES
from portal.web.caching import IMMUTABLE, SHORT, cached_response, digest
from portal.web.geometry import topology_version
from portal.web.helpers import ENDPOINTS, SEGMENTS, level_for_segment

bp = Blueprint("maps", __name__, url_prefix="/maps")

NATIONAL_STATUS_ID = "map-status"
OUTLINE_STATUS_ID = "area-map-status"
JAVASCRIPT = "text/javascript"


@dataclass(frozen=True)
class PageMap:
    element_id: str
    script_url: str
    js_urls: tuple[str, ...]
    css_urls: tuple[str, ...]


def _assets() -> maps.MapAssets:
    def static(name: str) -> str:
        return url_for("static", filename=f"vendor/{name}")

    return maps.MapAssets(leaflet_js=static("leaflet/leaflet.js"),
                          leaflet_css=static("leaflet/leaflet.css"),
                          topojson_js=static("topojson-client/topojson-client.min.js"))


def _tiles() -> maps.Tiles | None:
    url = current_app.config.get("TILE_URL") or ""
    return maps.Tiles(url, current_app.config.get("TILE_ATTRIBUTION") or "") if url else None


def _texts() -> maps.MapTexts:
    return maps.MapTexts(
        loading=gettext("Loading the map…"),
        failed=gettext("The map could not be loaded. The same information is in the "
                       "tables on this page."),
        layers=gettext("Map layers"),
        zoom_in=gettext("Zoom in"),
        zoom_out=gettext("Zoom out"))


def _layers() -> tuple[maps.AreaLayer, ...]:
    def href(level: Level) -> str:
        # url_for escapes braces, so build the template around a placeholder
        return url_for(ENDPOINTS[level], code="CODE").replace("CODE", "{code}")

    return (
        maps.AreaLayer("county", gettext("Wellbeing services counties"), "tym-area--county",
                       href(Level.county), selected=True),
        maps.AreaLayer("employment_area", gettext("Employment areas"),
                       "tym-area--employment_area", href(Level.employment_area)),
        maps.AreaLayer("municipality", gettext("Municipalities"), "tym-area--municipality",
                       href(Level.municipality)),
    )


@lru_cache(maxsize=64)
def _render_national(assets, topology_url, layers, locale, attribution, texts, tiles):
    return maps.render_map(maps.national_map(
        assets, topology_url, layers, locale=locale, attribution=attribution, texts=texts,
        status_id=NATIONAL_STATUS_ID, tiles=tiles))


@lru_cache(maxsize=512)
def _render_outline(assets, geojson_url, bounds, css_class, attribution, texts, tiles):
    return maps.render_map(maps.outline_map(
        assets, geojson_url, bounds, css_class=css_class, attribution=attribution,
        texts=texts, status_id=OUTLINE_STATUS_ID, tiles=tiles))


def _national(boundary_set: BoundarySet) -> maps.RenderedMap:
    url = url_for("geometry.topology_versioned", year=boundary_set.year,
                  version=topology_version(boundary_set.etag))
    return _render_national(_assets(), url, _layers(), current_locale(),
                            boundary_set.attribution, _texts(), _tiles())


def _outline(boundary_set: BoundarySet, shape: AreaShape) -> maps.RenderedMap:
    url = url_for("geometry.area", year=boundary_set.year, segment=SEGMENTS[shape.level],
                  code=shape.code)
    bounds = ((shape.min_lat, shape.min_lon), (shape.max_lat, shape.max_lon))
    return _render_outline(_assets(), url, bounds, f"tym-outline--{shape.level.value}",
                           boundary_set.attribution, _texts(), _tiles())


def _page_map(rendered: maps.RenderedMap, endpoint: str, **values) -> PageMap:
    version = digest(rendered.script)[:16]
    return PageMap(rendered.element_id,
                   url_for(endpoint, lang=current_locale(), v=version, **values),
                   rendered.js_urls, rendered.css_urls)


def national_map(boundary_set: BoundarySet | None) -> PageMap | None:
    """The national map for a page, or None when no boundaries are loaded."""
    if boundary_set is None:
        return None
    return _page_map(_national(boundary_set), "maps.national_script",
                     year=boundary_set.year)


def outline_map(boundary_set: BoundarySet | None, shape: AreaShape | None) -> PageMap | None:
    """The small map of one area for its page, or None when it has no outline."""
    if boundary_set is None or shape is None:
        return None
    return _page_map(_outline(boundary_set, shape), "maps.outline_script",
                     year=boundary_set.year, segment=SEGMENTS[shape.level], code=shape.code)


def _script_response(script: str):
    version = digest(script)[:16]
    immutable = request.args.get("v") == version
    return cached_response(script, JAVASCRIPT, cache_control=IMMUTABLE if immutable else SHORT)


@bp.get("/<int:year>/national.<lang>.js")
def national_script(year: int, lang: str):
    if lang not in LOCALES:
        abort(404)
    boundary_set = get_boundary_set(get_session(), year)
    if boundary_set is None:
        abort(404)
    with force_locale(lang):
        return _script_response(_national(boundary_set).script)


@bp.get("/<int:year>/<segment>/<code>.<lang>.js")
def outline_script(year: int, segment: str, code: str, lang: str):
    level = level_for_segment(segment)
    session = get_session()
    find_unit(session, level, code)  # UnknownArea -> 404
    boundary_set = get_boundary_set(session, year)
    shape = get_shape(session, year, level, code) if boundary_set and lang in LOCALES else None
    if shape is None:
        abort(404)
    with force_locale(lang):
        return _script_response(_outline(boundary_set, shape).script)

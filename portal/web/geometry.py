"""Geometry endpoints: a boundary set's shared-arc TopoJSON and one area's GeoJSON.

Always EPSG:4326 lon/lat, as stored by ``portal.registry.geography.boundaries``.
Every answer carries an ETag, revalidates to 304, is gzipped for clients that accept
it, and says how long it may be cached. The topology's content-hashed URL is what
the map pages use: it never changes meaning, so browsers keep it for a year.
"""

from __future__ import annotations

import json

from flask import Blueprint, abort, redirect, url_for

from portal.db import get_session
from portal.registry.geography.boundaries import get_boundary_set, get_shape
from portal.registry.geography.profiles import find_unit
from portal.web.caching import IMMUTABLE, SHORT, cached_response
from portal.web.helpers import level_for_segment

bp = Blueprint("geometry", __name__, url_prefix="/geo")

TOPOJSON = "application/json"
GEOJSON = "application/geo+json"
VERSION_LENGTH = 16  # hex digits of the topology's sha256 used in its immutable URL


def topology_version(etag: str) -> str:
    return etag[:VERSION_LENGTH]


def _boundary_set(year: int):
    boundary_set = get_boundary_set(get_session(), year)
    if boundary_set is None:
        abort(404)
    return boundary_set


@bp.get("/<int:year>/topology.json")
def topology(year: int):
    """The current topology of ``year``; revalidated after a few minutes."""
    boundary_set = _boundary_set(year)
    return cached_response(boundary_set.topology, TOPOJSON, etag=boundary_set.etag,
                           cache_control=SHORT)


@bp.get("/<int:year>/topology.<version>.json")
def topology_versioned(year: int, version: str):
    """The topology at one content version; an old version redirects to the current one."""
    boundary_set = _boundary_set(year)
    current = topology_version(boundary_set.etag)
    if version != current:
        return redirect(url_for(".topology_versioned", year=year, version=current))
    return cached_response(boundary_set.topology, TOPOJSON, etag=boundary_set.etag,
                           cache_control=IMMUTABLE)


@bp.get("/<int:year>/<segment>/<code>.geojson")
def area(year: int, segment: str, code: str):
    """One area as a GeoJSON Feature with its names and bounding box."""
    level = level_for_segment(segment)
    session = get_session()
    unit = find_unit(session, level, code)  # UnknownArea -> 404
    shape = get_shape(session, year, level, code)
    if shape is None:
        abort(404)
    return cached_response(feature_text(level.value, code, unit, shape), GEOJSON,
                           cache_control=SHORT)


def feature_text(level: str, code: str, unit, shape) -> str:
    """The Feature as text, splicing in the stored geometry text without re-encoding it."""
    properties = {"level": level, "code": code, "name_fi": unit.name_fi,
                  "name_sv": unit.name_sv, "name_en": getattr(unit, "name_en", None)}
    bbox = [shape.min_lon, shape.min_lat, shape.max_lon, shape.max_lat]
    members = {"type": '"Feature"', "id": json.dumps(code), "bbox": json.dumps(bbox),
               "properties": json.dumps(properties, ensure_ascii=False),
               "geometry": shape.geometry}
    return "{" + ", ".join(f'"{key}": {value}' for key, value in members.items()) + "}"

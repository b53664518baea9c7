"""Downloads at stable URLs: every table as RFC 4180 CSV (``<name>.csv``) and as "Excel
(fi/sv)" CSV (``<name>.excel.csv``), area layers and indicator maps as GeoJSON
(EPSG:4326), the bulk ZIP with its Frictionless ``datapackage.json``, and the DCAT-AP
catalogue (``/catalog.ttl``, ``/catalog.rdf``, ``/catalog.jsonld``) for avoindata.fi.

Exports stream; every answer has an ETag and Last-Modified and revalidates to 304
(``portal.web.open_data``).
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for

from portal.db import get_session
from portal.opendata import dcat
from portal.opendata.datapackage import descriptor, zip_chunks
from portal.opendata.formats import csv_chunks, geojson_chunks, json_text
from portal.opendata.tables import OpenData
from portal.registry.geography.models import AreaShape, Level
from portal.registry.geography.profiles import boundary_set_for
from portal.registry.indicators.catalogue import (
    CATALOGUE,
    LEVELS,
    UnknownIndicator,
    get_indicator,
)
from portal.registry.indicators.compute import NATION
from portal.web.api import comparison_args
from portal.web.open_data import (
    BadArgument,
    conditional,
    date_arg,
    default_month,
    etag_for,
    level_arg,
    not_modified,
    period_arg,
    snapshot,
    streamed,
    units_arg,
    with_data,
    with_validators,
)

bp = Blueprint("downloads", __name__)

CSV = "text/csv"
GEOJSON = "application/geo+json"
ZIP_NAME = "tym-open-data.zip"


@bp.errorhandler(BadArgument)
def _bad_argument(error: BadArgument):
    return jsonify(error=str(error), status=400), 400


@bp.errorhandler(UnknownIndicator)
def _unknown(error: UnknownIndicator):
    return jsonify(error=str(error).strip("'\""), status=404), 404


def _flavour(name: str) -> tuple[str, str]:
    """``client-volumes.excel`` -> (``client-volumes``, ``excel``)."""
    if name.endswith(".excel"):
        return name.removesuffix(".excel"), "excel"
    return name, "rfc4180"


def _csv(factory, filename: str, flavour: str):
    """A table as a streamed CSV download, or a 304."""
    etag = etag_for("csv", flavour)
    cached = not_modified(etag)
    if cached is not None:
        return cached
    table, rows = snapshot(factory)
    suffix = ".excel.csv" if flavour == "excel" else ".csv"
    response = streamed(csv_chunks(table.columns, rows, flavour=flavour), CSV,
                        filename + suffix)
    if flavour == "rfc4180":
        response.headers["Content-Type"] = f"{CSV}; charset=utf-8; header=present"
    return with_validators(response, etag)


TABLES = {
    "indicators": lambda od: od.indicators(),
    "client-volumes": None,  # filtered: see client_volumes_factory
    "indicator-values": None,
    "networks": lambda od: od.networks(),
    "configuration-types": lambda od: od.configuration_types(),
    "steering-summary": lambda od: od.steering_summary(),
    "areas": None,
    "comparison": None,
}


def _factory(name: str):
    if name == "client-volumes":
        level, month, units = level_arg(LEVELS), period_arg("month"), units_arg()
        return lambda od: od.client_volumes(level=level, month=month, units=units)
    if name == "indicator-values":
        level, period, units = level_arg(LEVELS), period_arg(), units_arg()
        ids = [i for raw in request.args.getlist("indicator") for i in raw.split(",") if i]
        for i in ids:
            get_indicator(i)
        return lambda od: od.indicator_values(ids or None, level=level, period=period,
                                              units=units)
    if name == "areas":
        level = level_arg(("county", "employment_area", "municipality"))
        return lambda od: od.areas(level)
    if name == "comparison":
        ids, period, county, kind, peer = comparison_args()
        return lambda od: od.comparison(ids, period or default_month(od.data), county=county,
                                        config_type=kind, peer=peer)
    return TABLES[name]


@bp.get("/downloads/")
def index():
    def build():
        return Response(render_template("downloads/index.html", indicators=CATALOGUE,
                                        tables=list(TABLES), zip_name=ZIP_NAME,
                                        synthetic=with_data(lambda d: d.synthetic)))

    return conditional(build, "html")


@bp.get("/downloads/<name>.csv")
def table_csv(name: str):
    name, flavour = _flavour(name)
    if name not in TABLES:
        abort(404)
    return _csv(_factory(name), name, flavour)


@bp.get("/downloads/indicators/<indicator_id>.csv")
def indicator_csv(indicator_id: str):
    indicator_id, flavour = _flavour(indicator_id)
    found = get_indicator(indicator_id)
    level, period, units = level_arg(LEVELS), period_arg(), units_arg()
    return _csv(lambda od: od.indicator_values([found.id], level=level, period=period,
                                               units=units), f"indicator-{found.id}", flavour)


# --- GeoJSON --------------------------------------------------------------------------------

def _shapes(level: str, on: dt.date) -> tuple[int | None, list]:
    from sqlalchemy import select

    session = get_session()
    boundary_set = boundary_set_for(session, on)
    if boundary_set is None:
        return None, []
    shapes = session.scalars(select(AreaShape).where(
        AreaShape.boundary_set_id == boundary_set.id, AreaShape.level == Level(level))
        .order_by(AreaShape.code))
    return boundary_set.year, list(shapes)


def _network_features(on: dt.date) -> tuple[int | None, list[tuple[str, dict, str]]]:
    """Each network valid on ``on`` as (id, properties, geometry text): the union of its
    municipalities' outlines."""
    import shapely

    from geodata.topology import to_geojson_geometry
    from portal.registry.networks.coverage import Geography, networks_on

    year, shapes = _shapes("municipality", on)
    if year is None:
        return None, []
    by_code = {s.code: s.geometry for s in shapes}
    session = get_session()
    geography = Geography(session, on)
    features = []
    for network in networks_on(session, on):
        codes = sorted(geography.municipalities_of(network) & by_code.keys())
        if not codes:
            continue
        union = shapely.union_all([shapely.from_geojson(by_code[c]) for c in codes])
        features.append((network.id, {
            "level": "network", "code": network.id, "name_fi": network.name_fi,
            "name_sv": network.name_sv, "county_code": network.county_code,
            "municipalities": codes, "synthetic": bool(network.synthetic)},
            json_text(to_geojson_geometry(union))))
    return year, features


def _layer(level: str, on: dt.date) -> tuple[int | None, list[tuple[str, dict, str]]]:
    if level == "network":
        return _network_features(on)
    year, shapes = _shapes(level, on)
    names = with_data(lambda d: OpenData(d).names)
    features = []
    for shape in shapes:
        info = names.get((level, shape.code))
        properties = {"level": level, "code": shape.code,
                      "name_fi": info.name_fi if info else None,
                      "name_sv": info.name_sv if info else None,
                      "name_en": info.name_en if info else None}
        features.append((shape.code, properties, shape.geometry))
    return year, features


AREA_LAYERS = ("county", "employment_area", "municipality", "network")


@bp.get("/downloads/areas/<level>.geojson")
def area_layer(level: str):
    if level not in AREA_LAYERS:
        abort(404)
    on = date_arg()
    etag = etag_for("geojson")
    cached = not_modified(etag)
    if cached is not None:
        return cached
    year, features = _layer(level, on)
    if year is None:
        abort(404)
    metadata = {"name": f"{level} {on.isoformat()}", "crs_note": "EPSG:4326 (lon, lat)",
                "boundaries": year, "licence": "CC-BY-4.0",
                "attribution": "Statistics Finland / National Land Survey of Finland"}
    return with_validators(streamed(geojson_chunks(features, metadata=metadata), GEOJSON,
                                f"{level}.geojson"), etag)


@bp.get("/downloads/indicators/<indicator_id>.geojson")
def indicator_geojson(indicator_id: str):
    found = get_indicator(indicator_id)
    level = level_arg(("network", "employment_area", "county"), "county")
    period = period_arg()
    etag = etag_for("geojson")
    cached = not_modified(etag)
    if cached is not None:
        return cached

    def work(data):
        periods = data.periods(found)
        chosen = period or (periods[-1] if periods else None)
        rows = {v.unit: v for v in data.values(found, level=level, period=chosen)}
        return chosen, rows, data.synthetic_sources(found)

    chosen, rows, synthetic = with_data(work)
    from portal.registry.indicators.compute import parse_period
    from portal.registry.statistics.aggregate import period_end

    on = period_end(parse_period(chosen), found.frequency) if chosen else date_arg()
    year, features = _layer(level, min(on, dt.date.today()))
    if year is None:
        abort(404)

    def with_values():
        for code, properties, geometry in features:
            v = rows.get(code)
            yield code, {**properties, "indicator": found.id, "period": chosen,
                         "value": v.value if v else None,
                         "status": v.status if v else "not_applicable",
                         "synthetic": synthetic,
                         "unsuppressed": bool(v and v.unsuppressed)}, geometry

    metadata = {"name": f"{found.id} {level} {chosen}", "indicator": found.id,
                "crs_note": "EPSG:4326 (lon, lat)", "boundaries": year, "synthetic": synthetic,
                "licence": "CC-BY-4.0"}
    return with_validators(streamed(geojson_chunks(with_values(), metadata=metadata), GEOJSON,
                                f"{found.id}-{level}.geojson"), etag)


# --- the bulk ZIP and its datapackage.json ----------------------------------------------------

BULK = ("indicators", "indicator-values", "client-volumes", "networks",
        "configuration-types", "steering-summary", "areas")


def _bulk_snapshots():
    on = date_arg()

    def work(data):
        opendata = OpenData(data, on)
        factories = {"indicators": opendata.indicators,
                     "indicator-values": opendata.indicator_values,
                     "client-volumes": opendata.client_volumes,
                     "networks": opendata.networks,
                     "configuration-types": opendata.configuration_types,
                     "steering-summary": opendata.steering_summary,
                     "areas": opendata.areas}
        found = []
        for name in BULK:
            table = factories[name]()
            found.append((table, list(table.iter_rows())))
        return found, data.synthetic

    return with_data(work)


def _package(snapshots, synthetic: bool) -> dict:
    return descriptor([t for t, _ in snapshots], homepage=url_for("downloads.index",
                                                                   _external=True),
                      created=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                      synthetic=synthetic)


@bp.get("/downloads/datapackage.json")
def datapackage():
    def build():
        snapshots, synthetic = _bulk_snapshots()
        package = _package([(t, []) for t, _ in snapshots], synthetic)
        for resource in package["resources"]:
            resource["path"] = url_for("downloads.table_csv", name=resource["name"],
                                       _external=True)
        return Response(json_text(package), mimetype="application/json")

    return conditional(build, "datapackage")


@bp.get(f"/downloads/{ZIP_NAME}")
def bulk_zip():
    etag = etag_for("zip")
    cached = not_modified(etag)
    if cached is not None:
        return cached
    snapshots, synthetic = _bulk_snapshots()
    package = _package(snapshots, synthetic)
    readme = ("TYM network registry - open data\n\nLicence: CC BY 4.0. " + package[
        "attribution"] + "\n\nSee datapackage.json for the tables and their columns. A blank "
        "cell's reason is in the row's status column: suppressed (a small count, or one "
        "that would reveal one), not_reported, not_applicable, not_released.\n")
    if synthetic:
        readme = ("SYNTHETIC DEMONSTRATION DATA: rows whose synthetic column is true are "
                  "not real.\n\n" + readme)
    from flask import stream_with_context

    response = Response(stream_with_context(zip_chunks(snapshots, package, readme)),
                        mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{ZIP_NAME}"'
    return with_validators(response, etag)


# --- DCAT-AP -----------------------------------------------------------------------------------

def _catalogue():
    base = request.url_root.rstrip("/")
    synthetic = with_data(lambda d: d.synthetic)
    return dcat.catalogue(base, synthetic=synthetic, modified=dt.date.today())


@bp.get("/catalog.ttl")
def catalog_turtle():
    return conditional(lambda: Response(dcat.turtle(_catalogue()), mimetype="text/turtle"),
                       "ttl")


@bp.get("/catalog.rdf")
def catalog_rdfxml():
    return conditional(lambda: Response(dcat.rdf_xml(_catalogue()),
                                        mimetype="application/rdf+xml"), "rdf")


@bp.get("/catalog.jsonld")
def catalog_jsonld():
    return conditional(lambda: Response(json_text(dcat.json_ld(_catalogue())),
                                        mimetype="application/ld+json"), "jsonld")


__all__ = ["AREA_LAYERS", "BULK", "NATION", "bp"]

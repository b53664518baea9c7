"""Boundaries of one vintage: load them into the registry's web geometry, read it back.

``load_boundaries_into`` reads municipality polygons (Statistics Finland WFS or a
local file), checks them against the municipalities the registry says were valid on
1 January of the year, dissolves them into the employment areas and county units of
that date, and stores one ``BoundarySet`` (the shared-arc TopoJSON the map downloads)
with one ``AreaShape`` per area, replacing the year's earlier set in one transaction.
Any bad input raises ``BoundaryLoadFailed`` before anything is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from geodata.read import MunicipalityLayer, ReadError, read_municipalities
from geodata.topology import TopologyError, sizes, to_geojson_geometry, vertex_count
from geodata.validate import KnownMunicipality, ValidationError, validate_layer
from geodata.web_geometry import WebGeometry, build_web_geometry
from portal.db import Database
from portal.registry.audit.recorder import Actor
from portal.registry.geography.models import (
    AreaShape,
    BoundarySet,
    CountyMembership,
    EmploymentArea,
    EmploymentAreaMembership,
    Level,
    Municipality,
    WellbeingCounty,
)
from portal.registry.validity import valid_on, year_start

ATTRIBUTION = "Statistics Finland / National Land Survey of Finland, CC BY 4.0"
# The order of the objects in the topology, finest first.
LEVELS = (Level.municipality, Level.employment_area, Level.county)


class BoundaryLoadFailed(RuntimeError):
    """The boundaries were not loaded and the database is unchanged; the message says why."""


@dataclass
class BoundaryLoadResult:
    """What a load stored, for the command's report."""

    year: int
    source: str
    counts: dict[str, int]
    vertices: int
    bytes_raw: int
    bytes_gzip: int
    max_error_m: dict[str, float]
    tolerance_m: float
    seconds: float
    etag: str
    replaced: bool
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        counts = ", ".join(f"{n} {level}" for level, n in self.counts.items())
        errors = ", ".join(f"{level} {e:.0f} m" for level, e in self.max_error_m.items()
                           if self.counts.get(level))
        lines = [
            f"boundaries {self.year} loaded from {self.source}"
            + (f" (replacing the earlier {self.year} set)" if self.replaced else ""),
            f"areas: {counts}",
            f"topology: {self.vertices} vertices, {self.bytes_raw} bytes "
            f"({self.bytes_gzip} gzip), etag {self.etag[:16]}",
            f"largest simplification error: {max(self.max_error_m.values(), default=0):.0f} m "
            f"({errors}); tolerance {self.tolerance_m:g} m",
            f"took {self.seconds:.1f} s",
        ]
        return "\n".join([*(f"note: {n}" for n in self.notes), *lines])


def load_boundaries_into(database: Database, settings: dict[str, Any], *, source: str,
                         year: int, actor: Actor) -> BoundaryLoadResult:
    """Load the municipal division of ``year`` from ``source`` (an http(s) WFS base URL
    or a local path) and store its web geometry, replacing the year's earlier set."""
    started = time.perf_counter()
    layer, stored_source = _read(settings, source, year)
    tolerance = float(settings["SIMPLIFY_TOLERANCE_M"])
    on = year_start(year)
    with database.transaction(actor) as session:
        registry = _RegistryView.on_date(session, on)
        try:
            validate_layer(layer.frame, registry.known, on, layer.vintages)
        except ValidationError as exc:
            raise BoundaryLoadFailed(f"{stored_source}:\n{exc}{_hint(exc, on)}") from None
        try:
            web = build_web_geometry(
                layer.frame,
                {Level.employment_area.value: registry.area_of,
                 Level.county.value: registry.county_of},
                registry.properties, tolerance)
        except TopologyError as exc:
            raise BoundaryLoadFailed(str(exc)) from None
        bytes_raw, bytes_gzip = sizes(web.text)
        result = BoundaryLoadResult(
            year=year, source=stored_source, counts=web.counts,
            vertices=vertex_count(web.topology), bytes_raw=bytes_raw, bytes_gzip=bytes_gzip,
            max_error_m=web.max_error_m, tolerance_m=tolerance,
            seconds=time.perf_counter() - started,
            etag=hashlib.sha256(web.text.encode("utf-8")).hexdigest(), replaced=False,
            notes=layer.notes)
        result.replaced = _store(session, result, web)
    result.seconds = time.perf_counter() - started
    return result


def _read(settings: dict[str, Any], source: str, year: int) -> tuple[MunicipalityLayer, str]:
    """The municipality layer and the source to record (for the WFS: the request URL)."""
    try:
        if source.startswith(("http://", "https://")):
            from etl.sources.http import HttpClient, SourceError
            from etl.sources.wfs import fetch_municipalities, getfeature_url, layer_name

            client = HttpClient(timeout=settings["HTTP_TIMEOUT"],
                                retries=settings["HTTP_RETRIES"])
            try:
                body = fetch_municipalities(client, source, year)
            except SourceError as exc:
                raise BoundaryLoadFailed(str(exc)) from None
            url = getfeature_url(source, year)
            return read_municipalities(body, label=f"the WFS answer for {layer_name(year)}"), url
        return read_municipalities(Path(source)), source
    except ReadError as exc:
        raise BoundaryLoadFailed(str(exc)) from None


def _hint(error: ValidationError, on: dt.date) -> str:
    """A next step when the file is clearly another year's division."""
    retired = [p for p in error.problems if "that is not valid on" in p]
    if retired:
        return (f"\nThe file looks like the municipal division of another year than "
                f"{on.year}: use boundaries valid on {on.isoformat()}, or load this file "
                "with the --year it describes.")
    return ""


@dataclass
class _RegistryView:
    """What the registry says about one date, in the plain shapes ``geodata`` takes."""

    known: dict[str, KnownMunicipality]
    county_of: dict[str, str]
    area_of: dict[str, str]
    properties: dict[str, dict[str, dict[str, str]]]

    @classmethod
    def on_date(cls, session: Session, on: dt.date) -> _RegistryView:
        municipalities = list(session.scalars(select(Municipality)))
        names = {m.code: m.name_fi for m in municipalities}
        known = {m.code: KnownMunicipality(
            code=m.code, name=m.name_fi, valid_from=m.valid_from, valid_to=m.valid_to,
            merged_into=(m.merged_into_code, names.get(m.merged_into_code, ""))
            if m.merged_into_code else None) for m in municipalities}
        valid = {c for c, m in known.items() if m.valid_on(on)}
        if not valid:
            raise BoundaryLoadFailed(
                f"the registry has no municipalities valid on {on.isoformat()}: load the "
                "reference data first (tym load reference)")
        county_of = dict(session.execute(
            select(CountyMembership.municipality_code, CountyMembership.county_code)
            .where(valid_on(CountyMembership, on))).all())
        area_of = dict(session.execute(
            select(EmploymentAreaMembership.municipality_code, EmploymentAreaMembership.area_id)
            .where(valid_on(EmploymentAreaMembership, on))).all())
        county_of = {m: c for m, c in county_of.items() if m in valid}
        area_of = {m: a for m, a in area_of.items() if m in valid}
        homeless = sorted(valid - set(county_of))
        if homeless:
            raise BoundaryLoadFailed(
                f"the registry puts {len(homeless)} municipalities valid on {on.isoformat()} "
                f"in no county ({', '.join(homeless[:20])}): the county map would have "
                "holes; fix the reference data first")
        properties = {
            Level.municipality.value: {
                m.code: _names(m.name_fi, m.name_sv, m.name_fi)
                for m in municipalities if m.code in valid},
            Level.employment_area.value: {
                a.id: _names(a.name_fi, a.name_sv, a.name_en)
                for a in session.scalars(select(EmploymentArea))},
            Level.county.value: {
                c.code: _names(c.name_fi, c.name_sv, c.name_en)
                for c in session.scalars(select(WellbeingCounty))},
        }
        return cls(known=known, county_of=county_of, area_of=area_of, properties=properties)


def _names(fi: str, sv: str, en: str) -> dict[str, str]:
    return {"name_fi": fi, "name_sv": sv, "name_en": en}


def _store(session: Session, result: BoundaryLoadResult, web: WebGeometry) -> bool:
    """Replace the year's boundary set with this one; return whether one existed."""
    previous = session.scalar(select(BoundarySet.id).where(BoundarySet.year == result.year))
    if previous is not None:
        session.execute(delete(AreaShape).where(AreaShape.boundary_set_id == previous))
        session.delete(session.get(BoundarySet, previous))  # through the ORM: audited
        session.flush()
    stats = {
        "vertices": result.vertices,
        "bytes_raw": result.bytes_raw,
        "bytes_gzip": result.bytes_gzip,
        "max_error_m": round(max(result.max_error_m.values(), default=0.0), 1),
        "max_error_m_by_level": {k: round(v, 1) for k, v in result.max_error_m.items()},
        "seconds": round(result.seconds, 2),
        "counts": result.counts,
        "tolerance_m": result.tolerance_m,
        "arcs": len(web.topology["arcs"]),
    }
    boundary_set = BoundarySet(
        year=result.year, source=result.source, attribution=ATTRIBUTION,
        tolerance_m=result.tolerance_m, topology=web.text, etag=result.etag,
        stats=json.dumps(stats, sort_keys=True))
    for level in LEVELS:
        for code, shape in web.shapes[level.value].items():
            min_lon, min_lat, max_lon, max_lat = shape.bounds
            boundary_set.shapes.append(AreaShape(
                level=level, code=code,
                geometry=json.dumps(to_geojson_geometry(shape), separators=(",", ":")),
                min_lon=min_lon, min_lat=min_lat, max_lon=max_lon, max_lat=max_lat,
                neighbours=json.dumps(web.neighbours[level.value][code])))
    session.add(boundary_set)
    session.flush()
    return previous is not None


# --- reading ----------------------------------------------------------------------------

def get_boundary_set(session: Session, year: int) -> BoundarySet | None:
    """The boundary set loaded for ``year``, if any."""
    return session.scalar(select(BoundarySet).where(BoundarySet.year == year))


def latest_boundary_set(session: Session) -> BoundarySet | None:
    """The boundary set of the latest year loaded, if any."""
    return session.scalar(select(BoundarySet).order_by(BoundarySet.year.desc()).limit(1))


def get_shape(session: Session, year: int, level: Level | str, code: str) -> AreaShape | None:
    """The simplified shape of one area in the ``year`` set, if loaded."""
    return session.scalar(
        select(AreaShape)
        .join(BoundarySet, BoundarySet.id == AreaShape.boundary_set_id)
        .where(BoundarySet.year == year, AreaShape.level == Level(level),
               AreaShape.code == code))


def list_shapes(session: Session, year: int, level: Level | str) -> list[AreaShape]:
    """Every shape of ``level`` in the ``year`` set, ordered by code."""
    return list(session.scalars(
        select(AreaShape)
        .join(BoundarySet, BoundarySet.id == AreaShape.boundary_set_id)
        .where(BoundarySet.year == year, AreaShape.level == Level(level))
        .order_by(AreaShape.code)))

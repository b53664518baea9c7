"""Read municipality polygons from a file or bytes into one normal shape.

Accepted: GeoJSON (the Statistics Finland WFS answer, the National Land Survey file),
GeoPackage and Shapefile, or anything else GDAL reads as a polygon layer. The result
has the columns ``code`` (3-digit municipality code), ``name_fi``, ``name_sv`` and
``geometry``; the names are the file's and serve only to explain problems.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from geodata.crs import CrsError, with_known_crs
from geodata.validate import listing

# Recognised columns, by preference. Statistics Finland: kunta, nimi, namn, name (en);
# National Land Survey: NATCODE, NAMEFIN, NAMESWE.
CODE_COLUMNS = ("kunta", "natcode")
CODE_COLUMNS_SHOWN = "kunta or NATCODE"
NAME_FI_COLUMNS = ("nimi", "namefin", "name")
NAME_SV_COLUMNS = ("namn", "nameswe")
YEAR_COLUMNS = ("vuosi",)

READABLE = "GeoJSON, GeoPackage or Shapefile"


class ReadError(ValueError):
    """The input is not a municipality boundary layer; the message says why."""


@dataclass
class MunicipalityLayer:
    """What was read: the normalised frame, plus facts about the file worth reporting."""

    frame: gpd.GeoDataFrame
    code_column: str
    vintages: list[int] = field(default_factory=list)  # the file's own year column, if any
    notes: list[str] = field(default_factory=list)


def read_municipalities(source: str | os.PathLike | bytes, label: str | None = None
                        ) -> MunicipalityLayer:
    """Read municipality polygons from a path or from the bytes of a file.

    ``label`` names the input in messages (default: the path). Raises ``ReadError``.
    """
    if isinstance(source, bytes):
        label = label or "the answer"
        if not source.strip():
            raise ReadError(f"{label} is empty")
        data = _read_dataframe(source, label)
    else:
        path = Path(source)
        label = label or str(path)
        if not path.exists():
            raise ReadError(f"{label}: no such file")
        if path.is_file() and path.stat().st_size == 0:
            raise ReadError(f"{label} is empty (0 bytes)")
        data = _read_dataframe(path, label, layer=_pick_layer(path, label))
    return normalise(data, label)


def _read_dataframe(source, label: str, layer: str | None = None):
    """Read with GDAL; its warnings about the data become notes, not Python warnings."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            data = pyogrio.read_dataframe(source, layer=layer, force_2d=True)
    except (DataSourceError, DataLayerError) as exc:
        if "not recognized" in str(exc) or "not a supported" in str(exc):
            raise ReadError(f"{label} is not geodata that can be read ({READABLE}): "
                            "GDAL does not recognise its format") from None
        raise ReadError(f"{label} cannot be read as geodata: {exc}") from None
    notes = []
    for warning in caught:
        if issubclass(warning.category, RuntimeWarning):  # GDAL about the data
            notes.append(f"{label}: {warning.message}")
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno)
    data.attrs["gdal_notes"] = list(dict.fromkeys(notes))
    return data


def _pick_layer(path: Path, label: str) -> str | None:
    """The layer to read: the only one, or the only one with a municipality code column."""
    try:
        layers = pyogrio.list_layers(path)
    except (DataSourceError, DataLayerError):
        return None  # let the read report the problem
    if len(layers) <= 1:
        return None
    with_codes = []
    for name, _geometry_type in layers:
        fields = pyogrio.read_info(path, layer=name)["fields"]
        if _find(fields, CODE_COLUMNS):
            with_codes.append(name)
    if len(with_codes) == 1:
        return with_codes[0]
    names = ", ".join(str(name) for name, _ in layers)
    raise ReadError(f"{label} has {len(layers)} layers ({names}) and "
                    f"{'none' if not with_codes else 'more than one'} of them has a "
                    f"municipality code column ({CODE_COLUMNS_SHOWN})")


def _find(columns: Sequence[str], wanted: Sequence[str]) -> str | None:
    """The first column of ``wanted`` present in ``columns``, matched without case."""
    by_lower = {str(c).lower(): str(c) for c in columns}
    for name in wanted:
        if name in by_lower:
            return by_lower[name]
    return None


def normalise(data: pd.DataFrame, label: str) -> MunicipalityLayer:
    """Turn what GDAL read into columns code, name_fi, name_sv, geometry (with a CRS)."""
    columns = [c for c in data.columns if c != "geometry"]
    expected = f"expected municipality polygons with a code column ({CODE_COLUMNS_SHOWN})"
    if not isinstance(data, gpd.GeoDataFrame):
        raise ReadError(f"{label} is a table without geometry (columns: "
                        f"{', '.join(map(str, columns)) or 'none'}); {expected}")
    if len(data) == 0:
        raise ReadError(f"{label} has no features")
    code_column = _find(columns, CODE_COLUMNS)
    if code_column is None:
        raise ReadError(f"{label} has no municipality code column: its columns are "
                        f"{', '.join(map(str, columns)) or 'none'}; {expected}")
    frame = gpd.GeoDataFrame(
        {
            "code": [_code(v) for v in data[code_column]],
            "name_fi": _names(data, NAME_FI_COLUMNS),
            "name_sv": _names(data, NAME_SV_COLUMNS),
        },
        geometry=data.geometry.values,
        crs=data.crs,
    )
    if frame.geometry.isna().any() or frame.geometry.is_empty.any():
        blank = frame.loc[frame.geometry.isna() | frame.geometry.is_empty, "code"]
        raise ReadError(f"{label}: {len(blank)} features have no geometry "
                        f"(municipality {listing(blank)})")
    try:
        frame, note = with_known_crs(frame)
    except CrsError as exc:
        raise ReadError(f"{label}: {exc}") from None
    year_column = _find(columns, YEAR_COLUMNS)
    vintages = []
    if year_column is not None:
        vintages = sorted({int(v) for v in pd.to_numeric(data[year_column], errors="coerce")
                           .dropna()})
    notes = list(data.attrs.get("gdal_notes", [])) + ([note] if note else [])
    return MunicipalityLayer(frame=frame, code_column=code_column, vintages=vintages,
                             notes=notes)


def _code(value) -> str:
    """Municipality codes are three digits; files that store them as numbers lose zeros."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text.zfill(3) if text.isdigit() and len(text) < 3 else text


def _names(data: pd.DataFrame, wanted: Sequence[str]) -> list[str | None]:
    column = _find([c for c in data.columns if c != "geometry"], wanted)
    if column is None:
        return [None] * len(data)
    return [None if pd.isna(v) else str(v) for v in data[column]]

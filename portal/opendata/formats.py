"""Serialising tables: RFC 4180 CSV, "Excel (fi/sv)" CSV, JSON values, GeoJSON text.

Pure and streaming: every writer is a generator of text chunks, so a large export is
sent while it is produced. Blank cells are empty in CSV and ``null`` in JSON; the row's
``status`` column says why (``portal.registry.indicators.suppression.Reason``).

- ``rfc4180``: comma, CRLF line ends, fields quoted when needed, UTF-8 without BOM,
  decimal point: what machines (pandas, R, the csv module) read by default.
- ``excel``: what Finnish and Swedish Excel opens with a double click: semicolon,
  decimal comma, CRLF, UTF-8 with a byte-order mark (so ä and å survive).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

BOM = "\ufeff"
FLAVOURS = ("rfc4180", "excel")
CHUNK_ROWS = 500


@dataclass(frozen=True)
class Column:
    """A column of a published table (also its Frictionless field and OpenAPI property)."""

    name: str
    type: str  # string | integer | number | boolean | date
    description: str = ""
    enum: tuple[str, ...] | None = None


def _number_text(value: float, decimal_comma: bool) -> str:
    if math.isnan(value) or math.isinf(value):
        return ""
    if float(value).is_integer() and abs(value) < 1e15:
        text = str(int(value))
    else:
        text = repr(round(float(value), 6))
        if "e" in text:
            text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if decimal_comma else text


def cell_text(value, column: Column, decimal_comma: bool = False) -> str:
    if value is None:
        return ""
    if column.type == "boolean":
        return "true" if value else "false"
    if column.type in ("number", "integer") and isinstance(value, int | float):
        return _number_text(float(value), decimal_comma)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_chunks(columns: Sequence[Column], rows: Iterable[Sequence], *,
               flavour: str = "rfc4180") -> Iterator[str]:
    """The table as CSV text, a few hundred rows per chunk."""
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown CSV flavour {flavour!r}")
    excel = flavour == "excel"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n",
                        quoting=csv.QUOTE_MINIMAL)
    writer.writerow([c.name for c in columns])
    yield (BOM if excel else "") + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    count = 0
    for row in rows:
        writer.writerow([cell_text(v, c, excel) for v, c in zip(row, columns, strict=True)])
        count += 1
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def json_value(value, column: Column):
    """A cell as JSON: dates as ISO text, NaN as null, whole floats of integer columns
    as integers."""
    if value is None:
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if column.type == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    if column.type == "number" and isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def row_object(columns: Sequence[Column], row: Sequence) -> dict:
    return {c.name: json_value(v, c) for c, v in zip(columns, row, strict=True)}


def json_text(document) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def geojson_chunks(features: Iterable[tuple[str, dict, str]], *, metadata: dict) -> Iterator[
        str]:
    """A FeatureCollection from (id, properties, geometry text in EPSG:4326) triples,
    splicing each stored geometry in without re-encoding it."""
    head = {"type": "FeatureCollection", **metadata}
    opening = json_text(head)[:-1] + ',"features":['
    yield opening
    first = True
    for feature_id, properties, geometry in features:
        text = ('{"type":"Feature","id":' + json.dumps(feature_id) + ',"properties":'
                + json_text(properties) + ',"geometry":' + geometry + "}")
        yield text if first else "," + text
        first = False
    yield "]}"

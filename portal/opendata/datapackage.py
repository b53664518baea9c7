"""The bulk download: every published table as RFC 4180 CSV in one ZIP, described by a
Frictionless ``datapackage.json`` (Tabular Data Package: schemas, licence CC BY 4.0,
sources, attribution). The ZIP is written while it is sent (no temporary file): zipfile
writes data descriptors when its output cannot seek.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence

from portal.opendata.formats import Column, csv_chunks, json_text
from portal.opendata.tables import Table
from portal.registry.indicators.catalogue import SOURCES

PACKAGE_NAME = "tym-portal-open-data"
LICENCE = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
           "title": "Creative Commons Attribution 4.0 International"}
ATTRIBUTION = ("TYM network registry (tym-portal); open statistics: Statistics Finland, "
               "THL (Sotkanet); boundaries: Statistics Finland / National Land Survey of "
               "Finland. CC BY 4.0.")
SYNTHETIC_NOTE = ("SYNTHETIC DEMONSTRATION DATA: rows whose `synthetic` column is true were "
                  "generated to show how the portal works and are not real.")


def field_descriptor(column: Column) -> dict:
    field = {"name": column.name, "type": column.type}
    if column.description:
        field["description"] = column.description
    if column.enum:
        field["constraints"] = {"enum": list(column.enum)}
    return field


def resource_descriptor(table: Table, path: str) -> dict:
    return {
        "name": table.name,
        "path": path,
        "profile": "tabular-data-resource",
        "title": table.title.en,
        "description": table.description.en,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"',
                    "doubleQuote": True, "header": True},
        "schema": {"fields": [field_descriptor(c) for c in table.columns],
                   "missingValues": [""]},
        "licenses": [LICENCE],
    }


def descriptor(tables: Sequence[Table], *, homepage: str, created: str,
               synthetic: bool) -> dict:
    """The ``datapackage.json`` for ``tables`` stored as ``data/<name>.csv``."""
    description = ("Open data of the national TYM network registry: the indicator "
                   "catalogue, indicator values for every level and period, client volumes "
                   "(small counts suppressed), networks, configuration types, steering-"
                   "group summary and areas. Blank cells carry a reason code in `status`.")
    if synthetic:
        description = SYNTHETIC_NOTE + " " + description
    return {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": ("TYM network registry: open data" + (" (SYNTHETIC DEMONSTRATION DATA)"
                                                       if synthetic else "")),
        "description": description,
        "homepage": homepage,
        "created": created,
        "version": "1.0.0",
        "keywords": ["TYM", "employment", "Finland", "työllisyys", "sysselsättning"],
        "licenses": [LICENCE],
        "sources": [{"title": s.name.en, "path": s.url} if s.url else {"title": s.name.en}
                    for s in SOURCES.values() if synthetic or s.id != "synthetic-demo"],
        "contributors": [{"title": "tym-portal", "role": "publisher", "path": homepage}],
        "attribution": ATTRIBUTION,
        "synthetic": synthetic,
        "resources": [resource_descriptor(t, f"data/{t.name}.csv") for t in tables],
    }


class _Sink(io.RawIOBase):
    """A write-only stream whose bytes are taken out as they come."""

    def __init__(self):
        super().__init__()
        self._parts: list[bytes] = []
        self._written = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        self._written += len(data)
        return len(data)

    def tell(self) -> int:
        return self._written

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def zip_chunks(snapshots: Sequence[tuple[Table, list]], package: dict,
               readme: str) -> Iterator[bytes]:
    """The bulk ZIP, chunk by chunk: ``datapackage.json``, ``README.txt`` and one CSV per
    table (``data/<name>.csv``)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json_text(package))
        archive.writestr("README.txt", readme)
        yield sink.take()
        for table, rows in snapshots:
            info = zipfile.ZipInfo(f"data/{table.name}.csv", date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as member:
                for chunk in csv_chunks(table.columns, rows):
                    member.write(chunk.encode("utf-8"))
                    data = sink.take()
                    if data:
                        yield data
            yield sink.take()
    yield sink.take()

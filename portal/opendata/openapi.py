"""The OpenAPI 3 document of the JSON API (``/api/v1/openapi.json``), built from the
same column lists the tables use, so the documented row schemas cannot drift from what
the API answers. A schemathesis run against it is part of the test suite.
"""

from __future__ import annotations

from portal.opendata.formats import Column
from portal.opendata.tables import (
    AREA_COLUMNS,
    CLIENT_VOLUME_COLUMNS,
    CONFIGURATION_COLUMNS,
    INDICATOR_COLUMNS,
    INDICATOR_VALUE_COLUMNS,
    NETWORK_COLUMNS,
    STEERING_COLUMNS,
)
from portal.registry.indicators.catalogue import CATALOGUE, LEVELS
from portal.registry.indicators.peers import NAMES as PEER_NAMES

PERIOD = r"^20[0-9]{2}(-(0[1-9]|1[0-2]))?$"
MONTH = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"
_TYPES = {"string": "string", "integer": "integer", "number": "number",
          "boolean": "boolean", "date": "string"}


def column_schema(column: Column) -> dict:
    schema: dict = {"type": _TYPES[column.type], "nullable": True}
    if column.type == "date":
        schema["format"] = "date"
    if column.description:
        schema["description"] = column.description
    if column.enum:
        schema["enum"] = [*column.enum, None]
    return schema


def row_schema(columns) -> dict:
    return {"type": "object", "properties": {c.name: column_schema(c) for c in columns},
            "required": [c.name for c in columns]}


def _page(row_ref: str) -> dict:
    return {
        "type": "object",
        "required": ["table", "columns", "rows", "total", "next", "next_url", "synthetic",
                     "licence", "suppression"],
        "properties": {
            "table": {"type": "string"},
            "title": {"$ref": "#/components/schemas/Text"},
            "columns": {"type": "array", "items": {"type": "string"}},
            "rows": {"type": "array", "items": {"$ref": row_ref}},
            "total": {"type": "integer", "minimum": 0},
            "next": {"type": "string", "nullable": True,
                     "description": "Cursor of the next page (pass as _next)"},
            "next_url": {"type": "string", "nullable": True,
                         "description": "The next page's URL, null on the last page"},
            "synthetic": {"type": "boolean"},
            "licence": {"$ref": "#/components/schemas/Licence"},
            "suppression": {"$ref": "#/components/schemas/Suppression"},
        },
    }


def _param(name: str, schema: dict, description: str, *, where: str = "query",
           required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required, "description": description,
            "schema": schema}


PAGING = [
    _param("_size", {"type": "integer", "minimum": 1, "maximum": 1000},
           "Rows per page (default 100)"),
    _param("_next", {"type": "string", "pattern": "^[0-9]{1,9}$"},
           "Cursor from the previous page's next"),
]
LEVEL = _param("level", {"type": "string", "enum": list(LEVELS)}, "Level of the units")
PERIOD_PARAM = _param("period", {"type": "string", "pattern": PERIOD},
                      "Month (YYYY-MM) or year (YYYY)")
UNIT = _param("unit", {"type": "string", "pattern": "^[a-z0-9,-]*$"},
              "Unit codes (comma-separated or repeated)")
ON = _param("on", {"type": "string", "format": "date"}, "The date described (default today)")
INDICATOR_ID = _param("indicator_id", {"type": "string", "enum": [i.id for i in CATALOGUE]},
                      "Indicator id", where="path", required=True)


def _answers(schema_ref: str) -> dict:
    return {
        "200": {"description": "OK", "headers": {
            "ETag": {"schema": {"type": "string"}},
            "Last-Modified": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": schema_ref}}}},
        "304": {"description": "Not modified (If-None-Match / If-Modified-Since)"},
        "400": {"description": "A query argument is not valid",
                "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/Error"}}}},
        "404": {"description": "No such indicator or period",
                "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/Error"}}}},
    }


def _get(summary: str, schema_ref: str, parameters: list) -> dict:
    return {"get": {"summary": summary, "parameters": parameters,
                    "responses": _answers(schema_ref)}}


def document(server_url: str) -> dict:
    """The OpenAPI 3.0 document; ``server_url`` is the API's base URL (``.../api/v1``)."""
    text = {"type": "object", "properties": {k: {"type": "string"} for k in ("fi", "sv", "en")}}
    comparison_params = [
        _param("indicator", {"type": "string", "enum": [i.id for i in CATALOGUE]},
               "Indicator ids (comma-separated or repeated)"),
        _param("period", {"type": "string", "pattern": MONTH}, "Month (YYYY-MM)"),
        _param("county", {"type": "string", "pattern": "^[0-9]{2}$"}, "County code"),
        _param("type", {"type": "string", "enum": ["1", "2", "3", "4", "5", "incomplete"]},
               "Configuration type"),
        _param("peer", {"type": "string", "enum": list(PEER_NAMES)}, "Peer group"),
        *PAGING,
    ]
    schemas = {
        "Text": text,
        "Licence": {"type": "object", "properties": {"id": {"type": "string"},
                                                     "url": {"type": "string"}}},
        "Suppression": {"type": "object", "properties": {
            "threshold": {"type": "integer"},
            "unsuppressed_view": {"type": "boolean",
                                  "description": "True for a signed-in monitor"}}},
        "Error": {"type": "object", "required": ["error", "status"],
                  "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}},
        "IndicatorValue": row_schema(INDICATOR_VALUE_COLUMNS),
        "IndicatorRow": row_schema(INDICATOR_COLUMNS),
        "ClientVolume": row_schema(CLIENT_VOLUME_COLUMNS),
        "Network": row_schema(NETWORK_COLUMNS),
        "ConfigurationType": row_schema(CONFIGURATION_COLUMNS),
        "SteeringSummary": row_schema(STEERING_COLUMNS),
        "Area": row_schema(AREA_COLUMNS),
        "ComparisonRow": {"type": "object", "required": ["network", "period"],
                          "properties": {"network": {"type": "string"},
                                         "period": {"type": "string"}},
                          "additionalProperties": True},
        "Indicator": {"type": "object", "required": ["id", "name", "definition", "unit",
                                                     "levels", "sources", "suppression"],
                      "properties": {"id": {"type": "string"},
                                     "name": {"$ref": "#/components/schemas/Text"},
                                     "definition": {"$ref": "#/components/schemas/Text"},
                                     "unit": {"$ref": "#/components/schemas/Text"},
                                     "kind": {"type": "string"},
                                     "frequency": {"type": "string"},
                                     "scale": {"type": "number"},
                                     "levels": {"type": "object"},
                                     "sources": {"type": "array", "items": {"type": "object"}},
                                     "inputs": {"type": "object"},
                                     "suppression": {"$ref": "#/components/schemas/Text"},
                                     "periods": {},
                                     "links": {"type": "object"}}},
        "IndicatorList": {"type": "object", "required": ["indicators", "synthetic"],
                          "properties": {"indicators": {"type": "array", "items": {
                              "$ref": "#/components/schemas/Indicator"}},
                              "synthetic": {"type": "boolean"},
                              "licence": {"$ref": "#/components/schemas/Licence"},
                              "suppression": {"$ref": "#/components/schemas/Suppression"}}},
        "Summary": {"type": "object", "required": ["indicator", "level", "period", "count"],
                    "properties": {"indicator": {"type": "string"},
                                   "level": {"type": "string"},
                                   "period": {"type": "string"},
                                   "count": {"type": "integer"},
                                   **{k: {"type": "number", "nullable": True}
                                      for k in ("median", "q1", "q3", "min", "max")},
                                   "peer_groups": {"type": "object"},
                                   "synthetic": {"type": "boolean"}}},
        "Index": {"type": "object", "required": ["links"],
                  "properties": {"links": {"type": "object"}}},
    }
    for name in ("IndicatorValue", "IndicatorRow", "ClientVolume", "Network",
                 "ConfigurationType", "SteeringSummary", "Area", "ComparisonRow"):
        schemas[f"{name}Page"] = _page(f"#/components/schemas/{name}")
    ref = "#/components/schemas/"
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "TYM network registry open data API",
            "version": "1",
            "description": ("Indicators, client volumes and the TYM network registry. "
                            "Small counts are suppressed (a blank value's reason is in "
                            "status); rows of synthetic demonstration data have synthetic = "
                            "true. Pages: pass next as _next, or follow next_url."),
            "license": {"name": "CC BY 4.0",
                        "url": "https://creativecommons.org/licenses/by/4.0/"},
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/": _get("Links to the resources", ref + "Index", []),
            "/indicators": _get("The indicator catalogue", ref + "IndicatorList", []),
            "/indicators/{indicator_id}": _get("One indicator", ref + "Indicator",
                                               [INDICATOR_ID]),
            "/indicators/{indicator_id}/values": _get(
                "Values of one indicator", ref + "IndicatorValuePage",
                [INDICATOR_ID, LEVEL, PERIOD_PARAM, UNIT, *PAGING]),
            "/indicators/{indicator_id}/summary": _get(
                "National median, quartiles and peer-group medians", ref + "Summary",
                [INDICATOR_ID, LEVEL, PERIOD_PARAM]),
            "/client-volumes": _get(
                "Client volumes (small counts suppressed)", ref + "ClientVolumePage",
                [LEVEL, _param("month", {"type": "string", "pattern": MONTH}, "YYYY-MM"),
                 UNIT, *PAGING]),
            "/networks": _get("Networks in force", ref + "NetworkPage", [ON, *PAGING]),
            "/configuration-types": _get("Configuration type per county",
                                         ref + "ConfigurationTypePage", [ON, *PAGING]),
            "/steering-summary": _get("Steering-group summary", ref + "SteeringSummaryPage",
                                      [ON, *PAGING]),
            "/areas": _get("Counties, employment areas and municipalities", ref + "AreaPage",
                           [_param("level", {"type": "string", "enum": [
                               "county", "employment_area", "municipality"]}, "Level"),
                            *PAGING]),
            "/comparison": _get("Networks x chosen indicators", ref + "ComparisonRowPage",
                                comparison_params),
        },
        "components": {"schemas": schemas},
    }

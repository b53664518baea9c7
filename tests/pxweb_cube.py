"""A fake StatFin PxWeb table for tests and the benchmark: the metadata (GET), the
``?config`` answer and JSON-stat2 answers computed for each POSTed query, in the formats
pxdata.stat.fi uses (see etl/sources/pxweb.py for where they were found)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tests.replay_server import Answer, Seen

API = "/PxWeb/api/v1/fi"
TABLE = "StatFin/tyonv/12r5.px"
UPDATED = "2026-10-28T05:00:00Z"


def months(first_year: int, last_year: int, last_month: int = 12) -> list[str]:
    return [f"{y}M{m:02d}" for y in range(first_year, last_year + 1)
            for m in range(1, 13) if y < last_year or m <= last_month]


@dataclass
class Cube:
    """Variables in table order: (code, text, values, value texts). ``value(codes)`` gives
    the number of a cell (None: blank), ``status(codes)`` its symbol."""

    variables: list[tuple[str, str, list[str], list[str]]]
    value: Callable[[dict[str, str]], float | None]
    status: Callable[[dict[str, str]], str | None] = lambda codes: None
    title: str = "Työnhakijat kuukauden lopussa muuttujina Alue, Kuukausi ja Tiedot"
    updated: str = UPDATED
    units: dict[str, str] = field(default_factory=dict)
    time_code: str = "Kuukausi"

    def metadata(self) -> dict:
        return {"title": self.title, "variables": [
            {"code": code, "text": text, "values": values, "valueTexts": texts,
             **({"time": True} if code == self.time_code else {})}
            for code, text, values, texts in self.variables]}

    def metadata_answer(self) -> Answer:
        return Answer(json.dumps(self.metadata(), ensure_ascii=False).encode())

    def jsonstat(self, selection: dict[str, Sequence[str]]) -> dict:
        ids = [code for code, *_ in self.variables]
        chosen = {code: list(selection.get(code, values))
                  for code, _t, values, _vt in self.variables}
        texts = {code: dict(zip(values, vtexts, strict=True))
                 for code, _t, values, vtexts in self.variables}
        dimension = {}
        for code, text, _values, _texts in self.variables:
            category = {"index": {v: i for i, v in enumerate(chosen[code])},
                        "label": {v: texts[code][v] for v in chosen[code]}}
            if code == "Tiedot" and self.units:
                category["unit"] = {v: {"base": self.units.get(v, "lkm"), "decimals": 0}
                                    for v in chosen[code]}
            dimension[code] = {"label": text, "category": category}
        values: list[float | None] = []
        status: dict[str, str] = {}
        for position, cell in enumerate(_cells([chosen[c] for c in ids])):
            codes = dict(zip(ids, cell, strict=True))
            values.append(self.value(codes))
            symbol = self.status(codes)
            if symbol:
                status[str(position)] = symbol
        document = {"version": "2.0", "class": "dataset", "label": self.title,
                    "source": "Tilastokeskus, työnvälitystilasto", "updated": self.updated,
                    "id": ids, "size": [len(chosen[c]) for c in ids],
                    "dimension": dimension, "value": values,
                    "role": {"time": [self.time_code], "metric": ["Tiedot"]}}
        if status:
            document["status"] = status
        return document

    def respond(self, seen: Seen) -> Answer:
        """Answer a POSTed PxWeb query the way the service does."""
        try:
            body = json.loads(seen.body)
            selection = {q["code"]: q["selection"]["values"] for q in body["query"]}
        except (ValueError, KeyError, TypeError):
            return Answer(b"Bad Request", status=400, content_type="text/plain")
        known = {code: values for code, _t, values, _vt in self.variables}
        for code, values in selection.items():
            if code not in known or set(values) - set(known[code]):
                return Answer(b"Bad Request", status=400, content_type="text/plain")
        return Answer(json.dumps(self.jsonstat(selection), ensure_ascii=False,
                                 separators=(",", ":")).encode())


def _cells(axes: list[list[str]]):
    """Every combination in row-major order (the last variable changes fastest)."""
    total = math.prod(len(a) for a in axes)
    for position in range(total):
        cell, rest = [], position
        for axis_index in range(len(axes) - 1, -1, -1):
            rest, i = divmod(rest, len(axes[axis_index]))
            cell.append(axes[axis_index][i])
        yield tuple(reversed(cell))


def config_answer(max_values: int = 100_000, max_calls: int = 30, window: int = 10) -> Answer:
    return Answer(json.dumps({"apiVersion": "1.1.0", "languages": ["fi", "sv", "en"],
                              "defaultLanguage": "fi", "maxValues": max_values,
                              "maxCalls": max_calls, "timeWindow": window,
                              "CORS": True}).encode())


def serve(replay, cube: Cube, *, config: Answer | None = None, data=None,
          metadata: Answer | None = None) -> str:
    """Serve ``cube`` as table 12r5; returns the API base URL for TYM_STATFIN_URL."""
    replay.add(f"{API}/", config or config_answer(), query="config")
    path = f"{API}/{TABLE}"
    replay.add(path, *(data if data is not None else [cube.respond]))
    # GET (metadata) and POST (data) share the path: GETs are told apart by the handler
    replay.routes[path] = [_by_method(metadata or cube.metadata_answer(),
                                      replay.routes[path])]
    return replay.url + API


def _by_method(metadata: Answer, data: list):
    def respond(seen: Seen) -> Answer:
        if seen.method == "GET":
            return metadata
        answer = data.pop(0) if len(data) > 1 else data[0]
        return answer(seen) if callable(answer) else answer
    return respond

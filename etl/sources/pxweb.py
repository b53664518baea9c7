"""Statistics Finland PxWeb API v1 (pxdata.stat.fi): configuration, table metadata, and
data as JSON-stat2, in as many requests as the service's limits need.

Since June 2026 table files have short names (``12r5.px``) and queries must name
variables by their **code**, which may differ from the text shown: the client always
reads the metadata first and maps the variables the job expects by code. A code the
table no longer has stops the job with a message naming what the table has instead
(and, when a variable with the same text has a new code, that it was renamed).

Formats (see DOMAIN.md section 5):

* ``GET {base}/?config`` -> ``{"maxValues": 100000, "maxCalls": 30, "timeWindow": 10, ...}``
* ``GET {base}/{table}`` -> ``{"title": ..., "variables": [{"code", "text", "values": [...],
  "valueTexts": [...], "time": true?, "elimination": true?}, ...]}``
* ``POST {base}/{table}`` with ``{"query": [{"code": ..., "selection": {"filter": "item",
  "values": [...]}}], "response": {"format": "json-stat2"}}`` -> a JSON-stat 2.0 dataset:
  ``id``, ``size``, ``dimension.{code}.category.index/label`` (``unit`` on the content
  variable), a flat row-major ``value`` (``null`` for a blank cell), an optional
  ``status`` (an object ``{"12": ".."}`` or an array) and ``updated``.
"""

from __future__ import annotations

import json
import math
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from etl.sources.http import HttpClient, SourceError

DEFAULT_LIMITS = {"maxValues": 100_000, "maxCalls": 30, "timeWindow": 10}


class PxWebError(SourceError):
    """The PxWeb service could not be read or answered something unusable."""


# --- limits and throttling ---------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    max_values: int = DEFAULT_LIMITS["maxValues"]
    max_calls: int = DEFAULT_LIMITS["maxCalls"]
    time_window: float = DEFAULT_LIMITS["timeWindow"]


def parse_config(payload: Any) -> Limits:
    """Read ``?config``; a missing or odd field falls back to the documented default."""
    if not isinstance(payload, dict):
        return Limits()

    def positive(key: str) -> float:
        value = payload.get(key)
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
        return value if ok else DEFAULT_LIMITS[key]

    return Limits(int(positive("maxValues")), int(positive("maxCalls")),
                  float(positive("timeWindow")))


class Throttle:
    """At most ``max_calls`` calls in any ``time_window`` seconds (a sliding window)."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.limits = limits
        self._calls: deque[float] = deque()
        self._clock, self._sleep = clock, sleep

    def wait(self) -> None:
        now = self._clock()
        while self._calls and now - self._calls[0] >= self.limits.time_window:
            self._calls.popleft()
        if len(self._calls) >= self.limits.max_calls:
            self._sleep(self.limits.time_window - (now - self._calls[0]))
            self._calls.popleft()
        self._calls.append(self._clock())


# --- metadata and variables by code -----------------------------------------------------

@dataclass(frozen=True)
class Variable:
    code: str
    text: str
    values: tuple[str, ...]
    value_texts: tuple[str, ...]
    time: bool = False


@dataclass(frozen=True)
class TableMeta:
    title: str
    variables: tuple[Variable, ...]

    def by_code(self) -> dict[str, Variable]:
        return {v.code: v for v in self.variables}


def parse_metadata(payload: Any, what: str) -> TableMeta:
    if not isinstance(payload, dict) or not isinstance(payload.get("variables"), list):
        raise PxWebError(f"{what}: the metadata is not a PxWeb table description "
                         "(expected an object with `variables`)")
    variables = []
    for number, raw in enumerate(payload["variables"], start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("code"), str) or not isinstance(
                raw.get("values"), list):
            raise PxWebError(f"{what}: variable {number} of the metadata has no code or values")
        texts = raw.get("valueTexts") if isinstance(raw.get("valueTexts"), list) else []
        values = tuple(str(v) for v in raw["values"])
        variables.append(Variable(raw["code"], str(raw.get("text", raw["code"])), values,
                                  tuple(str(t) for t in texts) or values,
                                  bool(raw.get("time"))))
    return TableMeta(str(payload.get("title", "")), tuple(variables))


def map_variables(meta: TableMeta, expected: Mapping[str, str], what: str) -> dict[str, Variable]:
    """``expected`` maps a role (``area``, ``time``, ``measure``) to a variable code; return
    role -> Variable, or raise naming every code the table does not have."""
    by_code = meta.by_code()
    problems = []
    for role, code in expected.items():
        if code in by_code:
            continue
        renamed = [v for v in meta.variables if v.text.casefold() == code.casefold()
                   and v.code not in expected.values()]
        if renamed:
            problems.append(f"variable code {code!r} ({role}) is not in the table: the "
                            f"variable {renamed[0].text!r} now has the code "
                            f"{renamed[0].code!r} (renamed; update the job's "
                            f"{role}_variable)")
        else:
            problems.append(f"variable code {code!r} ({role}) is not in the table")
    if problems:
        have = ", ".join(f"{v.code!r} ({v.text})" for v in meta.variables)
        raise PxWebError(f"{what}: " + "; ".join(problems) + f". The table has: {have}")
    return {role: by_code[code] for role, code in expected.items()}


# --- splitting requests -----------------------------------------------------------------

def plan_queries(selections: Mapping[str, Sequence[str]], max_values: int,
                 split_order: Sequence[str]) -> list[dict[str, list[str]]]:
    """Split ``selections`` (variable code -> values) into queries of at most
    ``max_values`` cells each. Only the variables in ``split_order`` are cut, into
    consecutive chunks; the first is cut first (e.g. time), the last is kept whole as
    long as it fits (e.g. area)."""
    sizes = {code: len(values) for code, values in selections.items()}
    if math.prod(sizes.values()) <= max_values:
        return [{code: list(values) for code, values in selections.items()}]
    fixed = math.prod(size for code, size in sizes.items() if code not in split_order)
    if fixed > max_values:
        raise PxWebError(f"cannot split the request under {max_values} values: the "
                         f"variables that are not split already make {fixed} cells")
    budget = max_values // fixed
    chunks: dict[str, list[list[str]]] = {code: [list(values)]
                                          for code, values in selections.items()}
    for code in reversed(split_order):
        take = max(1, min(sizes[code], budget))
        budget = max(1, budget // take)
        values = list(selections[code])
        chunks[code] = [values[i:i + take] for i in range(0, len(values), take)]
    queries: list[dict[str, list[str]]] = [{}]
    for code in selections:
        queries = [dict(q, **{code: part}) for q in queries for part in chunks[code]]
    return queries


def query_body(query: Mapping[str, Sequence[str]]) -> dict:
    return {"query": [{"code": code, "selection": {"filter": "item", "values": list(values)}}
                      for code, values in query.items()],
            "response": {"format": "json-stat2"}}


# --- JSON-stat2 -------------------------------------------------------------------------

@dataclass
class JsonStat:
    """One JSON-stat2 answer as a long frame: one column per dimension (codes), ``value``
    (float, NaN for blank) and ``status`` (the source's symbol or None)."""

    frame: pd.DataFrame
    updated: str = ""
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    units: dict[str, dict] = field(default_factory=dict)


def decode(body: bytes, what: str) -> Any:
    """JSON from an answer body; a truncated or non-JSON answer is a ``PxWebError``."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        text = body.lstrip()[:80].decode("utf-8", errors="replace")
        if not text:
            problem = "the answer is empty"
        elif text.startswith("<"):
            problem = f"the answer is HTML, not JSON (begins {' '.join(text.split())!r})"
        elif isinstance(exc, json.JSONDecodeError) and exc.pos >= len(body.rstrip()) - 1:
            problem = f"the answer is truncated JSON (it stops after {len(body)} bytes)"
        elif isinstance(exc, json.JSONDecodeError) and exc.msg.startswith("Unterminated"):
            problem = f"the answer is truncated JSON (it stops after {len(body)} bytes)"
        else:
            problem = f"the answer is not valid JSON ({exc})"
        raise PxWebError(f"{what}: {problem}") from None


def parse_jsonstat2(document: Any, what: str) -> JsonStat:
    """Unpack a JSON-stat2 dataset into a long frame, checking its shape."""
    if not isinstance(document, dict) or document.get("class", "dataset") != "dataset":
        raise PxWebError(f"{what}: not a JSON-stat2 dataset")
    ids, sizes, dims = document.get("id"), document.get("size"), document.get("dimension")
    values = document.get("value")
    if not (isinstance(ids, list) and isinstance(sizes, list) and isinstance(dims, dict)
            and isinstance(values, list | dict) and len(ids) == len(sizes)):
        raise PxWebError(f"{what}: a JSON-stat2 dataset needs id, size, dimension and value")
    codes: list[list[str]] = []
    labels: dict[str, dict[str, str]] = {}
    for dim_id, size in zip(ids, sizes, strict=True):
        category = (dims.get(dim_id) or {}).get("category") or {}
        index = category.get("index")
        if isinstance(index, dict):
            ordered = sorted(index, key=index.get)
        elif isinstance(index, list):
            ordered = list(index)
        elif size == 1 and isinstance(category.get("label"), dict):
            ordered = list(category["label"])
        else:
            raise PxWebError(f"{what}: dimension {dim_id!r} has no category index")
        if len(ordered) != size:
            raise PxWebError(f"{what}: dimension {dim_id!r} has {len(ordered)} categories, "
                             f"size says {size}")
        codes.append([str(c) for c in ordered])
        labels[dim_id] = {str(k): str(v) for k, v in (category.get("label") or {}).items()}
    total = math.prod(sizes)
    if isinstance(values, dict):  # sparse form {"index": value}
        array = np.full(total, np.nan)
        for key, value in values.items():
            array[int(key)] = np.nan if value is None else value
    else:
        if len(values) != total:
            raise PxWebError(f"{what}: {len(values)} values for {total} cells "
                             f"({' x '.join(map(str, sizes))})")
        try:
            array = np.array(values, dtype=float)  # None becomes NaN
        except (TypeError, ValueError):
            bad = next((v for v in values if v is not None and not isinstance(
                v, int | float)), None)
            raise PxWebError(f"{what}: a value is not a number: {bad!r}") from None
    columns: dict[str, Any] = {}
    repeat = total
    for dim_id, categories in zip(ids, codes, strict=True):
        repeat //= len(categories)
        tile = total // (len(categories) * repeat)
        columns[dim_id] = pd.Categorical.from_codes(
            np.tile(np.repeat(np.arange(len(categories)), repeat), tile), categories)
    columns["value"] = array
    status = document.get("status")
    status_column = np.full(total, None, dtype=object)
    if isinstance(status, dict):
        for key, symbol in status.items():
            status_column[int(key)] = symbol
    elif isinstance(status, list) and len(status) == total:
        status_column[:] = status
    elif isinstance(status, str):
        status_column[:] = status
    columns["status"] = pd.Series(status_column, dtype=object)
    units = {}
    for dim_id in ids:
        unit = ((dims.get(dim_id) or {}).get("category") or {}).get("unit")
        if isinstance(unit, dict):
            units.update({str(k): v for k, v in unit.items() if isinstance(v, dict)})
    return JsonStat(pd.DataFrame(columns), str(document.get("updated", "")), labels, units)


# --- the client ---------------------------------------------------------------------------

class PxWebClient:
    """Read one PxWeb service (``base`` is e.g. https://pxdata.stat.fi/PxWeb/api/v1/fi)."""

    def __init__(self, http: HttpClient, base: str, throttle: Throttle | None = None):
        self.http, self.base = http, base.rstrip("/")
        self.throttle = throttle
        self.calls = 0

    def _get(self, url: str, what: str) -> Any:
        self._wait()
        try:
            response = self.http.request("GET", url)
        except SourceError as exc:
            raise PxWebError(f"{what}: {exc}") from None
        return decode(response.content, what)

    def _wait(self) -> None:
        self.calls += 1
        if self.throttle is not None:
            self.throttle.wait()

    def limits(self) -> Limits:
        """The service's limits from ``?config`` (defaults if it does not say)."""
        try:
            limits = parse_config(self._get(f"{self.base}/?config", "PxWeb configuration"))
        except PxWebError:
            limits = Limits()
        if self.throttle is None:
            self.throttle = Throttle(limits)
            self.throttle.wait()  # the ?config call counts too
        else:
            self.throttle.limits = limits
        return limits

    def table_url(self, table: str) -> str:
        return f"{self.base}/{table.strip('/')}"

    def metadata(self, table: str) -> TableMeta:
        what = f"table {table}"
        return parse_metadata(self._get(self.table_url(table), f"{what} metadata"), what)

    def fetch(self, table: str, query: Mapping[str, Sequence[str]], what: str) -> JsonStat:
        self._wait()
        try:
            response = self.http.request("POST", self.table_url(table),
                                         json=query_body(query))
        except SourceError as exc:
            hint = ""
            if " HTTP 403" in str(exc) or " HTTP 413" in str(exc):
                hint = " (too many values in one request?)"
            raise PxWebError(f"{what}: {exc}{hint}") from None
        return parse_jsonstat2(decode(response.content, what), what)

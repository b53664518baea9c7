"""THL Sotkanet REST API 1.1: indicator metadata, regions, and data as JSON.

* ``GET {base}/indicators/{id}`` -> ``{"id": 127, "title": {"fi", "sv", "en"},
  "organization": {...}, "limits": {"fi", ...} (the suppression rule), "data-updated":
  "2025-03-14", "range": {"start", "end"}, ...}``
* ``GET {base}/regions`` -> ``[{"id": 52, "code": "091", "category": "KUNTA",
  "title": {"fi", ...}}, ...]`` (categories include ``KUNTA`` and ``HYVINVOINTIALUE``)
* ``GET {base}/json?indicator=127&years=2023&years=2024&genders=total`` ->
  ``[{"indicator": 127, "region": 52, "year": 2023, "gender": "total", "value": 9646}]``
  (``region`` is the id of ``/regions``, not a code)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from etl.sources.http import HttpClient, SourceError
from etl.sources.pxweb import decode


class SotkanetError(SourceError):
    """Sotkanet could not be read or answered something unusable."""


class SotkanetClient:
    def __init__(self, http: HttpClient, base: str):
        self.http, self.base = http, base.rstrip("/")

    def _get(self, url: str, what: str) -> Any:
        try:
            response = self.http.request("GET", url)
        except SourceError as exc:
            raise SotkanetError(f"{what}: {exc}") from None
        try:
            return decode(response.content, what)
        except SourceError as exc:
            raise SotkanetError(str(exc)) from None

    def indicator(self, indicator_id: int) -> dict:
        what = f"Sotkanet indicator {indicator_id} metadata"
        payload = self._get(f"{self.base}/indicators/{indicator_id}", what)
        if not isinstance(payload, dict) or payload.get("id") not in (indicator_id,
                                                                     str(indicator_id)):
            raise SotkanetError(f"{what}: not the metadata of indicator {indicator_id}")
        return payload

    def regions(self) -> list[dict]:
        payload = self._get(f"{self.base}/regions", "Sotkanet regions")
        if not isinstance(payload, list):
            raise SotkanetError("Sotkanet regions: expected a list of regions")
        return payload

    def data_url(self, indicator_id: int, years: Iterable[int]) -> str:
        query = [("indicator", indicator_id), *(("years", y) for y in years),
                 ("genders", "total")]
        return f"{self.base}/json?{urlencode(query)}"

    def data(self, indicator_id: int, years: Iterable[int]) -> list[dict]:
        what = f"Sotkanet data of indicator {indicator_id}"
        payload = self._get(self.data_url(indicator_id, years), what)
        if not isinstance(payload, list):
            raise SotkanetError(f"{what}: expected a list of values")
        return payload

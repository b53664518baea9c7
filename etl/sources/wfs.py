"""Statistics Finland WFS (geo.stat.fi): municipality boundaries of one year as GeoJSON.

One GetFeature request for the layer ``tilastointialueet:kunta4500k_{year}`` in
EPSG:4326. The answer is checked to be a GeoJSON FeatureCollection; a service
exception (OWS ExceptionReport) or any other answer becomes a ``WfsError`` that says
what the service said.
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urlencode

from etl.sources.http import HttpClient, SourceError

LAYER = "tilastointialueet:kunta4500k_{year}"


class WfsError(SourceError):
    """The WFS could not be reached or did not answer with municipality features."""


def layer_name(year: int) -> str:
    return LAYER.format(year=year)


def getfeature_url(base: str, year: int) -> str:
    """The GetFeature URL for the municipalities of ``year`` (WFS 2.0.0, GeoJSON, lon/lat)."""
    query = urlencode({
        "service": "WFS", "version": "2.0.0", "request": "GetFeature",
        "typeNames": layer_name(year), "srsName": "EPSG:4326",
        "outputFormat": "application/json"}, safe=":/")
    return f"{base.rstrip('?')}{'&' if '?' in base else '?'}{query}"


def fetch_municipalities(client: HttpClient, base: str, year: int) -> bytes:
    """The GeoJSON bytes of the municipality layer of ``year``; raises ``WfsError``."""
    url = getfeature_url(base, year)
    try:
        response = client.request("GET", url)
    except SourceError as exc:
        hint = ""
        if " HTTP 400" in str(exc) or " HTTP 404" in str(exc):
            hint = f" (is there a layer {layer_name(year)} for that year?)"
        raise WfsError(f"could not fetch {layer_name(year)} from the WFS at {base}: "
                       f"{exc}{hint}") from None
    body = response.content
    exception = service_exception(body)
    if exception is not None:
        raise WfsError(f"the WFS at {base} refused the request for {layer_name(year)}: "
                       f"{exception}")
    try:
        document = json.loads(body)
    except ValueError:
        kind = response.headers.get("Content-Type", "unknown content type")
        raise WfsError(f"the WFS at {base} did not answer with GeoJSON ({kind}, "
                       f"{len(body)} bytes): {_preview(body)}") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise WfsError(f"the WFS at {base} answered JSON that is not a GeoJSON "
                       f"FeatureCollection: {_preview(body)}")
    matched, returned = document.get("numberMatched"), document.get("numberReturned")
    if isinstance(matched, int) and isinstance(returned, int) and returned < matched:
        raise WfsError(f"the WFS at {base} returned only {returned} of {matched} features "
                       "(a server paging limit); refusing an incomplete map")
    return body


def service_exception(body: bytes) -> str | None:
    """The text of an OWS ExceptionReport (or a WMS-style ServiceExceptionReport), or
    ``None`` when ``body`` is not one. Read with patterns, not an XML parser: the
    answer is untrusted and only a few strings are wanted."""
    head = body.lstrip()[:1000]
    if not head.startswith(b"<") or b"Exception" not in head:
        return None
    text = body.decode("utf-8", errors="replace")
    messages = [html.unescape(" ".join(m.split())) for m in _EXCEPTION_TEXT.findall(text)]
    codes = _EXCEPTION_CODE.findall(text)
    message = "; ".join(m for m in messages if m) or "no exception text"
    return f"{message} ({', '.join(codes)})" if codes else message


_EXCEPTION_TEXT = re.compile(
    r"<(?:[\w.-]+:)?(?:ExceptionText|ServiceException)\b[^>]*>(.*?)</", re.DOTALL)
_EXCEPTION_CODE = re.compile(r"""\b(?:exceptionCode|code)\s*=\s*["']([^"']+)["']""")


def _preview(body: bytes, limit: int = 200) -> str:
    text = body[:limit].decode("utf-8", errors="replace")
    text = re.sub(r"\s+", " ", text).strip()
    return repr(text + ("..." if len(body) > limit else ""))

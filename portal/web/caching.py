"""HTTP caching for generated documents: ETag, 304 revalidation, gzip, Cache-Control.

Geometry and map scripts are large, change only when boundaries are reloaded (or the
code changes) and are the same for every visitor, so they are served with a strong
validator and compressed once per version, never per request.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache

from flask import Response, request

# Content-hashed URLs never change meaning; everything else is revalidated soon.
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
_MIN_GZIP_BYTES = 1024


def digest(data: str | bytes) -> str:
    """sha256 hex of ``data`` (text is UTF-8 encoded)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


class _Body:
    """Bytes keyed by their ETag, so the gzip cache hashes 64 characters, not megabytes."""

    __slots__ = ("etag", "data")

    def __init__(self, etag: str, data: bytes):
        self.etag, self.data = etag, data

    def __hash__(self) -> int:
        return hash(self.etag)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Body) and other.etag == self.etag


@lru_cache(maxsize=64)
def _gzipped(body: _Body) -> bytes:
    # mtime=0: the same input always gives the same bytes
    return gzip.compress(body.data, compresslevel=6, mtime=0)


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def _client_has(etag: str) -> bool:
    """Whether If-None-Match names ``etag`` in any of our encodings (weak comparison,
    as RFC 9110 prescribes for If-None-Match; proxies may weaken our tags)."""
    tags = request.if_none_match
    return bool(tags) and (tags.contains_weak(etag) or tags.contains_weak(f"{etag}-gzip"))


def cached_response(data: str | bytes, mimetype: str, *, etag: str | None = None,
                    cache_control: str = SHORT) -> Response:
    """A 200 with ``data`` (gzipped when the client accepts it), or a 304 when the
    client already holds this version. ``etag`` defaults to the sha256 of ``data``.

    The gzip representation gets its own entity tag (``<etag>-gzip``) because it is a
    different sequence of bytes; both are recognised on revalidation.
    """
    body = data.encode("utf-8") if isinstance(data, str) else data
    etag = etag or digest(body)
    use_gzip = len(body) >= _MIN_GZIP_BYTES and _accepts_gzip()
    tag = f"{etag}-gzip" if use_gzip else etag
    if _client_has(etag):
        response = Response(status=304)
    else:
        payload = _gzipped(_Body(etag, body)) if use_gzip else body
        response = Response(payload, mimetype=mimetype)
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
    response.set_etag(tag)
    response.headers["Cache-Control"] = cache_control
    response.vary.add("Accept-Encoding")
    return response

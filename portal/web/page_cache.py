"""Rendered public answers, kept per data version: the national map, area, network and
indicator pages and the JSON API cost tens to hundreds of milliseconds to build and are
the same for every anonymous visitor until the data changes.

The key is the answer's ETag (``open_data.etag_for``): the data version (latest audit
event, latest ETL run, today's date; read from the database on every request), the
viewer, the host, the path and query, the language and the release (a digest of the
templates and catalogs). Nothing is served that the database would not give today, so several
web instances can each keep their own copy: a request landing on another instance
gets the same page. Only anonymous answers with status 200 are kept, never a page with
a flashed message; the cache is bounded in bytes (``PAGE_CACHE_MB``, 0 turns it off)
and evicts the least recently used page.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from flask import Flask, Response, current_app, make_response, session

from portal.web.open_data import etag_for, not_modified, viewer, with_validators

PAGE = "public, no-cache"  # browsers and proxies may keep it, and revalidate each time
_EXTENSION = "tym_page_cache"


class PageCache:
    """A byte-bounded LRU of response bodies keyed by ETag (thread-safe)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: str) -> tuple[bytes, str] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item

    def put(self, key: str, body: bytes, mimetype: str) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= len(old[0])
            self._items[key] = (body, mimetype)
            self._size += len(body)
            while self._size > self.max_bytes:
                _key, (evicted, _type) = self._items.popitem(last=False)
                self._size -= len(evicted)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size(self) -> int:
        return self._size


def release_digest(root: Path, *code: Path) -> str:
    """A digest of what shapes an answer besides the data: the code (``root`` and the
    ``code`` folders' Python files), templates and compiled catalogs; the same on every
    instance running the same release, different after any change to them."""
    digest = hashlib.sha256()
    files = [*root.glob("**/*.py"), *root.glob("web/templates/**/*.html"),
             *root.glob("translations/*/LC_MESSAGES/*.mo")]
    for folder in code:
        files.extend(folder.glob("**/*.py"))
    for path in sorted(files):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def init_app(app: Flask) -> None:
    megabytes = app.config.get("PAGE_CACHE_MB", 32)
    app.extensions[_EXTENSION] = PageCache(int(megabytes * 1024 * 1024))
    portal = Path(__file__).resolve().parents[1]
    app.extensions["tym_release"] = release_digest(portal, portal.parent / "geodata")


def page_cache() -> PageCache:
    return current_app.extensions[_EXTENSION]


def cached_page(build: Callable[[], object], *parts: str, cache_control: str = PAGE
                ) -> Response:
    """``build()``'s page with validators; a 304 when the client holds it; for anonymous
    visitors the stored copy when this data version's page was rendered before.
    ``cache_control`` is what public answers say (signed-in ones: private, no-store)."""
    etag = etag_for(*parts)
    answer = not_modified(etag, cache_control)
    if answer is not None:
        return answer
    cache = page_cache()
    public = viewer() == "public" and "_flashes" not in session and cache.max_bytes > 0
    if public:
        stored = cache.get(etag)
        if stored is not None:
            return _finish(Response(stored[0], mimetype=stored[1]), etag, cache_control,
                           "hit")
    response = make_response(build())
    if public and response.status_code == 200 and not response.is_streamed \
            and "_flashes" not in session:
        cache.put(etag, response.get_data(), response.mimetype)
        return _finish(response, etag, cache_control, "miss")
    return _finish(response, etag, cache_control, None)


def _finish(response: Response, etag: str, public: str, outcome: str | None) -> Response:
    with_validators(response, etag, public)
    if outcome is not None:
        response.headers["X-Page-Cache"] = outcome
    return response

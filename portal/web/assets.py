"""Versioned URLs for static files: ``/static/css/portal.css?v=<content hash>``.

``url_for('static', ...)`` adds the first 12 hex digits of the file's sha256, so a
new release changes every URL whose file changed; an answer whose ``v`` matches the
file may then be cached for a year (nginx does the same for the files it serves). The
hash is computed once per file version (keyed by size and modification time).
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from flask import Flask, request
from werkzeug.wrappers import Response

from portal.web.caching import IMMUTABLE

VERSION_LENGTH = 12


@lru_cache(maxsize=512)
def _file_version(path: str, _size: int, _mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()[:VERSION_LENGTH]


def file_version(static_folder: str, filename: str) -> str | None:
    """The content version of a static file, or None when there is no such file."""
    root = os.path.realpath(static_folder)
    path = os.path.realpath(os.path.join(root, filename))
    if not path.startswith(root + os.sep):
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _file_version(path, stat.st_size, stat.st_mtime_ns)


def init_app(app: Flask) -> None:
    @app.url_defaults
    def _versioned_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = file_version(app.static_folder, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def _cache_versioned(response: Response) -> Response:
        if (request.endpoint == "static" and response.status_code in (200, 304)
                and request.args.get("v")
                and request.args["v"] == file_version(app.static_folder,
                                                      (request.view_args or {}).get(
                                                          "filename", ""))):
            response.headers["Cache-Control"] = IMMUTABLE
        return response

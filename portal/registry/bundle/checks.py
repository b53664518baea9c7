"""Field checks of the registry format: each takes a value and its ``schema.Field`` and
returns an error message, or None when the value is fine. ``CHECKS`` maps a field's
``kind`` to its check."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from portal.registry.bundle import schema
from portal.registry.bundle.schema import Field


def show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _too_long(value: str, f: Field) -> str | None:
    if f.max_length is not None and len(value) > f.max_length:
        return f"must be at most {f.max_length} characters"
    return None


def _check_format(value, _f):
    return None if value == schema.FORMAT else f'must be "{schema.FORMAT}", not {show(value)}'


def _check_bool(value, _f):
    return None if isinstance(value, bool) else "must be true or false"


def _check_optional_bool(value, _f):
    return None if value is None or isinstance(value, bool) else "must be true, false or null"


def _check_slug(value, f):
    if not isinstance(value, str) or not schema.SLUG_RE.fullmatch(value):
        return 'must be a slug of lower-case letters a-z, digits 0-9 and "-"'
    return _too_long(value, f)


def _check_text(value, f):
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty string"
    return _too_long(value, f)


def _check_string(value, f):
    return "must be a string" if not isinstance(value, str) else _too_long(value, f)


def _check_optional_text(value, f):
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty string or null"
    return _too_long(value, f)


def _check_date(value, _f):
    if value is None:
        return None
    if isinstance(value, str) and schema.DATE_RE.fullmatch(value):
        try:
            dt.date.fromisoformat(value)
            return None
        except ValueError:
            pass
    return f"must be a date YYYY-MM-DD or null, not {show(value)}"


def _check_choice(value, f):
    if value in f.choices:
        return None
    if value is None and not f.required:
        return None
    nullable = ", or null" if not f.required and f.default is None else ""
    return f"must be one of {', '.join(f.choices)}{nullable} (not {show(value)})"


def _check_year(value, _f):
    if is_int(value) and schema.YEAR_MIN <= value <= schema.YEAR_MAX:
        return None
    return f"must be a whole number from {schema.YEAR_MIN} to {schema.YEAR_MAX}"


def _check_level(value, _f):
    if is_int(value) and schema.LEVEL_MIN <= value <= schema.LEVEL_MAX:
        return None
    return f"must be a whole number from {schema.LEVEL_MIN} to {schema.LEVEL_MAX}"


def _check_number(value, _f):
    if (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and value >= 0):
        return None
    return "must be a number >= 0"


def _check_url(value, f):
    if value is None:
        return None
    if isinstance(value, str):
        parts = urlsplit(value)
        if parts.scheme in ("http", "https") and parts.netloc and not any(
                c.isspace() for c in value):
            return _too_long(value, f)
    return "must be an http(s) URL or null"


def _check_list(value, _f):
    return None if isinstance(value, list) else "must be a list"


def _check_object(value, _f):
    return None if isinstance(value, dict) else "must be an object"


CHECKS: dict[str, Callable[[Any, Field], str | None]] = {
    "format": _check_format, "bool": _check_bool, "optional_bool": _check_optional_bool,
    "slug": _check_slug, "text": _check_text, "string": _check_string,
    "optional_text": _check_optional_text, "date": _check_date, "choice": _check_choice,
    "year": _check_year, "level": _check_level, "number": _check_number, "url": _check_url,
    "list": _check_list, "object": _check_object,
}


def is_line(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and "\n" not in value

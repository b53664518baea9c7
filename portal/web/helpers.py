"""What every template and view shares: the URL of a unit's page, names marked with
their language, the language switcher's links, the requested date."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

from flask import Flask, g, request, url_for
from flask_babel import format_date, gettext
from markupsafe import Markup, escape
from werkzeug.exceptions import BadRequest, NotFound

from portal.i18n import current_locale
from portal.registry.geography.models import EmploymentArea, Level, Municipality
from portal.registry.geography.profiles import unit_code
from portal.settings import LOCALES

# Level -> the path segment of its pages and geometry (/counties/12, /geo/2025/counties/12)
SEGMENTS = {
    Level.county: "counties",
    Level.employment_area: "employment-areas",
    Level.municipality: "municipalities",
}
ENDPOINTS = {
    Level.county: "pages.county",
    Level.employment_area: "pages.employment_area",
    Level.municipality: "pages.municipality",
}
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Each language's name for itself, shown in the switcher whatever the page language.
LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}


class InvalidParameter(BadRequest):
    """A 400 whose description is translated and written for the visitor."""


def level_for_segment(segment: str) -> Level:
    for level, name in SEGMENTS.items():
        if name == segment:
            return level
    raise NotFound()


def level_of(unit) -> Level:
    if isinstance(unit, Municipality):
        return Level.municipality
    if isinstance(unit, EmploymentArea):
        return Level.employment_area
    return Level.county


def requested_date() -> dt.date | None:
    """``?on=YYYY-MM-DD`` as a date; None when absent; a 400 page when malformed."""
    raw = request.args.get("on")
    if raw is None or raw == "":
        return None
    if _ISO_DATE.fullmatch(raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    raise InvalidParameter(gettext(
        "“%(value)s” is not a date. Give the date as YYYY-MM-DD, for example 2024-06-01.",
        value=raw[:40]))


def unit_url(unit) -> str:
    """The page of ``unit``, keeping the requested ``?on=`` date (and nothing else).

    The map page links to ~1,000 units: the URL pattern is built once per level and
    request (codes are plain ``[a-z0-9-]``, so they need no quoting).
    """
    level = level_of(unit)
    patterns = g.setdefault("tym_unit_url_patterns", {})
    if level not in patterns:
        on = request.args.get("on")
        params = {"on": on} if on else {}
        patterns[level] = url_for(ENDPOINTS[level], code="CODE", **params)
    return patterns[level].replace("CODE", unit_code(unit), 1)


def name_language(unit, locale: str) -> str:
    """The language of ``display_name(unit, locale)``."""
    if locale == "sv" and unit.name_sv:
        return "sv"
    if locale == "en" and getattr(unit, "name_en", None):
        return "en"
    return "fi"


def unit_name(unit) -> Markup:
    """The unit's name in the page language, with ``lang`` when that name is in another
    language (an English page shows a municipality's Finnish name)."""
    from portal.registry.geography.services import display_name

    locale = current_locale()
    name = display_name(unit, locale)
    lang = name_language(unit, locale)
    if lang == locale:
        return escape(name)
    return Markup('<span lang="%s">%s</span>') % (lang, name)


def in_language(text: str | None, lang: str) -> Markup:
    """``text`` marked as being in ``lang`` when that differs from the page language."""
    if not text:
        return Markup("")
    if lang == current_locale():
        return escape(text)
    return Markup('<span lang="%s">%s</span>') % (lang, text)


def language_links() -> list[dict]:
    """One link per language to this same page (query kept, ``lang`` replaced)."""
    current = current_locale()
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return [{"code": code, "name": LANGUAGE_NAMES[code], "current": code == current,
             "url": request.path + "?" + urlencode(args + [("lang", code)])}
            for code in LOCALES]


def long_date(value: dt.date) -> str:
    return format_date(value, "long")


def in_sentence(name: str) -> str:
    """A unit-level name as it reads inside a sentence: the first letter lower-cased,
    unless the name starts with an acronym ("TYM network", "TYM-verkosto" stay as they are)."""
    first = re.split(r"[\s-]", name, maxsplit=1)[0]
    if len(first) > 1 and first.isupper():
        return name
    return name[:1].lower() + name[1:]


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(unit_url=unit_url, unit_name=unit_name,
                                 in_language=in_language, language_links=language_links,
                                 current_locale=current_locale)
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["in_sentence"] = in_sentence

"""Languages: Finnish by default, Swedish and English selectable (Flask-Babel)."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_babel import Babel, get_locale

from portal.settings import LOCALES

LANG_COOKIE = "tym_lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


def select_locale() -> str:
    """``?lang=`` wins, then the visitor's saved choice, then the configured default.

    The browser's Accept-Language is deliberately not used: a national authority's
    service opens in Finnish unless the visitor chooses otherwise, and the choice is
    visible and persistent.
    """
    for candidate in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LOCALES:
            return candidate
    return current_app.config["DEFAULT_LOCALE"]


def current_locale() -> str:
    return str(get_locale() or current_app.config["DEFAULT_LOCALE"])


def remember_choice(response: Response) -> Response:
    """Keep a ``?lang=`` choice in the ``tym_lang`` cookie; HTML says which language it is
    in and that it depends on the cookie (so shared caches keep the languages apart)."""
    chosen = request.args.get("lang")
    if chosen in LOCALES and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(LANG_COOKIE, chosen, max_age=LANG_COOKIE_MAX_AGE, path="/",
                            samesite="Lax", secure=request.is_secure, httponly=True)
    if response.mimetype == "text/html":
        response.headers["Content-Language"] = current_locale()
        response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=select_locale)
    app.after_request(remember_choice)

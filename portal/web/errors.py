"""Friendly, translated error pages (and plain JSON errors for the geometry URLs)."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound

from portal.registry.geography.services import UnknownArea
from portal.web.helpers import InvalidParameter


def _titles() -> dict[int, str]:
    return {400: gettext("The address has an error"),
            404: gettext("Page not found"),
            405: gettext("This request is not supported here"),
            500: gettext("Something went wrong on our side")}


def _explanations() -> dict[int, str]:
    return {400: gettext("The page could not be shown because part of its address is "
                         "not valid."),
            404: gettext("There is no page at this address. The area may have another "
                         "code, or the address may be mistyped."),
            500: gettext("The page could not be shown because of an error in the "
                         "service. Please try again later.")}


def render_error(error: HTTPException):
    code = error.code or 500
    if request.blueprint in ("geometry", "maps"):
        return jsonify(error=error.name, status=code), code
    # werkzeug's own descriptions are English; only ours, translated, are shown
    detail = error.description if isinstance(error, InvalidParameter) else None
    titles = _titles()
    title = titles.get(code) or titles[400 if code < 500 else 500]
    page = render_template("error.html", status=code, title=title,
                           explanation=_explanations().get(code, ""), detail=detail)
    return page, code


def _unknown_area(_error: UnknownArea):
    return render_error(NotFound())


def _unexpected(_error: InternalServerError):
    return render_error(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(UnknownArea, _unknown_area)
    app.register_error_handler(InternalServerError, _unexpected)

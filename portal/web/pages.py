"""HTML pages: the national map and one page per county, employment area and municipality.

Each route reads the request (``?on=``), asks ``portal.registry.geography.profiles``
for the facts and renders a template; an unknown code becomes the 404 page (see
``portal.web.errors``), a malformed date the 400 page.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template

from portal.db import get_session
from portal.i18n import current_locale
from portal.registry.geography.models import Level
from portal.registry.geography.profiles import area_profile, national_overview
from portal.web.helpers import requested_date
from portal.web.maps import national_map, outline_map
from portal.web.page_cache import cached_page

bp = Blueprint("pages", __name__)


def _date() -> tuple[dt.date, bool]:
    """The date to show and whether the visitor chose it (``?on=``) or it is today."""
    on = requested_date()
    return (on, True) if on else (dt.date.today(), False)


@bp.get("/")
def index():
    on, chosen = _date()

    def build():
        overview = national_overview(get_session(), on)
        return render_template("index.html", overview=overview, on=on, date_chosen=chosen,
                               map=national_map(overview.boundary_set))

    return cached_page(build, "html", current_locale())


def _area_page(level: Level, code: str):
    on, chosen = _date()

    def build():
        profile = area_profile(get_session(), level, code, on)
        return render_template(f"area_{level.value}.html", profile=profile,
                               unit=profile.unit, on=on, date_chosen=chosen,
                               map=outline_map(profile.boundary_set, profile.shape))

    return cached_page(build, "html", current_locale())


@bp.get("/counties/<code>")
def county(code: str):
    return _area_page(Level.county, code)


@bp.get("/employment-areas/<code>")
def employment_area(code: str):
    return _area_page(Level.employment_area, code)


@bp.get("/municipalities/<code>")
def municipality(code: str):
    return _area_page(Level.municipality, code)

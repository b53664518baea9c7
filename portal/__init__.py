"""tym-portal: the national registry and monitoring portal for Finland's TYM networks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from portal.db import Database
from portal.settings import SETTINGS, load_settings


def create_app(settings: Mapping[str, Any] | None = None,
               database: Database | None = None) -> Flask:
    """Build the web application.

    ``settings`` overrides what the environment says (see ``portal.settings``);
    ``database`` replaces the one built from ``DATABASE_URL`` (tests pass one bound to
    a connection inside a transaction).
    """
    from portal import db, i18n
    from portal.web import operations, register_blueprints

    app = Flask(__name__, template_folder="web/templates", static_folder="web/static",
                instance_relative_config=False)
    settings = dict(settings or {})
    declared = {s.name for s in SETTINGS}
    app.config.update(load_settings(overrides={k: v for k, v in settings.items() if k in declared}))
    app.config.update({k: v for k, v in settings.items() if k not in declared})  # e.g. TESTING
    db.init_app(app, database)
    i18n.init_app(app)
    operations.init_app(app)  # request ids, logs, metrics, security headers, 503s
    register_blueprints(app)
    return app

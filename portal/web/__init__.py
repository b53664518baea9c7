"""The web adapters: blueprints registered by hand, each route a few lines over the registry."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from portal.web import (
        auth,
        csrf,
        errors,
        geometry,
        helpers,
        maps,
        networks,
        page_cache,
        pages,
    )

    helpers.init_app(app)
    page_cache.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    csrf.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(geometry.bp)
    app.register_blueprint(maps.bp)
    app.register_blueprint(networks.bp)
    from portal.web import etl_admin, submissions  # ETL admin page, editors' submissions

    app.register_blueprint(etl_admin.bp)
    app.register_blueprint(submissions.bp)
    from portal.web import api, downloads, indicators  # indicators and open data

    app.register_blueprint(indicators.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(downloads.bp)
    from portal.web import operations, statements  # health and metrics; statement pages

    app.register_blueprint(operations.bp)
    app.register_blueprint(statements.bp)
    from portal.web import account, admin, edit, history  # accounts, editing, history

    app.register_blueprint(account.bp)
    app.register_blueprint(edit.bp)
    app.register_blueprint(history.bp)
    app.register_blueprint(admin.bp)

"""Alembic migrations: the only way the schema changes.

``alembic_config(url)`` builds the configuration in code so that the CLI, the tests
and deploy scripts need no alembic.ini.
"""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config

HERE = Path(__file__).resolve().parent


def alembic_config(url: str, connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config

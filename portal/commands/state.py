"""What every ``tym`` command needs: settings and a database, created on first use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import click

from portal.db import Database
from portal.settings import SettingsError, load_settings


@dataclass
class CliState:
    """Tests inject ``database`` and ``settings``; otherwise both come from the environment."""

    settings: dict[str, Any] | None = None
    database: Database | None = None
    overrides: dict[str, Any] = field(default_factory=dict)

    def get_settings(self) -> dict[str, Any]:
        if self.settings is None:
            try:
                self.settings = load_settings(overrides=self.overrides)
            except SettingsError as exc:
                raise click.ClickException(str(exc)) from None
        return self.settings

    def get_database(self) -> Database:
        if self.database is None:
            self.database = Database.from_url(self.get_settings()["DATABASE_URL"])
        return self.database


pass_state = click.make_pass_decorator(CliState, ensure=True)

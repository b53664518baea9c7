"""Every setting is declared once, documented, and validated."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal import create_app
from portal.settings import SETTINGS, SettingsError, load_settings, settings_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_settings_reference_is_up_to_date():
    assert DOCS.read_text(encoding="utf-8") == settings_markdown(), (
        "docs/settings.md is stale: run `make docs`")


def test_every_setting_has_help_and_a_tym_env_var():
    for setting in SETTINGS:
        assert setting.env == f"TYM_{setting.name}"
        assert len(setting.help) > 20, setting.name


def test_environment_then_overrides():
    values = load_settings(environ={"TYM_BOUNDARIES_YEAR": "2024", "TYM_HTTP_TIMEOUT": "2.5"},
                           overrides={"HTTP_RETRIES": 0})
    assert values["BOUNDARIES_YEAR"] == 2024
    assert values["HTTP_TIMEOUT"] == 2.5
    assert values["HTTP_RETRIES"] == 0
    assert values["TILE_URL"] == ""  # base-map tiles are off unless configured


@pytest.mark.parametrize("env, message", [
    ({"TYM_BOUNDARIES_YEAR": "twenty"}, "TYM_BOUNDARIES_YEAR: not a whole number"),
    ({"TYM_DEFAULT_LOCALE": "de"}, "TYM_DEFAULT_LOCALE must be one of fi, sv, en"),
])
def test_bad_values_are_refused_with_the_variable_named(env, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(environ=env)


def test_unknown_override_is_refused():
    with pytest.raises(SettingsError, match="unknown settings: DATABSE_URL"):
        load_settings(environ={}, overrides={"DATABSE_URL": "sqlite://"})


def test_cli_reports_a_bad_setting_cleanly(monkeypatch):
    from click.testing import CliRunner

    from portal.cli import main

    monkeypatch.setenv("TYM_HTTP_RETRIES", "many")
    result = CliRunner().invoke(main, ["settings"])
    assert result.exit_code == 1
    assert "TYM_HTTP_RETRIES: not a whole number" in result.output


def test_create_app_takes_settings_not_the_environment(monkeypatch, database):
    monkeypatch.setenv("TYM_DEFAULT_LOCALE", "sv")
    app = create_app({"DEFAULT_LOCALE": "en"}, database=database)
    assert app.config["DEFAULT_LOCALE"] == "en"

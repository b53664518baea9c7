"""Migrations are the only schema path: one head, and models and migrations agree."""

from __future__ import annotations

from sqlalchemy import inspect

from portal.db import Database, make_engine
from portal.migrations.runner import check, heads, upgrade


def test_there_is_exactly_one_head():
    assert len(heads()) == 1


def test_db_check_passes_on_the_migrated_database(cli):
    result = cli("db", "check")
    assert result.exit_code == 0, result.output
    assert "schema matches the models and is at head" in result.output


def test_upgrade_builds_every_table_from_nothing(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    database = Database(engine)
    upgrade(database)
    tables = set(inspect(engine).get_table_names())
    assert {"municipalities", "wellbeing_counties", "employment_areas", "county_memberships",
            "employment_area_memberships", "boundary_sets", "area_shapes",
            "alembic_version"} <= tables
    check(database)
    engine.dispose()


def test_db_check_fails_on_an_unmigrated_database(tmp_path):
    from click.testing import CliRunner

    from portal.cli import CliState, main

    engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    state = CliState(settings={"DATABASE_URL": "unused"}, database=Database(engine))
    result = CliRunner().invoke(main, ["db", "check"], obj=state)
    assert result.exit_code == 1
    assert "database at None" in result.output
    engine.dispose()

"""``tym backup`` / ``tym restore``: a backup restored into an empty database holds every
record (PostgreSQL: pg_dump custom format; SQLite: the online backup API)."""

from __future__ import annotations

import os
import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, select, text

from portal.cli import CliState, main
from portal.db import Database
from portal.migrations.runner import upgrade
from portal.ops.backup import BackupError, backup_kind, restore
from portal.registry.audit.recorder import Actor
from portal.registry.demo import load_demo
from portal.registry.geography.reference import read_snapshot, sync_reference
from portal.registry.users import services as users
from tests.conftest import _create_postgres_database, test_settings

POSTGRES = os.environ.get("TYM_TEST_DATABASE_URL", "").startswith("postgresql")


def _databases(folder):
    """Make empty databases of the run's kind; the second value drops them."""
    drops = []

    def make() -> str:
        if POSTGRES:
            url, drop = _create_postgres_database(os.environ["TYM_TEST_DATABASE_URL"])
            drops.append(drop)
            return url
        return f"sqlite:///{folder / f'{uuid.uuid4().hex[:8]}.sqlite3'}"

    def drop_all() -> None:
        for drop in drops:
            drop()

    return make, drop_all


@pytest.fixture
def new_database(tmp_path):
    make, drop_all = _databases(tmp_path)
    yield make
    drop_all()


def tym(url: str, *args: str):
    state = CliState(settings=test_settings(url))
    result = CliRunner().invoke(main, list(args), obj=state, catch_exceptions=False)
    if state.database is not None:
        state.database.bind.dispose()
    return result


def _snapshot(url: str) -> dict:
    """Row counts of every table and a few records, read without the ORM."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            counts = {t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one()
                      for t in tables}
            records = {
                "alembic": conn.execute(text("SELECT version_num FROM alembic_version")).all(),
                "helsinki": conn.execute(text(
                    "SELECT code, name_fi, name_sv FROM municipalities WHERE code = '091'")).all(),
                "networks": conn.execute(text(
                    "SELECT id, name_fi FROM networks ORDER BY id")).all(),
                "user": conn.execute(text(
                    "SELECT email, role, password_hash FROM users ORDER BY id")).all(),
                "audit": conn.execute(text(
                    "SELECT table_name, record_id, action, actor FROM audit_events "
                    "ORDER BY id DESC LIMIT 5")).all(),
            }
    finally:
        engine.dispose()
    return {"tables": tables, "counts": counts, "records": records}


@pytest.fixture(scope="module")
def populated(tmp_path_factory):
    """A database with the schema, the reference data, the demo registry and an account
    (built once: the tests only read it, or restore it onto itself)."""
    make, drop_all = _databases(tmp_path_factory.mktemp("backup"))
    url = make()
    database = Database.from_url(url)
    upgrade(database)
    with database.transaction(Actor("test:backup")) as session:
        sync_reference(session, read_snapshot())
        load_demo(session)
        users.add_user(session, "leader@example.fi", "editor", "Leader")
    database.bind.dispose()
    yield url
    drop_all()


def test_a_backup_restored_into_an_empty_database_holds_every_record(
        populated, new_database, tmp_path):
    path = tmp_path / "tym.backup"
    made = tym(populated, "backup", str(path))
    assert made.exit_code == 0, made.output
    assert backup_kind(path) == ("postgresql" if POSTGRES else "sqlite")
    assert not (tmp_path / "tym.backup.partial").exists()

    empty = new_database()
    restored = tym(empty, "restore", str(path))
    assert restored.exit_code == 0, restored.output
    assert "restored" in restored.output

    before, after = _snapshot(populated), _snapshot(empty)
    assert after["tables"] == before["tables"]
    assert after["counts"] == before["counts"]
    assert after["records"] == before["records"]
    # the data is really there, not just the schema
    assert before["counts"]["municipalities"] > 300
    assert before["counts"]["networks"] > 0
    assert before["counts"]["audit_events"] > 0
    assert len(before["records"]["networks"]) == before["counts"]["networks"]
    # and the restored database is usable by the portal: schema at head, models agree
    assert tym(empty, "db", "check").exit_code == 0


def test_the_boundaries_survive_a_backup(boundaries_2025, database_url, new_database, tmp_path):
    path = tmp_path / "with-boundaries.backup"
    assert tym(database_url, "backup", str(path)).exit_code == 0
    empty = new_database()
    assert tym(empty, "restore", str(path)).exit_code == 0
    before, after = _snapshot(database_url), _snapshot(empty)
    assert after["counts"] == before["counts"]
    assert before["counts"]["area_shapes"] > 0
    engine = create_engine(empty)
    with engine.connect() as conn:
        restored = conn.execute(text("SELECT etag, topology FROM boundary_sets")).all()
    engine.dispose()
    engine = create_engine(database_url)
    with engine.connect() as conn:
        original = conn.execute(text("SELECT etag, topology FROM boundary_sets")).all()
    engine.dispose()
    assert restored == original


def test_restore_refuses_a_database_that_already_holds_tables(populated, tmp_path):
    path = tmp_path / "tym.backup"
    assert tym(populated, "backup", str(path)).exit_code == 0
    refused = tym(populated, "restore", str(path))
    assert refused.exit_code == 1
    assert "nothing restored" in refused.output and "--replace" in refused.output
    replaced = tym(populated, "restore", "--replace", str(path))
    assert replaced.exit_code == 0, replaced.output
    assert _snapshot(populated)["counts"]["networks"] > 0


def test_restore_refuses_what_is_not_a_backup(new_database, tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all")
    result = tym(new_database(), "restore", str(junk))
    assert result.exit_code == 1
    assert "is not a backup made by `tym backup`" in result.output
    missing = tym(new_database(), "restore", str(tmp_path / "nope.backup"))
    assert missing.exit_code == 1 and "cannot read" in missing.output


def test_restore_refuses_a_backup_of_the_other_kind(tmp_path):
    fake_pg = tmp_path / "pg.backup"
    fake_pg.write_bytes(b"PGDMP\x01\x0e\x00")
    with pytest.raises(BackupError, match="is a postgresql backup; the database is sqlite"):
        restore(f"sqlite:///{tmp_path / 'x.sqlite3'}", fake_pg)


def test_backup_into_a_missing_folder_is_a_clear_error(new_database, tmp_path):
    result = tym(new_database(), "backup", str(tmp_path / "no" / "such" / "dir" / "x.backup"))
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_the_restored_registry_reads_through_the_orm(populated, new_database, tmp_path):
    from portal.registry.networks.models import Network

    path = tmp_path / "tym.backup"
    tym(populated, "backup", str(path))
    empty = new_database()
    tym(empty, "restore", str(path))
    database = Database.from_url(empty)
    with database.transaction() as session:
        names = session.scalars(select(Network.id).order_by(Network.id)).all()
    database.bind.dispose()
    assert names and names == [row[0] for row in _snapshot(populated)["records"]["networks"]]

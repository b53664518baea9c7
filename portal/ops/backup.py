"""Backups: ``backup`` writes the whole database to one file, ``restore`` reads it back.

PostgreSQL: ``pg_dump`` in its custom format (compressed, restorable table by table)
and ``pg_restore`` in one transaction, so a failed restore leaves the target as it
was. SQLite: the online backup API (a consistent copy while the portal runs) in both
directions. The file's first bytes tell which kind it is, and a restore refuses a
kind that does not match the target, or a target that already holds tables unless
``replace`` is given.

The password of a PostgreSQL URL is handed to the tools in ``PGPASSWORD``, never on
their command line (which other users of the machine can read).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, make_url

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    kind: str  # "postgresql" | "sqlite"
    bytes: int


def _kind(url: URL) -> str:
    backend = url.get_backend_name()
    if backend not in ("postgresql", "sqlite"):
        raise BackupError(f"backups support PostgreSQL and SQLite, not {backend}")
    return backend


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment carrying it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install "
                          f"postgresql-client)")
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip()
        raise BackupError(f"{Path(command[0]).name} failed: {message}")


def _sqlite_copy(source_path: Path, target_path: Path) -> None:
    """Copy a SQLite database page by page with the online backup API."""
    source = sqlite3.connect(source_path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        destination = sqlite3.connect(target_path)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()


def backup(database_url: str, path: str | Path) -> BackupResult:
    """Write the whole database at ``database_url`` to ``path`` (replaced if it exists)."""
    url = make_url(database_url)
    kind = _kind(url)
    target = Path(path)
    if target.parent and not target.parent.is_dir():
        raise BackupError(f"cannot write {target}: the folder {target.parent} does not exist")
    partial = target.with_name(target.name + ".partial")
    try:
        if kind == "postgresql":
            uri, env = _libpq(url)
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={partial}", f"--dbname={uri}"], env)
        else:
            source_path = _sqlite_path(url)
            if not source_path.exists():
                raise BackupError(f"no SQLite database at {source_path}")
            partial.unlink(missing_ok=True)
            _sqlite_copy(source_path, partial)
        os.replace(partial, target)  # a crash never leaves a half-written backup behind
    except OSError as exc:
        raise BackupError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(target, kind, target.stat().st_size)


def backup_kind(path: str | Path) -> str:
    """``postgresql`` or ``sqlite``, from the file's first bytes."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror or exc}") from None
    if head.startswith(PG_MAGIC):
        return "postgresql"
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    raise BackupError(f"{path} is not a backup made by `tym backup` (neither a pg_dump "
                      "custom-format file nor a SQLite database)")


def table_names(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return sorted(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def restore(database_url: str, path: str | Path, *, replace: bool = False) -> str:
    """Restore the backup ``path`` into the database at ``database_url``.

    The target must hold no tables unless ``replace``: then every object the backup
    holds is dropped and recreated. Returns the kind of backup restored.
    """
    url = make_url(database_url)
    kind = _kind(url)
    found = backup_kind(path)
    if found != kind:
        raise BackupError(f"{path} is a {found} backup; the database is {kind}")
    if kind == "sqlite":
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
    existing = table_names(database_url)
    if existing and not replace:
        raise BackupError(f"the database already holds {len(existing)} tables; restore into "
                          "an empty database, or give --replace to overwrite it")
    if kind == "postgresql":
        uri, env = _libpq(url)
        command = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction",
                   "--exit-on-error", f"--dbname={uri}"]
        if replace:
            command += ["--clean", "--if-exists"]
        _run(command + [str(path)], env)
    else:
        _sqlite_copy(Path(path), target)  # replaces every page of the target, atomically
    return kind

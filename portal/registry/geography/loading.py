"""Load the reference geography from a configured source, in one transaction."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from portal.db import Database
from portal.registry.audit.recorder import Actor
from portal.registry.geography.reference import (
    SNAPSHOT_DIR,
    ReferenceError,
    SyncReport,
    read_snapshot,
    sync_reference,
)


class LoadFailed(RuntimeError):
    """Loading failed; the database was left as it was."""


def load_reference_data(database: Database, settings: dict[str, Any], source: str,
                        on: dt.date | None = None, *, actor: Actor) -> SyncReport:
    """Read ``source`` (``snapshot``, a snapshot directory or the classification API URL)
    and make the reference tables equal to it."""
    try:
        if source == "snapshot":
            bundle = read_snapshot(SNAPSHOT_DIR)
        elif source.startswith(("http://", "https://")):
            from etl.sources.classifications import ClassificationError, fetch_reference_bundle
            from etl.sources.http import HttpClient

            client = HttpClient(timeout=settings["HTTP_TIMEOUT"], retries=settings["HTTP_RETRIES"])
            try:
                bundle = fetch_reference_bundle(client, source, on or dt.date(2025, 1, 1),
                                                base=read_snapshot(SNAPSHOT_DIR))
            except ClassificationError as exc:
                raise LoadFailed(str(exc)) from None
        elif Path(source).is_dir():
            bundle = read_snapshot(source)
        else:
            raise LoadFailed(f"unknown reference source {source!r}: use 'snapshot', a snapshot "
                             "directory, or an http(s) URL of the classification API")
        with database.transaction(actor) as session:
            return sync_reference(session, bundle)
    except ReferenceError as exc:
        raise LoadFailed(str(exc)) from None

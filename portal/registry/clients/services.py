"""Storing and reading client volumes. A resubmission for a network and month replaces
the stored counts in place through the ORM, so the audit trail keeps every old and new
count; identical counts change nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.registry.clients.models import COUNT_FIELDS, ClientVolume
from portal.registry.networks.models import Network


@dataclass(frozen=True)
class StoreReport:
    inserted: int
    replaced: int
    unchanged: int

    @property
    def changed(self) -> int:
        return self.inserted + self.replaced

    def summary(self) -> str:
        return (f"{self.inserted} months added, {self.replaced} replaced, "
                f"{self.unchanged} unchanged")


def network_validity(session: Session) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    return {nid: (start, end) for nid, start, end in session.execute(
        select(Network.id, Network.valid_from, Network.valid_to))}


def store_volumes(session: Session, rows: Iterable, *, source: str, run_id: int | None,
                  submitted_by: str, now: dt.datetime) -> StoreReport:
    """Insert or replace one row per (network, month); ``rows`` have ``network_id``,
    ``month`` and ``counts``. The caller owns the transaction and sets the audit actor."""
    inserted = replaced = unchanged = 0
    for row in rows:
        existing = session.scalar(select(ClientVolume).where(
            ClientVolume.network_id == row.network_id, ClientVolume.month == row.month))
        counts: Mapping[str, int] = row.counts
        if existing is None:
            session.add(ClientVolume(network_id=row.network_id, month=row.month,
                                     source=source, run_id=run_id, submitted_by=submitted_by,
                                     submitted_at=now, **counts))
            inserted += 1
        elif any(getattr(existing, name) != counts[name] for name in COUNT_FIELDS):
            for name in COUNT_FIELDS:
                setattr(existing, name, counts[name])
            existing.source, existing.run_id = source, run_id
            existing.submitted_by, existing.submitted_at = submitted_by, now
            replaced += 1
        else:
            unchanged += 1
    session.flush()
    return StoreReport(inserted, replaced, unchanged)


def volumes_of(session: Session, network_id: str) -> list[ClientVolume]:
    return list(session.scalars(select(ClientVolume).where(
        ClientVolume.network_id == network_id).order_by(ClientVolume.month.desc())))

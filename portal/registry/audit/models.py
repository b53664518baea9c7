"""The append-only audit trail: one row per changed record per flush."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from portal.registry.base import Base


class AuditEvent(Base):
    """Who (a user or a job) changed which record, when, each field's old and new value,
    and why. Never updated or deleted (PostgreSQL enforces it with a trigger)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True)
    actor: Mapped[str] = mapped_column(String(200))  # "user:<id>", "job:<id>", "cli:<command>"
    user_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))  # insert | update | delete | restore
    table_name: Mapped[str] = mapped_column(String(80))
    record_id: Mapped[str] = mapped_column(String(120))
    network_id: Mapped[str | None] = mapped_column(String(80), index=True)
    changes: Mapped[dict] = mapped_column(JSON)  # {field: [old, new]}
    reason: Mapped[str] = mapped_column(Text, default="")
    request_id: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_events_record", "table_name", "record_id"),)

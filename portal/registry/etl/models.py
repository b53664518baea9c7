"""Job runs and quarantined rows.

A run is written in its own short transactions (start, finish), apart from the load's
transaction, so a run that fails is still recorded while the data it was loading is
left as it was. Neither table is audited: a run record *is* the audit of a load.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.registry.base import Base, enum_column


class RunStatus(enum.StrEnum):
    running = "running"
    succeeded = "succeeded"  # loaded (rows may still have been quarantined)
    failed = "failed"  # nothing loaded: the previous data is untouched


class JobRun(Base):
    """One run of one ETL job."""

    __tablename__ = "etl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(80), index=True)
    trigger: Mapped[str] = mapped_column(String(40))  # schedule | cli | web | test
    actor: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_accepted: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    rows_changed: Mapped[int] = mapped_column(Integer, default=0)  # inserted+updated+deleted
    source: Mapped[str] = mapped_column(Text, default="")  # URL, file name, table
    source_version: Mapped[str] = mapped_column(String(200), default="")  # release date etc.
    message: Mapped[str] = mapped_column(Text, default="")

    quarantined: Mapped[list[QuarantinedRow]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="QuarantinedRow.id")

    @property
    def duration(self) -> dt.timedelta | None:
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class QuarantinedRow(Base):
    """A row a source sent that a job refused, kept as it came with the reason."""

    __tablename__ = "etl_quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("etl_runs.id", ondelete="CASCADE"))
    job_id: Mapped[str] = mapped_column(String(80))
    row_number: Mapped[int | None] = mapped_column(Integer)  # in the source, 1 = first data row
    record: Mapped[dict] = mapped_column(JSON)  # the row as read (field -> text)
    reason: Mapped[str] = mapped_column(Text)

    run: Mapped[JobRun] = relationship(back_populates="quarantined")

    __table_args__ = (Index("ix_etl_quarantine_job_run", "job_id", "run_id"),)

"""Client volumes a network reports for one month: counts only, never persons.

One row per network and month; a resubmission replaces the row in place, and the
change (old and new value of every count) goes to the audit trail.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.registry.base import Base, Slug

# The counts of the template, in its column order (docs/client-volume-template.md).
COUNT_FIELDS: tuple[str, ...] = (
    "active_end", "new_clients", "ended_employment", "ended_education",
    "ended_rehabilitation", "ended_other", "assessments_started",
)
ENDED_FIELDS: tuple[str, ...] = (
    "ended_employment", "ended_education", "ended_rehabilitation", "ended_other")


class ClientVolume(Base):
    __tablename__ = "client_volumes"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[str] = mapped_column(
        Slug, ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    month: Mapped[dt.date] = mapped_column(Date)  # first day of the month
    active_end: Mapped[int] = mapped_column(Integer)  # active clients at month end
    new_clients: Mapped[int] = mapped_column(Integer)
    ended_employment: Mapped[int] = mapped_column(Integer)
    ended_education: Mapped[int] = mapped_column(Integer)
    ended_rehabilitation: Mapped[int] = mapped_column(Integer)  # or another service
    ended_other: Mapped[int] = mapped_column(Integer)
    assessments_started: Mapped[int] = mapped_column(Integer)  # service-need assessments
    source: Mapped[str] = mapped_column(Text, default="")  # file name and how it came
    run_id: Mapped[int | None] = mapped_column(Integer)  # etl_runs.id of the load
    submitted_by: Mapped[str] = mapped_column(String(200), default="")
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("network_id", "month"),
        *(CheckConstraint(f"{name} >= 0", name=f"{name}_not_negative")
          for name in COUNT_FIELDS),
    )


__all__ = ["COUNT_FIELDS", "ENDED_FIELDS", "ClientVolume"]

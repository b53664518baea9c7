"""Open statistics as stored: one dataset per upstream table or indicator, one value per
measure, area and period, each knowing the run that stored it and when it was retrieved.

Only the units the source publishes are stored (municipalities; Sotkanet also wellbeing
counties). Employment areas, networks, counties and the nation are aggregated on read
with the memberships valid in each period (``portal.registry.statistics.services``), so
they follow every change to the registry.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.registry.base import Base


class StatisticDataset(Base):
    """An upstream table (StatFin ``tyonv/12r5``) or indicator (Sotkanet ``127``)."""

    __tablename__ = "statistic_datasets"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)  # "statfin-tyonv-12r5"
    source: Mapped[str] = mapped_column(String(40))  # statfin | sotkanet
    frequency: Mapped[str] = mapped_column(String(10))  # month | year
    title: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(Text, default="")
    attribution: Mapped[str] = mapped_column(Text, default="")
    release: Mapped[str] = mapped_column(String(200), default="")  # the source's version
    measures: Mapped[dict] = mapped_column(JSON, default=dict)  # code -> {label, additive, ...}
    metadata_: Mapped[dict] = mapped_column("metadata", JSON, default=dict)  # limits etc.
    run_id: Mapped[int | None] = mapped_column(ForeignKey("etl_runs.id", ondelete="SET NULL"))
    retrieved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class StatisticValue(Base):
    """One published value: ``value`` is None when the source left the cell blank, and
    ``status`` then says why (the source's own symbol, e.g. ``..`` or ``.``)."""

    __tablename__ = "statistic_values"

    dataset_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("statistic_datasets.id", ondelete="CASCADE"), primary_key=True)
    measure: Mapped[str] = mapped_column(String(60), primary_key=True)
    level: Mapped[str] = mapped_column(String(20), primary_key=True)  # municipality | county
    unit_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    period: Mapped[dt.date] = mapped_column(Date, primary_key=True)  # first day of the period
    value: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str | None] = mapped_column(String(10))
    run_id: Mapped[int] = mapped_column(Integer)  # etl_runs.id (no FK: runs may be pruned)
    retrieved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    # SQLite: the primary key is the table (one B-tree, not a rowid table plus an index)
    __table_args__ = {"sqlite_with_rowid": False}


__all__ = ["StatisticDataset", "StatisticValue"]

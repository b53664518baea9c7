"""Declarative base, naming convention and shared column types for every model."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from sqlalchemy import DateTime, Enum, MetaData, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Shared column types: one definition, reused by every model.
MunicipalityCode = Annotated[str, mapped_column(String(3))]
CountyCode = Annotated[str, mapped_column(String(2))]
Name = Annotated[str, mapped_column(String(200))]
LongText = Annotated[str, mapped_column(Text)]
ValidFrom = Annotated[dt.date | None, mapped_column()]
ValidTo = Annotated[dt.date | None, mapped_column()]
CreatedAt = Annotated[
    dt.datetime, mapped_column(DateTime(timezone=True), server_default=func.now())
]
Slug = String(80)  # human-readable stable ids used in URLs (networks, TYP networks)


def enum_column(cls) -> Enum:
    """A portable enum column storing the members' values (no native DB enum type)."""
    return Enum(cls, native_enum=False, length=40, validate_strings=True,
                values_callable=lambda e: [m.value for m in e])


class Provenance:
    """Mixin: where a record came from and when it last changed."""

    source: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now())

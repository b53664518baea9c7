"""Staff resources assigned to a network, per year: FTE by organisation and profession."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.registry.base import Base, Provenance, Slug, enum_column


class StaffOrganisation(enum.StrEnum):
    employment_authority = "employment_authority"
    county = "county"
    kela = "kela"
    other = "other"


class Sector(enum.StrEnum):
    """What the work is: the county's staff split into social and health care."""

    employment = "employment"
    social = "social"
    health = "health"
    benefits = "benefits"
    other = "other"


class StaffResource(Provenance, Base):
    __tablename__ = "staff_resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[str] = mapped_column(
        Slug, ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    organisation: Mapped[StaffOrganisation] = mapped_column(enum_column(StaffOrganisation))
    profession: Mapped[str] = mapped_column(String(120))
    sector: Mapped[Sector] = mapped_column(enum_column(Sector))
    fte: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        UniqueConstraint("network_id", "year", "organisation", "profession"),
        CheckConstraint("fte >= 0", name="fte_not_negative"),
    )

"""TYM networks and their governance: the network, the employment areas it covers,
explicit municipality exceptions, leaders, the steering group and its seats, the
cooperation-maturity self-assessment, and the TYP networks (2015-2024) they replaced.

Every record carries validity dates where it can change over time, and provenance
(``source``: where the record came from, ``updated_at``).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.registry.base import Base, Name, Provenance, Slug, ValidFrom, ValidTo, enum_column


class NetworkStatus(enum.StrEnum):
    draft = "draft"
    confirmed = "confirmed"  # confirmed by the network itself
    verified = "verified"  # verified by the monitoring authority


class OrgType(enum.StrEnum):
    """Organisation types represented in a steering group (and employing staff)."""

    employment_authority = "employment_authority"
    county_social = "county_social"
    county_health = "county_health"
    kela = "kela"
    other = "other"


class ExceptionKind(enum.StrEnum):
    include = "include"
    exclude = "exclude"


class Network(Provenance, Base):
    """One steering group's area within one wellbeing county, with its cooperation."""

    __tablename__ = "networks"

    id: Mapped[str] = mapped_column(Slug, primary_key=True)
    name_fi: Mapped[Name]
    name_sv: Mapped[Name]
    county_code: Mapped[str] = mapped_column(
        String(2), ForeignKey("wellbeing_counties.code"), index=True)
    status: Mapped[NetworkStatus] = mapped_column(enum_column(NetworkStatus),
                                                  default=NetworkStatus.draft)
    valid_from: Mapped[ValidFrom]
    valid_to: Mapped[ValidTo]
    last_confirmed_on: Mapped[dt.date | None] = mapped_column(Date)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic concurrency

    areas: Mapped[list[NetworkArea]] = relationship(
        back_populates="network", cascade="all, delete-orphan", order_by="NetworkArea.area_id")
    exceptions: Mapped[list[MunicipalityException]] = relationship(
        back_populates="network", cascade="all, delete-orphan")
    leaders: Mapped[list[Leader]] = relationship(
        back_populates="network", cascade="all, delete-orphan", order_by="Leader.id")
    steering_groups: Mapped[list[SteeringGroup]] = relationship(
        back_populates="network", cascade="all, delete-orphan", order_by="SteeringGroup.id")
    maturity: Mapped[list[MaturityAssessment]] = relationship(
        back_populates="network", cascade="all, delete-orphan",
        order_by="MaturityAssessment.year")

    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to",
                        name="dates_ordered"),
    )
    __mapper_args__ = {"version_id_col": version}


class NetworkArea(Base):
    """The network covers the part of employment area ``area_id`` inside its county."""

    __tablename__ = "network_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[str] = mapped_column(
        Slug, ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[str] = mapped_column(String(60), ForeignKey("employment_areas.id"))

    network: Mapped[Network] = relationship(back_populates="areas")

    __table_args__ = (UniqueConstraint("network_id", "area_id"),)


class MunicipalityException(Base):
    """An explicit change to the municipalities derived from the covered areas."""

    __tablename__ = "network_municipality_exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[str] = mapped_column(
        Slug, ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    municipality_code: Mapped[str] = mapped_column(String(3), ForeignKey("municipalities.code"))
    kind: Mapped[ExceptionKind] = mapped_column(enum_column(ExceptionKind))
    reason: Mapped[str] = mapped_column(Text, default="")

    network: Mapped[Network] = relationship(back_populates="exceptions")

    __table_args__ = (UniqueConstraint("network_id", "municipality_code"),)


class Leader(Base):
    """A person who leads the network. Names and contacts only where published."""

    __tablename__ = "network_leaders"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[str] = mapped_column(
        Slug, ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    title: Mapped[Name]
    organisation: Mapped[Name]
    name: Mapped[str | None] = mapped_column(String(200))
    public_contact: Mapped[str | None] = mapped_column(String(200))
    valid_from: Mapped[ValidFrom]
    valid_to: Mapped[ValidTo]

    network: Mapped[Network] = relationship(back_populates="leaders")


class SteeringGroup(Base):
    """The network's steering group (johtoryhmä) in one period."""

    __tablename__ = "steering_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[str] = mapped_column(
        Slug, ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    chair: Mapped[OrgType] = mapped_column(enum_column(OrgType))
    vice_chair: Mapped[OrgType | None] = mapped_column(enum_column(OrgType))
    valid_from: Mapped[ValidFrom]
    valid_to: Mapped[ValidTo]

    network: Mapped[Network] = relationship(back_populates="steering_groups")
    seats: Mapped[list[SteeringSeat]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="SteeringSeat.org_type")

    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to",
                        name="dates_ordered"),
    )


class SteeringSeat(Base):
    """``count`` seats held by one organisation type; member names optional."""

    __tablename__ = "steering_seats"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("steering_groups.id", ondelete="CASCADE"), index=True)
    org_type: Mapped[OrgType] = mapped_column(enum_column(OrgType))
    count: Mapped[int] = mapped_column(Integer)
    member_names: Mapped[str] = mapped_column(Text, default="")  # published names, one a line

    group: Mapped[SteeringGroup] = relationship(back_populates="seats")

    __table_args__ = (
        UniqueConstraint("group_id", "org_type"),
        CheckConstraint("count >= 0", name="count_not_negative"),
    )


class MaturityAssessment(Base):
    """Cooperation-maturity self-assessment (steps 1-6 of the 2024 national
    recommendations) for one year."""

    __tablename__ = "maturity_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[str] = mapped_column(
        Slug, ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(Integer)
    assessed_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")

    network: Mapped[Network] = relationship(back_populates="maturity")

    __table_args__ = (
        UniqueConstraint("network_id", "year"),
        CheckConstraint("level BETWEEN 1 AND 6", name="level_range"),
    )


class TypNetwork(Provenance, Base):
    """A TYP network (Act 1369/2014, 2015-2024), kept to compute continuity."""

    __tablename__ = "typ_networks"

    id: Mapped[str] = mapped_column(Slug, primary_key=True)
    name: Mapped[Name]
    valid_from: Mapped[ValidFrom]
    valid_to: Mapped[ValidTo]
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)

    municipalities: Mapped[list[TypMunicipality]] = relationship(
        back_populates="network", cascade="all, delete-orphan",
        order_by="TypMunicipality.municipality_code")


class TypMunicipality(Base):
    __tablename__ = "typ_network_municipalities"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[str] = mapped_column(
        Slug, ForeignKey("typ_networks.id", ondelete="CASCADE"), index=True)
    municipality_code: Mapped[str] = mapped_column(String(3), ForeignKey("municipalities.code"))

    network: Mapped[TypNetwork] = relationship(back_populates="municipalities")

    __table_args__ = (UniqueConstraint("network_id", "municipality_code"),)


__all__ = [
    "ExceptionKind", "Leader", "MaturityAssessment", "MunicipalityException",
    "Network", "NetworkArea", "NetworkStatus", "OrgType", "SteeringGroup", "SteeringSeat",
    "TypMunicipality", "TypNetwork",
]

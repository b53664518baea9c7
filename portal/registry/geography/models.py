"""Reference geography: wellbeing county units, municipalities, employment areas and
the time-bounded memberships between them, plus web geometry per vintage."""

from __future__ import annotations

import enum

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.registry.base import (
    Base,
    CountyCode,
    CreatedAt,
    LongText,
    MunicipalityCode,
    Name,
    ValidFrom,
    ValidTo,
)


class Level(enum.StrEnum):
    """The three area levels of the map. Values are used in URLs and downloads."""

    county = "county"
    employment_area = "employment_area"
    municipality = "municipality"


class OrganisingModel(enum.StrEnum):
    host_municipality = "host_municipality"
    single_municipality = "single_municipality"
    joint_municipal_authority = "joint_municipal_authority"


class WellbeingCounty(Base):
    """A wellbeing services county, the City of Helsinki, or Åland (outside TYM)."""

    __tablename__ = "wellbeing_counties"

    code: Mapped[CountyCode] = mapped_column(primary_key=True)
    name_fi: Mapped[Name]
    name_sv: Mapped[Name]
    name_en: Mapped[Name]
    unit_type: Mapped[str] = mapped_column(String(40))
    in_tym_scope: Mapped[bool]
    valid_from: Mapped[ValidFrom]
    valid_to: Mapped[ValidTo]
    source: Mapped[LongText]


class Municipality(Base):
    __tablename__ = "municipalities"

    code: Mapped[MunicipalityCode] = mapped_column(primary_key=True)
    name_fi: Mapped[Name]
    name_sv: Mapped[Name]
    valid_from: Mapped[ValidFrom]
    valid_to: Mapped[ValidTo]
    merged_into_code: Mapped[str | None] = mapped_column(
        String(3), ForeignKey("municipalities.code")
    )
    source: Mapped[LongText]

    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to",
                        name="dates_ordered"),
    )


class EmploymentArea(Base):
    """A TE24 employment area (työllisyysalue); ``id`` is a frozen slug."""

    __tablename__ = "employment_areas"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    statfi_code: Mapped[int] = mapped_column(Integer, unique=True)
    name_fi: Mapped[Name]
    name_sv: Mapped[Name]
    name_en: Mapped[Name]
    organising_model: Mapped[OrganisingModel] = mapped_column(
        Enum(OrganisingModel, native_enum=False, length=40, validate_strings=True)
    )
    host_municipality_code: Mapped[str | None] = mapped_column(
        String(3), ForeignKey("municipalities.code")
    )
    host_status: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[ValidFrom]
    valid_to: Mapped[ValidTo]
    source: Mapped[LongText]

    host_municipality: Mapped[Municipality | None] = relationship()


class CountyMembership(Base):
    """Municipality ``municipality_code`` belongs to county ``county_code`` in a period."""

    __tablename__ = "county_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[str] = mapped_column(
        String(3), ForeignKey("municipalities.code"), index=True
    )
    county_code: Mapped[str] = mapped_column(
        String(2), ForeignKey("wellbeing_counties.code"), index=True
    )
    valid_from: Mapped[ValidFrom]
    valid_to: Mapped[ValidTo]
    source: Mapped[LongText]

    municipality: Mapped[Municipality] = relationship()
    county: Mapped[WellbeingCounty] = relationship()

    __table_args__ = (
        UniqueConstraint("municipality_code", "valid_from"),
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to",
                        name="dates_ordered"),
    )


class EmploymentAreaMembership(Base):
    """Municipality ``municipality_code`` belongs to employment area ``area_id`` in a period."""

    __tablename__ = "employment_area_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[str] = mapped_column(
        String(3), ForeignKey("municipalities.code"), index=True
    )
    area_id: Mapped[str] = mapped_column(
        String(60), ForeignKey("employment_areas.id"), index=True
    )
    valid_from: Mapped[ValidFrom]
    valid_to: Mapped[ValidTo]
    source: Mapped[LongText]

    municipality: Mapped[Municipality] = relationship()
    area: Mapped[EmploymentArea] = relationship()

    __table_args__ = (
        UniqueConstraint("municipality_code", "valid_from"),
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to",
                        name="dates_ordered"),
    )


class BoundarySet(Base):
    """One loaded vintage of boundaries: the shared-arc topology the map downloads."""

    __tablename__ = "boundary_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    source: Mapped[LongText]
    attribution: Mapped[LongText]
    tolerance_m: Mapped[float]
    # ~130 KB of JSON: read only where the topology itself is served (pages need the
    # year, etag and attribution)
    topology: Mapped[LongText] = mapped_column(deferred=True)
    etag: Mapped[str] = mapped_column(String(64))
    stats: Mapped[LongText]  # JSON: vertices, bytes, largest simplification error
    loaded_at: Mapped[CreatedAt]

    shapes: Mapped[list[AreaShape]] = relationship(
        back_populates="boundary_set", cascade="all, delete-orphan"
    )


class AreaShape(Base):
    """Simplified outline of one area in one vintage, GeoJSON geometry in EPSG:4326."""

    __tablename__ = "area_shapes"

    id: Mapped[int] = mapped_column(primary_key=True)
    boundary_set_id: Mapped[int] = mapped_column(
        ForeignKey("boundary_sets.id", ondelete="CASCADE")
    )
    level: Mapped[Level] = mapped_column(
        Enum(Level, native_enum=False, length=20, validate_strings=True)
    )
    code: Mapped[str] = mapped_column(String(60))
    geometry: Mapped[LongText]
    min_lon: Mapped[float]
    min_lat: Mapped[float]
    max_lon: Mapped[float]
    max_lat: Mapped[float]
    neighbours: Mapped[LongText]  # JSON list of codes on the same level sharing a border

    boundary_set: Mapped[BoundarySet] = relationship(back_populates="shapes")

    __table_args__ = (
        UniqueConstraint("boundary_set_id", "level", "code"),
        Index("ix_area_shapes_level_code", "level", "code"),
    )

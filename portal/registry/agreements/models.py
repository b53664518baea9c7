"""Statutory cooperation agreements and their coding against Kuntaliitto's 2024 model
agreement (12 sections)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.registry.base import Base, Provenance, Slug, ValidFrom, ValidTo, enum_column

# The 12 sections of the model agreement (Kuntaliitto 2024), in order.
MODEL_SECTIONS: tuple[str, ...] = (
    "purpose", "parties", "area", "steering_group", "objectives", "organisation",
    "services", "staff", "leader", "costs", "information_system", "validity",
)


class SectionCoding(enum.StrEnum):
    absent = "absent"
    general = "general"  # present, at a general level
    specific = "specific"  # present, with network-specific content


class CostSharing(enum.StrEnum):
    not_stated = "not_stated"
    each_bears_own = "each_bears_own"  # each party bears its own costs
    shared_by_formula = "shared_by_formula"
    host_pays = "host_pays"
    other = "other"


SERVICE_FLAGS: tuple[str, ...] = (
    "services_employment", "services_social", "services_health",
    "services_kela_rehabilitation", "services_benefit_advice",
)


class Agreement(Provenance, Base):
    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[str] = mapped_column(
        Slug, ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    parties: Mapped[str] = mapped_column(Text, default="")  # one party a line
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    valid_from: Mapped[ValidFrom]
    valid_to: Mapped[ValidTo]
    document_url: Mapped[str | None] = mapped_column(String(500))
    objectives_specific: Mapped[bool | None] = mapped_column(Boolean)
    target_group_defined: Mapped[bool | None] = mapped_column(Boolean)
    services_employment: Mapped[bool] = mapped_column(Boolean, default=False)
    services_social: Mapped[bool] = mapped_column(Boolean, default=False)
    services_health: Mapped[bool] = mapped_column(Boolean, default=False)
    services_kela_rehabilitation: Mapped[bool] = mapped_column(Boolean, default=False)
    services_benefit_advice: Mapped[bool] = mapped_column(Boolean, default=False)
    shared_service_points: Mapped[bool | None] = mapped_column(Boolean)
    cost_sharing: Mapped[CostSharing] = mapped_column(enum_column(CostSharing),
                                                      default=CostSharing.not_stated)
    information_system: Mapped[str] = mapped_column(String(200), default="")

    sections: Mapped[list[AgreementSection]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan",
        order_by="AgreementSection.number")

    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to",
                        name="dates_ordered"),
    )


class AgreementSection(Base):
    __tablename__ = "agreement_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    coding: Mapped[SectionCoding] = mapped_column(enum_column(SectionCoding))

    agreement: Mapped[Agreement] = relationship(back_populates="sections")

    __table_args__ = (
        UniqueConstraint("agreement_id", "number"),
        CheckConstraint("number BETWEEN 1 AND 12", name="number_range"),
    )


class ProposalStatus(enum.StrEnum):
    none = "none"  # no proposal (text could not be read, or not yet analysed)
    proposed = "proposed"  # a coding proposed from the text, waiting for an editor
    confirmed = "confirmed"  # an editor confirmed or corrected it into the agreement
    rejected = "rejected"


class AgreementDocument(Base):
    """An uploaded agreement document (DOCX or PDF), stored in the database so every web
    instance serves it, with the text extracted from it and the coding proposed."""

    __tablename__ = "agreement_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[str] = mapped_column(
        Slug, ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreements.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True),
                                                     server_default=func.now())
    uploaded_by: Mapped[str] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)
    proposal: Mapped[dict | None] = mapped_column(JSON)
    proposal_status: Mapped[ProposalStatus] = mapped_column(
        enum_column(ProposalStatus), default=ProposalStatus.none)

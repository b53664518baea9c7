"""Proposed codings of agreement documents: stored on the document for an editor, who
confirms or corrects them into the network's ``Agreement`` (every change audited).

A coding (proposed or confirmed) is a dict::

    {"sections": {"1": "specific", ..., "12": "absent"},   # SectionCoding values
     "objectives_specific": true, "target_group_defined": false,
     "parties": ["Mikkelin kaupunki", ...], "signed_on": "2025-02-14" | null,
     "steering_seats": {"employment_authority": 5, "county": 3, "kela": 1}}

The seats are kept with the document as evidence; the steering group itself is edited
in the registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.registry.agreements.models import (
    MODEL_SECTIONS,
    Agreement,
    AgreementDocument,
    AgreementSection,
    ProposalStatus,
    SectionCoding,
)

SEAT_ORGS = ("employment_authority", "county", "county_social", "county_health", "kela",
             "other")


class ProposalError(ValueError):
    """A coding cannot be confirmed; the message says which field is wrong."""


def documents_to_analyse(session: Session) -> list[AgreementDocument]:
    """Documents not analysed yet (no proposal, no earlier attempt)."""
    return list(session.scalars(select(AgreementDocument).where(
        AgreementDocument.proposal_status == ProposalStatus.none,
        AgreementDocument.proposal.is_(None)).order_by(AgreementDocument.id)))


def store_proposal(document: AgreementDocument, text: str, proposal: Mapping[str, Any]) -> None:
    document.text = text
    document.proposal = dict(proposal)
    document.proposal_status = ProposalStatus.proposed


def store_failure(document: AgreementDocument, reason: str) -> None:
    """Remember that the text could not be read, so the job does not retry forever."""
    document.proposal = {"error": reason}
    document.proposal_status = ProposalStatus.none


def get_document(session: Session, document_id: int,
                 network_id: str | None = None) -> AgreementDocument:
    document = session.get(AgreementDocument, document_id)
    if document is None or (network_id is not None and document.network_id != network_id):
        raise LookupError(f"no agreement document {document_id}")
    return document


def check_coding(coding: Mapping[str, Any]) -> dict:
    """A clean copy of ``coding``; raise ``ProposalError`` naming the first bad field."""
    sections = coding.get("sections")
    if not isinstance(sections, Mapping):
        raise ProposalError("sections: give a coding for each of the 12 sections")
    clean_sections = {}
    for number in range(1, len(MODEL_SECTIONS) + 1):
        value = sections.get(str(number), sections.get(number))
        if value not in {c.value for c in SectionCoding}:
            raise ProposalError(f"section {number} ({MODEL_SECTIONS[number - 1]}): "
                                f"{value!r} is not one of absent, general, specific")
        clean_sections[str(number)] = value
    flags = {}
    for name in ("objectives_specific", "target_group_defined"):
        value = coding.get(name)
        if value is not None and not isinstance(value, bool):
            raise ProposalError(f"{name}: must be true, false or empty")
        flags[name] = value
    parties = coding.get("parties") or []
    if not isinstance(parties, list) or not all(isinstance(p, str) for p in parties):
        raise ProposalError("parties: a list of names")
    signed = coding.get("signed_on")
    if signed not in (None, ""):
        try:
            signed = dt.date.fromisoformat(str(signed)).isoformat()
        except ValueError:
            raise ProposalError(f"signed_on: {signed!r} is not a date (YYYY-MM-DD)") from None
    else:
        signed = None
    seats = coding.get("steering_seats") or {}
    if not isinstance(seats, Mapping) or any(
            org not in SEAT_ORGS or not isinstance(n, int) or isinstance(n, bool) or n < 0
            for org, n in seats.items()):
        raise ProposalError(f"steering_seats: counts (0 or more) for {', '.join(SEAT_ORGS)}")
    return {"sections": clean_sections, **flags,
            "parties": [p.strip() for p in parties if p.strip()], "signed_on": signed,
            "steering_seats": dict(seats)}


def confirm_proposal(session: Session, document_id: int, coding: Mapping[str, Any]) -> Agreement:
    """Store ``coding`` (the proposal as an editor confirmed or corrected it) in the
    agreement the document belongs to, creating the agreement if there is none, and
    mark the document confirmed. The caller sets the audit actor and commits."""
    document = get_document(session, document_id)
    clean = check_coding(coding)
    agreement = session.get(Agreement, document.agreement_id) if document.agreement_id else None
    if agreement is None:
        agreement = Agreement(network_id=document.network_id)
        session.add(agreement)
    agreement.parties = "\n".join(clean["parties"])
    agreement.signed_on = (dt.date.fromisoformat(clean["signed_on"])
                           if clean["signed_on"] else None)
    agreement.objectives_specific = clean["objectives_specific"]
    agreement.target_group_defined = clean["target_group_defined"]
    agreement.source = f"agreement document {document.id} ({document.filename}), coding " \
                       "confirmed by an editor"
    existing = {s.number: s for s in agreement.sections}
    for number_text, value in clean["sections"].items():
        number = int(number_text)
        if number in existing:
            if existing[number].coding != SectionCoding(value):
                existing[number].coding = SectionCoding(value)
        else:
            agreement.sections.append(AgreementSection(number=number,
                                                       coding=SectionCoding(value)))
    session.flush()
    document.agreement_id = agreement.id
    document.proposal = {**(document.proposal or {}), "confirmed": clean}
    document.proposal_status = ProposalStatus.confirmed
    session.flush()
    return agreement


def reject_proposal(session: Session, document_id: int) -> None:
    document = get_document(session, document_id)
    document.proposal_status = ProposalStatus.rejected
    session.flush()

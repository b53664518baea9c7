"""Agreement documents: text from DOCX and PDF, the proposed coding of three agreements
written in the model agreement's structure (Finnish numbered, Finnish unnumbered,
Swedish), the proposal job, and confirming a proposal into the registry."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from etl.sources.documents import DocumentError, extract_text
from etl.transforms.agreements import find_sections, propose, section_coding
from portal.registry.agreements.models import (
    Agreement,
    AgreementDocument,
    ProposalStatus,
    SectionCoding,
)
from portal.registry.agreements.proposals import ProposalError, confirm_proposal
from portal.registry.audit.models import AuditEvent
from portal.registry.etl.models import JobRun, QuarantinedRow, RunStatus
from tests.agreement_documents import (
    FINNISH_NUMBERED,
    FINNISH_UNNUMBERED,
    SWEDISH,
    docx_bytes,
    pdf_bytes,
)
from tests.registry_factories import add_network


def _coding(*codes: str) -> dict[str, str]:
    return {str(n): c for n, c in enumerate(codes, start=1)}


FI_NUMBERED_SECTIONS = _coding("general", "specific", "specific", "specific", "specific",
                               "specific", "specific", "specific", "general", "general",
                               "general", "general")
FI_UNNUMBERED_SECTIONS = _coding("general", "specific", "general", "general", "general",
                                 "general", "general", "absent", "general", "general",
                                 "absent", "general")
SV_SECTIONS = _coding("general", "specific", "specific", "specific", "specific", "specific",
                      "specific", "specific", "general", "general", "general", "general")


@pytest.mark.parametrize("agreement, kind", [
    (FINNISH_NUMBERED, "docx"), (FINNISH_NUMBERED, "pdf"),
    (FINNISH_UNNUMBERED, "pdf"), (FINNISH_UNNUMBERED, "docx"),
    (SWEDISH, "pdf"), (SWEDISH, "docx")])
def test_every_heading_is_found_in_docx_and_pdf(agreement, kind):
    data = docx_bytes(agreement) if kind == "docx" else pdf_bytes(agreement)
    text = extract_text(data, f"sopimus.{kind}")
    found = {s.heading for s in find_sections(text).values()}
    assert found == {heading for heading, _blocks in agreement["sections"]}


def test_finnish_numbered_docx():
    proposal = propose(extract_text(docx_bytes(FINNISH_NUMBERED), "sopimus.docx"))
    assert proposal["language"] == "fi"
    assert proposal["sections"] == FI_NUMBERED_SECTIONS
    assert proposal["objectives_specific"] is True
    assert proposal["target_group_defined"] is True
    assert proposal["parties"] == [
        "Mikkelin kaupunki, Mikkelin seudun työllisyysalueen vastuukunta",
        "Etelä-Savon hyvinvointialue", "Kansaneläkelaitos"]
    assert proposal["signed_on"] == "2025-02-14"
    assert proposal["steering_seats"] == {"employment_authority": 5, "county": 3, "kela": 1}
    assert proposal["evidence"]["headings"]["9"] == (
        "9. Yhteistoimintaa johtava henkilö ja hänen tehtävänsä")


def test_finnish_unnumbered_pdf_with_missing_sections_and_general_objectives():
    proposal = propose(extract_text(pdf_bytes(FINNISH_UNNUMBERED), "sopimus.pdf"))
    assert proposal["sections"] == FI_UNNUMBERED_SECTIONS
    assert proposal["objectives_specific"] is False
    assert proposal["target_group_defined"] is False
    assert proposal["parties"] == ["Kouvolan kaupunki", "Kymenlaakson hyvinvointialue",
                                   "Kansaneläkelaitos"]
    assert proposal["signed_on"] == "2025-02-28"  # "Kouvolassa 28. helmikuuta 2025"
    assert proposal["steering_seats"] == {}  # not stated


def test_swedish_pdf():
    proposal = propose(extract_text(pdf_bytes(SWEDISH), "avtal.pdf"))
    assert proposal["language"] == "sv"
    assert proposal["sections"] == SV_SECTIONS
    assert proposal["objectives_specific"] is True
    assert proposal["target_group_defined"] is True
    assert proposal["signed_on"] == "2025-03-03"  # not the entry into force, 1 April
    assert proposal["steering_seats"] == {"employment_authority": 4, "county": 2, "kela": 1}
    assert proposal["parties"][1:] == ["Österbottens välfärdsområde", "Folkpensionsanstalten"]


def test_section_coding_rules_on_inline_text():
    sections = find_sections("1. Tarkoitus\nSopimuksella toteutetaan lakia 381/2023.\n"
                             "2. Alue\nAlueeseen kuuluvat Mikkeli, Mäntyharju ja Puumala.\n"
                             "3 § Johtoryhmä\n")
    assert section_coding(sections["purpose"]) == "general"  # a statute number is not detail
    assert section_coding(sections["area"]) == "specific"
    assert section_coding(sections["steering_group"]) == "absent"  # heading, no body
    assert section_coding(None) == "absent"


def _blank_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    return bytes(pdf.output())


@pytest.mark.parametrize("data, name, message", [
    (_blank_pdf(), "skannattu.pdf", "the PDF has no text layer (a scanned image?)"),
    (b"%PDF-1.4 broken", "rikki.pdf", "the PDF file cannot be read"),
    (b"PK\x03\x04broken", "rikki.docx", "the DOCX file cannot be opened"),
    (b"hello", "notes.txt", "notes.txt is neither DOCX nor PDF"),
])
def test_unreadable_documents_say_why(data, name, message):
    with pytest.raises(DocumentError) as exc:
        extract_text(data, name)
    assert message in str(exc.value)


# --- the job and confirmation ------------------------------------------------------------

def _document(session, network_id: str, data: bytes, filename: str) -> AgreementDocument:
    document = AgreementDocument(
        network_id=network_id, filename=filename, size=len(data),
        content_type="application/pdf" if filename.endswith(".pdf") else
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        sha256=hashlib.sha256(data).hexdigest(), data=data, uploaded_by="user:1")
    session.add(document)
    session.flush()
    return document


def test_the_job_proposes_a_coding_and_quarantines_unreadable_documents(cli, session):
    add_network(session, "mikkeli", "12", ["mikkelin-seutu"])
    good = _document(session, "mikkeli", docx_bytes(FINNISH_NUMBERED), "sopimus.docx")
    scanned = _document(session, "mikkeli", _blank_pdf(), "skannattu.pdf")
    result = cli("etl", "run", "agreement-proposals")
    assert result.exit_code == 0, result.output
    assert "1 documents given a proposed coding, 1 could not be read" in result.output
    session.expire_all()
    assert good.proposal_status == ProposalStatus.proposed
    assert good.proposal["sections"] == FI_NUMBERED_SECTIONS
    assert good.text.startswith("Yhteistoimintasopimus")
    assert scanned.proposal_status == ProposalStatus.none
    assert "no text layer" in scanned.proposal["error"]
    run = session.scalars(select(JobRun).order_by(JobRun.id.desc())).first()
    assert run.status == RunStatus.succeeded and (run.rows_read, run.rows_rejected) == (2, 1)
    row = session.scalars(select(QuarantinedRow).where(QuarantinedRow.run_id == run.id)).one()
    assert row.record == {"document_id": scanned.id, "network_id": "mikkeli",
                          "filename": "skannattu.pdf"}
    again = cli("etl", "run", "agreement-proposals")
    assert "no documents waiting for a proposal" in again.output


def test_confirming_a_corrected_proposal_writes_the_agreement(database, session):
    add_network(session, "vasa", "17", [])
    document = _document(session, "vasa", pdf_bytes(SWEDISH), "avtal.pdf")
    from etl.jobs.agreements import analyse

    assert analyse(document) is None
    coding = dict(document.proposal)
    coding["sections"] = dict(coding["sections"], **{"10": "specific"})  # the editor's view
    coding["target_group_defined"] = False
    agreement = confirm_proposal(session, document.id, coding)
    assert agreement.network_id == "vasa"
    assert agreement.signed_on == dt.date(2025, 3, 3)
    assert agreement.objectives_specific is True and agreement.target_group_defined is False
    assert agreement.parties.splitlines()[1] == "Österbottens välfärdsområde"
    assert {s.number: s.coding for s in agreement.sections}[10] == SectionCoding.specific
    assert len(agreement.sections) == 12
    assert document.proposal_status == ProposalStatus.confirmed
    assert document.agreement_id == agreement.id
    assert document.proposal["confirmed"]["sections"]["10"] == "specific"
    assert document.proposal["sections"]["10"] == "general"  # what was proposed stays
    actions = {(e.table_name, e.action) for e in session.scalars(select(AuditEvent).where(
        AuditEvent.network_id == "vasa"))}
    assert {("agreements", "insert"), ("agreement_sections", "insert"),
            ("agreement_documents", "update")} <= actions
    # confirming again with a change updates the same agreement
    coding["sections"]["12"] = "specific"
    again = confirm_proposal(session, document.id, coding)
    assert again.id == agreement.id
    assert session.scalars(select(Agreement).where(Agreement.network_id == "vasa")).all() == [
        agreement]


@pytest.mark.parametrize("change, message", [
    ({"sections": {"1": "general"}}, "section 2 (parties): None is not one of"),
    ({"signed_on": "3.3.2025"}, "signed_on: '3.3.2025' is not a date"),
    ({"objectives_specific": "yes"}, "objectives_specific: must be true, false or empty"),
    ({"steering_seats": {"board": 2}}, "steering_seats: counts"),
])
def test_a_bad_coding_is_refused(session, change, message):
    add_network(session, "mikkeli", "12", ["mikkelin-seutu"])
    document = _document(session, "mikkeli", docx_bytes(FINNISH_NUMBERED), "sopimus.docx")
    coding = {"sections": FI_NUMBERED_SECTIONS, "parties": [], "signed_on": None}
    coding.update(change)
    with pytest.raises(ProposalError) as exc:
        confirm_proposal(session, document.id, coding)
    assert message in str(exc.value)

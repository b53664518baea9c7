"""Client-volume submissions: every bad-input case with its exact row message, the
accepted encodings and separators, XLSX, loading, resubmission with audit, and the
inbox job moving files to done/ and rejected/."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select

from etl.jobs.client_volumes import submit
from etl.transforms.client_volumes import NetworkFacts, Problem, parse
from portal.registry.audit.models import AuditEvent
from portal.registry.audit.recorder import Actor
from portal.registry.clients.models import ClientVolume
from portal.registry.clients.template import COLUMNS, blank_csv, blank_xlsx
from portal.registry.etl.models import JobRun, QuarantinedRow, RunStatus
from tests.registry_factories import add_network

TODAY = dt.date(2025, 6, 15)
NETWORKS = {"etela-savo": NetworkFacts(dt.date(2025, 1, 1), None),
            "ended-net": NetworkFacts(dt.date(2025, 1, 1), dt.date(2025, 3, 31))}
HEADER = ",".join(COLUMNS)


def csv_bytes(*rows: str, header: str = HEADER, sep: str = ",", bom: bool = False) -> bytes:
    text = "\n".join([header.replace(",", sep), *rows]) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def check(data: bytes, filename: str = "volumes.csv", **kwargs):
    return parse(data, filename, NETWORKS, today=TODAY, **kwargs)


GOOD = "etela-savo,2025-03,120,15,4,2,3,1,10"


def test_a_good_file_gives_rows_and_no_problems():
    parsed = check(csv_bytes(GOOD, "etela-savo,2025-04,118,10,5,1,2,4,8"))
    assert parsed.problems == []
    assert [(r.row_number, r.network_id, r.month) for r in parsed.rows] == [
        (2, "etela-savo", dt.date(2025, 3, 1)), (3, "etela-savo", dt.date(2025, 4, 1))]
    assert parsed.rows[0].counts == {"active_end": 120, "new_clients": 15,
                                     "ended_employment": 4, "ended_education": 2,
                                     "ended_rehabilitation": 3, "ended_other": 1,
                                     "assessments_started": 10}


@pytest.mark.parametrize("data", [
    csv_bytes(GOOD, bom=True),
    csv_bytes(GOOD.replace(",", ";"), sep=";"),
    csv_bytes(GOOD.replace(",", ";").replace(";120;", ";120,0;"), sep=";", bom=True),
    csv_bytes('etela-savo,2025-03,"1 20",15,4,2,3,1,10'.replace("1 20", "120")),
    ("\ufeff" + HEADER.replace("network", "verkosto").replace("month", "kuukausi")
     + "\r\n" + GOOD + "\r\n").encode("utf-8"),
], ids=["utf8-bom", "semicolon", "decimal-comma", "quoted", "finnish-header-crlf"])
def test_accepted_encodings_separators_and_decimal_comma(data):
    parsed = check(data)
    assert parsed.messages == []
    assert parsed.rows[0].counts["active_end"] == 120


def test_an_xlsx_file_is_read_like_a_csv():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    sheet.append(["etela-savo", "2025-03", 120, 15.0, 4, 2, 3, 1, 10])
    sheet.append(["etela-savo", dt.datetime(2025, 4, 1), 118, 10, 5, 1, 2, 4, 8])
    out = io.BytesIO()
    workbook.save(out)
    parsed = check(out.getvalue(), "volumes.xlsx")
    assert parsed.messages == []
    assert [r.month for r in parsed.rows] == [dt.date(2025, 3, 1), dt.date(2025, 4, 1)]


BAD_CASES = {
    "unknown network": (
        [GOOD.replace("etela-savo", "nowhere")], ["row 2: unknown network 'nowhere'"]),
    "month before the network": (
        [GOOD.replace("2025-03", "2024-12")],
        ["row 2: month 2024-12 is outside the network's validity (2025-01-01 to ...)"]),
    "month after the network": (
        [GOOD.replace("etela-savo", "ended-net").replace("2025-03", "2025-04")],
        ["row 2: month 2025-04 is outside the network's validity (2025-01-01 to 2025-03-31)"]),
    "future month": (
        [GOOD.replace("2025-03", "2025-07")], ["row 2: month 2025-07 is in the future"]),
    "not a month": (
        [GOOD.replace("2025-03", "03/2025")],
        ["row 2: month '03/2025' is not a month (use YYYY-MM)"]),
    "negative": (
        [GOOD.replace(",120,", ",-1,")], ["row 2: active_end: -1 is negative"]),
    "non-integer": (
        ['etela-savo,2025-03,120,"2,5",4,2,3,1,10'],
        ["row 2: new_clients: '2,5' is not a whole number"]),
    "not a number": (
        [GOOD.replace(",10", ",ten")], ["row 2: assessments_started: 'ten' is not a number"]),
    "empty count": (
        [GOOD.replace(",4,2,", ",,2,")], ["row 2: ended_employment: is empty"]),
    "contradiction": (
        ["etela-savo,2025-03,5,4,6,2,1,1,0"],
        ["row 2: ended client relationships (10) exceed active clients at month end plus "
         "new clients (5 + 4 = 9)"]),
    "duplicate": (
        [GOOD, GOOD.replace(",120,", ",121,")],
        ["row 3: duplicate of row 2 (network 'etela-savo', month 2025-03)"]),
    "several in one row": (
        ["nowhere,2025-13,1,1,0,0,0,0,-3"],
        ["row 2: unknown network 'nowhere'", "row 2: month '2025-13' is not a month "
         "(use YYYY-MM)", "row 2: assessments_started: -3 is negative"]),
    "extra values": (
        [GOOD + ",99"], ["row 2: 1 value(s) beyond the last column"]),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_rows_are_refused_with_the_exact_message(case):
    rows, messages = BAD_CASES[case]
    parsed = check(csv_bytes(*rows))
    assert parsed.messages == messages


@pytest.mark.parametrize("data, message", [
    (csv_bytes(GOOD).replace(b"etela", b"\xe4tel\xe4"), "row 2: the file is not UTF-8 text "
     "(byte 0xe4 cannot be read); save it as CSV UTF-8"),
    (csv_bytes(GOOD, bom=True).replace(b"etela", b"\xe4tel\xe4"), "row 2: the file is not "
     "UTF-8 text (byte 0xe4 cannot be read); save it as CSV UTF-8"),
    ("network,month\n".encode("utf-16"), "row 1: the file is UTF-16 text; save it as CSV "
     "UTF-8"),
    (b"", "row 1: the file is empty"),
    (csv_bytes(), "row 1: the file has a header but no rows"),
    (csv_bytes(GOOD, header=HEADER.replace(",assessments_started", ",assessments")),
     "row 1: unknown column 'assessments'"),
    (csv_bytes(GOOD, header=HEADER.replace("month,", "")),
     "row 1: missing columns: month"),
    (b"PK\x03\x04 not really a workbook", "row 1: the file is not a readable XLSX workbook"),
])
def test_unreadable_files_and_headers_are_refused(data, message):
    assert message in check(data).messages


def test_problems_are_english_sentences_with_their_values_apart():
    """The portal translates ``msgid`` and fills in ``params``; ``text`` is the English."""
    parsed = check(csv_bytes("nowhere,2025-13,5,4,6,2,1,1,0", GOOD, GOOD.replace(",10", ",-3")))
    assert parsed.problems == [
        Problem(2, "unknown network '%(network)s'", {"network": "nowhere"}),
        Problem(2, "month '%(month)s' is not a month (use YYYY-MM)", {"month": "2025-13"}),
        Problem(2, "ended client relationships (%(ended)s) exceed active clients at month end "
                   "plus new clients (%(active_end)s + %(new_clients)s = %(total)s)",
                {"ended": 10, "active_end": 5, "new_clients": 4, "total": 9}),
        Problem(4, "%(column)s: %(value)s is negative",
                {"column": "assessments_started", "value": "-3"}),
        Problem(4, "duplicate of row %(first_row)s (network '%(network)s', month %(month)s)",
                {"first_row": 3, "network": "etela-savo", "month": "2025-03"})]
    assert [p.text for p in parsed.problems] == [
        "unknown network 'nowhere'", "month '2025-13' is not a month (use YYYY-MM)",
        "ended client relationships (10) exceed active clients at month end plus new clients "
        "(5 + 4 = 9)", "assessments_started: -3 is negative",
        "duplicate of row 3 (network 'etela-savo', month 2025-03)"]
    assert parsed.messages == [f"row {p.row}: {p.text}" for p in parsed.problems]
    header = check(csv_bytes(GOOD, header=HEADER.replace("month,", "Month,").replace(
        ",active_end", ",Extra,active_end").replace(",new_clients", "")))
    assert header.problems == [
        Problem(1, "unknown column '%(column)s'", {"column": "Extra"}),
        Problem(1, "missing columns: %(columns)s", {"columns": "new_clients"})]
    unreadable = check(b"network\n\x80")
    assert unreadable.problems == [Problem(
        2, "the file is not UTF-8 text (byte %(byte)s cannot be read); save it as CSV UTF-8",
        {"byte": "0x80"})]


def test_an_upload_form_accepts_only_its_own_network():
    parsed = check(csv_bytes(GOOD), only_network="ended-net")
    assert parsed.messages == ["row 2: network 'etela-savo' is not the network this upload "
                               "is for ('ended-net')"]


def test_the_blank_templates_have_the_columns():
    assert blank_csv().decode("utf-8-sig").strip() == ";".join(COLUMNS)
    parsed = check(blank_xlsx(), "template.xlsx")
    assert parsed.messages == ["row 1: the file has a header but no rows"]


# --- loading -----------------------------------------------------------------------------

@pytest.fixture
def network(session):
    return add_network(session, "etela-savo", "12", ["mikkelin-seutu"])


def _submit(database, settings, data, filename="volumes.csv", **kwargs):
    return submit(database, settings, data, filename, actor=Actor("user:7 editor@example.fi", 7),
                  trigger="web", today=TODAY, **kwargs)


def _stored(session) -> dict:
    return {(v.network_id, v.month): (v.active_end, v.new_clients, v.ended_employment)
            for v in session.scalars(select(ClientVolume))}


def test_a_good_file_is_loaded_and_recorded(database, settings, session, network):
    run = _submit(database, settings, csv_bytes(GOOD))
    assert run.status == RunStatus.succeeded, run.message
    assert (run.job_id, run.trigger, run.rows_read, run.rows_accepted, run.rows_changed) == (
        "client-volumes", "web", 1, 1, 1)
    assert run.source == "volumes.csv" and run.source_version.startswith("sha256:")
    assert _stored(session) == {("etela-savo", dt.date(2025, 3, 1)): (120, 15, 4)}
    stored = session.scalar(select(ClientVolume))
    assert stored.run_id == run.id and stored.submitted_by == "user:7 editor@example.fi"
    # the same file again changes nothing
    again = _submit(database, settings, csv_bytes(GOOD))
    assert again.status == RunStatus.succeeded and again.rows_changed == 0
    assert "0 months added, 0 replaced, 1 unchanged" in again.message


def test_a_resubmission_replaces_the_month_and_is_audited(database, settings, session, network):
    assert _submit(database, settings, csv_bytes(GOOD)).status == RunStatus.succeeded
    run = _submit(database, settings, csv_bytes(GOOD.replace(",120,15,", ",125,16,")))
    assert run.status == RunStatus.succeeded and run.rows_changed == 1
    assert "0 months added, 1 replaced" in run.message
    assert _stored(session) == {("etela-savo", dt.date(2025, 3, 1)): (125, 16, 4)}
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.table_name == "client_volumes", AuditEvent.action == "update")).one()
    assert event.actor == "user:7 editor@example.fi" and event.network_id == "etela-savo"
    assert event.changes["active_end"] == [120, 125]
    assert event.changes["new_clients"] == [15, 16]
    assert "ended_employment" not in event.changes


def test_a_file_with_any_error_loads_nothing_and_quarantines_the_rows(database, settings,
                                                                       session, network):
    assert _submit(database, settings, csv_bytes(GOOD)).status == RunStatus.succeeded
    before = _stored(session)
    data = csv_bytes(GOOD.replace(",120,", ",130,"), "etela-savo,2025-04,5,4,6,2,1,1,0")
    run = _submit(database, settings, data, "april.csv")
    assert run.status == RunStatus.failed
    assert run.message == (
        "nothing loaded: april.csv: 1 problem, nothing was loaded:\nrow 3: ended client "
        "relationships (10) exceed active clients at month end plus new clients (5 + 4 = 9)")
    assert _stored(session) == before  # row 2 was fine, but nothing of the file loads
    rows = session.scalars(select(QuarantinedRow).where(QuarantinedRow.run_id == run.id)).all()
    assert [(r.row_number, r.record["file"], r.record["active_end"]) for r in rows] == [
        (3, "april.csv", "5")]
    # the run also carries the problems themselves, for the portal to translate
    assert [(p.row, p.text) for p in run.problems] == [
        (3, "ended client relationships (10) exceed active clients at month end plus new "
            "clients (5 + 4 = 9)")]
    assert run.problems[0].params == {"ended": 10, "active_end": 5, "new_clients": 4,
                                      "total": 9}
    assert _submit(database, settings, csv_bytes(GOOD)).problems == []


def test_an_oversized_file_is_refused(database, settings, session, network):
    run = _submit(database, dict(settings, UPLOAD_MAX_BYTES=10), csv_bytes(GOOD))
    assert run.status == RunStatus.failed
    assert "the file is larger than 10 bytes" in run.message
    assert run.problems == [Problem(None, "the file is larger than %(limit)s bytes",
                                    {"limit": 10})]
    rows = session.scalars(select(QuarantinedRow).where(QuarantinedRow.run_id == run.id)).all()
    assert [(r.row_number, r.reason) for r in rows] == [(None, "the file is larger than 10 "
                                                                "bytes")]


def test_the_inbox_job_loads_files_and_moves_them(cli, session, network, tmp_path,
                                                   monkeypatch):
    import etl.jobs.client_volumes as job

    monkeypatch.setattr(job, "current_date", lambda: TODAY)
    (tmp_path / "a_march.csv").write_bytes(csv_bytes(GOOD, bom=True, sep=";").replace(
        b",", b";"))
    (tmp_path / "b_bad.csv").write_bytes(csv_bytes(GOOD.replace("etela-savo", "nowhere")))
    (tmp_path / "c_notes.txt").write_text("not a submission")
    result = cli("etl", "run", "client-volumes-inbox", CLIENT_VOLUME_INBOX=str(tmp_path))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "done").iterdir()) == ["a_march.csv"]
    assert sorted(p.name for p in (tmp_path / "rejected").iterdir()) == ["b_bad.csv",
                                                                         "c_notes.txt"]
    assert not [p for p in tmp_path.iterdir() if p.is_file()]
    assert _stored(session) == {("etela-savo", dt.date(2025, 3, 1)): (120, 15, 4)}
    runs = session.scalars(select(JobRun).order_by(JobRun.id)).all()
    assert [(r.job_id, r.trigger, r.status.value) for r in runs] == [
        ("client-volumes-inbox", "cli", "succeeded"), ("client-volumes", "inbox", "succeeded"),
        ("client-volumes", "inbox", "failed")]
    assert "b_bad.csv: run" in result.output and "failed, moved to rejected/" in result.output
    quarantine = cli("etl", "quarantine", "client-volumes")
    assert "row 2: unknown network 'nowhere'" in quarantine.output

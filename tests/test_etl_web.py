"""Through the test client: the ETL admin page (admins only) with runs, next run times,
quarantine and CSV; the editor's client-volume upload (own network only, CSRF, size
limit, row messages); the templates; confirming an agreement proposal."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import select

from etl.jobs.agreements import analyse
from etl.runs import JobFailed, Outcome, Rejected, execute
from portal.registry.agreements.models import Agreement, AgreementDocument, ProposalStatus
from portal.registry.clients.models import ClientVolume
from portal.registry.clients.template import COLUMNS
from portal.registry.etl.models import JobRun, QuarantinedRow, RunStatus
from portal.registry.networks.models import Network
from portal.registry.users import services as users
from portal.registry.users.models import Role
from tests.agreement_documents import FINNISH_NUMBERED, docx_bytes
from tests.registry_factories import add_network

CSRF = "test-csrf-token"
MONTH = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
NEXT_MONTH = (dt.date.today().replace(day=1) + dt.timedelta(days=31)).strftime("%Y-%m")


def sign_in(client, session, role: Role, networks=(), email=None):
    user, _token = users.add_user(session, email or f"{role.value}@example.fi", role)
    for network_id in networks:
        users.assign(session, user, network_id)
    session.flush()
    with client.session_transaction() as cookie:
        cookie["uid"], cookie["sv"], cookie["csrf"] = user.id, user.session_version, CSRF
    client.set_cookie("tym_lang", "en")  # the messages checked below are the English ones
    return user


@pytest.fixture
def network(session):
    return add_network(session, "mikkeli", "12", ["mikkelin-seutu"])


@pytest.fixture
def runs(database, settings):
    """One succeeded run and one failed run with quarantined rows."""
    def good(context):
        return Outcome(rows_read=3, rows_accepted=3, rows_changed=3, source="http://x",
                       source_version="2026-10-28T05:00:00Z", message="3 inserted")

    def bad(context):
        raise JobFailed("1 problem", Outcome(rows_read=2, source="upload.csv", rejected=[
            Rejected(2, {"file": "upload.csv", "network": "nowhere"},
                     "row 2: unknown network 'nowhere'")]))

    return (execute(database, settings, "statfin-tyonv-12r5", good, trigger="test"),
            execute(database, settings, "client-volumes", bad, trigger="test"))


# --- admin page --------------------------------------------------------------------------

def test_the_admin_page_shows_runs_schedule_and_quarantine(client, session, runs):
    sign_in(client, session, Role.admin)
    response = client.get("/admin/etl/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    good, bad = runs
    assert f'href="/admin/etl/runs/{good.id}"' in page
    assert "2026-10-28T05:00:00Z" in page
    assert "row 2: unknown network &#39;nowhere&#39;" in page
    assert "statfin-tyonv-12r5" in page and "agreement-proposals" in page
    assert "cron: day_of_week=mon-fri, hour=9, minute=30" in page
    assert "/admin/etl/quarantine.csv" in page
    detail = client.get(f"/admin/etl/runs/{bad.id}")
    assert detail.status_code == 200
    assert "nothing loaded: 1 problem" in detail.get_data(as_text=True)
    assert client.get("/admin/etl/runs/999999").status_code == 404


def test_the_quarantine_downloads_as_csv(client, session, runs):
    sign_in(client, session, Role.admin)
    response = client.get("/admin/etl/quarantine.csv?job=client-volumes")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "quarantine-client-volumes.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["run_id", "job_id", "row_number", "reason", "record"]
    assert rows[1][1:4] == ["client-volumes", "2", "row 2: unknown network 'nowhere'"]
    assert json.loads(rows[1][4]) == {"file": "upload.csv", "network": "nowhere"}


@pytest.mark.parametrize("role", [Role.admin, Role.monitor, Role.editor])
def test_only_admins_have_the_data_loads_link(client, session, role):
    sign_in(client, session, role)
    page = client.get("/").get_data(as_text=True)
    assert ('href="/admin/etl/"' in page) is (role == Role.admin)
    if role == Role.admin:
        here = client.get("/admin/etl/").get_data(as_text=True)
        assert '<a href="/admin/etl/" aria-current="page">Data loads</a>' in here


@pytest.mark.parametrize("role", [Role.monitor, Role.editor])
def test_others_may_not_see_the_admin_page(client, session, runs, role):
    sign_in(client, session, role)
    assert client.get("/admin/etl/").status_code == 403
    assert client.get("/admin/etl/quarantine.csv").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(app, client, runs):
    if "auth.login" not in app.view_functions:
        pytest.skip("the sign-in page is not installed")
    response = client.get("/admin/etl/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("next=/admin/etl/")


# --- client volumes ----------------------------------------------------------------------

def _file(*rows: str) -> bytes:
    return ("\n".join([";".join(COLUMNS), *rows]) + "\n").encode("utf-8-sig")


def _upload(client, network_id, data, filename="volumes.csv", token=CSRF):
    return client.post(f"/networks/{network_id}/client-volumes",
                       data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_an_editor_uploads_client_volumes(client, session, network):
    sign_in(client, session, Role.editor, ["mikkeli"])
    page = client.get("/networks/mikkeli/client-volumes")
    assert page.status_code == 200
    assert "/client-volumes/template.xlsx" in page.get_data(as_text=True)
    response = _upload(client, "mikkeli", _file(f"mikkeli;{MONTH};120;15;4;2;3;1;10"))
    assert response.status_code == 303
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'<th scope="row">{MONTH}</th><td>120</td><td>15</td>' in followed.replace(
        "\n", "").replace("      ", "")
    stored = session.scalars(select(ClientVolume)).one()
    assert (stored.network_id, stored.active_end) == ("mikkeli", 120)
    assert stored.submitted_by.startswith("user:")


def test_a_bad_upload_shows_every_row_message_and_loads_nothing(client, session, network):
    sign_in(client, session, Role.editor, ["mikkeli"])
    response = _upload(client, "mikkeli", _file(
        f"mikkeli;{MONTH};120;15;4;2;3;1;10", f"mikkeli;{MONTH};5;4;6;2;1;1;0",
        "muu;2025-02;1;1;0;0;0;0;x"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was loaded" in page
    assert f"row 3: duplicate of row 2 (network &#39;mikkeli&#39;, month {MONTH})" in page
    assert "row 3: ended client relationships (10) exceed active clients at month end plus " \
           "new clients (5 + 4 = 9)" in page
    assert "row 4: unknown network &#39;muu&#39;" in page
    assert "row 4: assessments_started: &#39;x&#39; is not a number" in page
    assert session.scalars(select(ClientVolume)).all() == []


TRANSLATED_ROW_MESSAGES = {
    "fi": ["Mitään ei ladattu: tiedostossa on ongelmia",
           f"rivi 3: sama verkosto ja kuukausi kuin rivillä 2 (verkosto ”mikkeli”, kuukausi "
           f"{MONTH})",
           "rivi 3: päättyneitä asiakkuuksia (10) on enemmän kuin asiakkaita kuukauden lopussa "
           "ja uusia asiakkaita yhteensä (5 + 4 = 9)",
           "rivi 4: tuntematon verkosto ”muu”",
           "rivi 4: assessments_started: ”x” ei ole luku",
           f"rivi 5: kuukausi {NEXT_MONTH} on tulevaisuudessa"],
    "sv": ["Ingenting lästes in: filen har problem",
           f"rad 3: samma nätverk och månad som på rad 2 (nätverk ”mikkeli”, månad {MONTH})",
           "rad 3: avslutade klientrelationer (10) är fler än aktiva klienter vid månadens slut "
           "och nya klienter tillsammans (5 + 4 = 9)",
           "rad 4: okänt nätverk ”muu”",
           "rad 4: assessments_started: ”x” är inte ett tal",
           f"rad 5: månaden {NEXT_MONTH} ligger i framtiden"],
}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_bad_upload_shows_the_row_messages_in_the_page_language(client, session, network,
                                                                  lang):
    sign_in(client, session, Role.editor, ["mikkeli"])
    client.set_cookie("tym_lang", lang)
    response = _upload(client, "mikkeli", _file(
        f"mikkeli;{MONTH};120;15;4;2;3;1;10", f"mikkeli;{MONTH};5;4;6;2;1;1;0",
        "muu;2025-02;1;1;0;0;0;0;x", f"mikkeli;{NEXT_MONTH};1;1;0;0;0;0;0"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    items = [m for m in TRANSLATED_ROW_MESSAGES[lang] if m not in page]
    assert items == []
    for english in ("Nothing was loaded", "row 3:", "row 4:", "unknown network",
                    "is not a number", "is in the future", "duplicate of row",
                    "exceed active clients"):
        assert english not in page
    assert session.scalars(select(ClientVolume)).all() == []
    # the quarantine (read by operators, the admin page and its CSV) keeps the English text
    run = session.scalars(select(JobRun).order_by(JobRun.id.desc())).first()
    assert run.status == RunStatus.failed
    reasons = session.scalars(select(QuarantinedRow.reason).where(
        QuarantinedRow.run_id == run.id).order_by(QuarantinedRow.id)).all()
    assert reasons == [
        "row 3: ended client relationships (10) exceed active clients at month end plus new "
        "clients (5 + 4 = 9)",
        f"row 3: duplicate of row 2 (network 'mikkeli', month {MONTH})",
        "row 4: unknown network 'muu'",
        "row 4: assessments_started: 'x' is not a number",
        f"row 5: month {NEXT_MONTH} is in the future"]


@pytest.mark.parametrize("lang, data, message", [
    ("fi", ";".join(COLUMNS).replace("month;", "").encode() + b"\nmikkeli;1;1;0;0;0;0;0\n",
     "rivi 1: sarakkeita puuttuu: month"),
    ("sv", ";".join(COLUMNS).replace("month", "manad").encode() + b"\n",
     "rad 1: okänd kolumn ”manad”"),
    ("fi", _file(f"m\xe4kkeli;{MONTH};1;1;0;0;0;0;0").replace(b"\xc3\xa4", b"\xe4"),
     "rivi 2: tiedosto ei ole UTF-8-tekstiä (tavua 0xe4 ei voi lukea); tallenna se muodossa "
     "CSV UTF-8"),
    ("sv", b"PK\x03\x04 not really a workbook", "rad 1: filen är inte en läsbar XLSX-arbetsbok"),
    ("fi", _file(), "rivi 1: tiedostossa on otsikkorivi mutta ei yhtään tietoriviä"),
])
def test_file_level_problems_are_shown_in_the_page_language(client, session, network, lang,
                                                            data, message):
    sign_in(client, session, Role.editor, ["mikkeli"])
    client.set_cookie("tym_lang", lang)
    response = _upload(client, "mikkeli", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert "row 1:" not in page and "row 2:" not in page
    assert session.scalars(select(ClientVolume)).all() == []


def test_a_failure_of_the_check_itself_is_told_in_the_page_language(client, session, network,
                                                                    monkeypatch):
    import etl.jobs.client_volumes as job

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(job, "_load_file", broken)
    sign_in(client, session, Role.editor, ["mikkeli"])
    client.set_cookie("tym_lang", "fi")
    response = _upload(client, "mikkeli", _file(f"mikkeli;{MONTH};120;15;4;2;3;1;10"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    run = session.scalars(select(JobRun).order_by(JobRun.id.desc())).first()
    assert run.status == RunStatus.failed and "database went away" in run.message
    assert f"Tiedostoa ei voitu tarkistaa palvelun virheen vuoksi (ajo {run.id})" in page
    assert "database went away" not in page
    assert session.scalars(select(ClientVolume)).all() == []


def test_uploads_need_the_network_the_csrf_token_and_a_file(client, session, network):
    add_network(session, "other", "12", ["mikkelin-seutu"])
    sign_in(client, session, Role.editor, ["other"])
    data = _file(f"mikkeli;{MONTH};120;15;4;2;3;1;10")
    assert client.get("/networks/mikkeli/client-volumes").status_code == 403
    assert _upload(client, "mikkeli", data).status_code == 403
    assert _upload(client, "other", data, token="wrong").status_code == 400
    empty = client.post("/networks/other/client-volumes", data={"csrf_token": CSRF})
    assert empty.status_code == 400
    wrong_network = _upload(client, "other", data)
    assert wrong_network.status_code == 422
    assert "row 2: network &#39;mikkeli&#39; is not the network this upload is for " \
           "(&#39;other&#39;)" in wrong_network.get_data(as_text=True)


def test_an_oversized_upload_is_refused(app, client, session, network):
    app.config["UPLOAD_MAX_BYTES"] = 50
    sign_in(client, session, Role.editor, ["mikkeli"])
    response = _upload(client, "mikkeli", _file(f"mikkeli;{MONTH};120;15;4;2;3;1;10"))
    assert response.status_code == 422
    assert "the file is larger than 50 bytes" in response.get_data(as_text=True)
    client.set_cookie("tym_lang", "fi")
    response = _upload(client, "mikkeli", _file(f"mikkeli;{MONTH};120;15;4;2;3;1;10"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "tiedosto on suurempi kuin 50 tavua" in page and "larger than" not in page


def test_the_blank_templates_are_served(client):
    csv_response = client.get("/client-volumes/template.csv")
    assert csv_response.status_code == 200
    assert csv_response.data.decode("utf-8-sig").strip() == ";".join(COLUMNS)
    xlsx = client.get("/client-volumes/template.xlsx")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")


# --- agreement proposals -----------------------------------------------------------------

@pytest.fixture
def document(session, network):
    data = docx_bytes(FINNISH_NUMBERED)
    document = AgreementDocument(network_id="mikkeli", filename="sopimus.docx",
                                 content_type="application/octet-stream", size=len(data),
                                 sha256="0" * 64, data=data, uploaded_by="user:1")
    session.add(document)
    session.flush()
    analyse(document)
    session.flush()
    return document


def _upload_document(client, session, data: bytes, filename: str):
    session.expire_all()
    version = session.get(Network, "mikkeli").version
    return client.post("/networks/mikkeli/edit/documents", content_type="multipart/form-data",
                       data={"csrf_token": CSRF, "version": str(version),
                             "document": (io.BytesIO(data), filename)})


def test_an_uploaded_agreement_is_read_at_once_and_its_proposal_shown(client, session,
                                                                       network):
    sign_in(client, session, Role.editor, ["mikkeli"])
    response = _upload_document(client, session, docx_bytes(FINNISH_NUMBERED), "sopimus.docx")
    assert response.status_code == 303
    stored = session.scalars(select(AgreementDocument)).one()
    assert response.headers["Location"].endswith(
        f"/networks/mikkeli/documents/{stored.id}/proposal")
    assert stored.proposal_status == ProposalStatus.proposed
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Check the proposed coding below" in page
    assert 'id="signed_on" name="signed_on" value="2025-02-14"' in page
    run = session.scalars(select(JobRun).order_by(JobRun.id.desc())).first()
    assert (run.job_id, run.trigger, run.status, run.rows_accepted) == (
        "agreement-proposals", "web", RunStatus.succeeded, 1)
    assert run.actor.startswith("user:")


def test_an_unreadable_upload_is_kept_and_the_editor_told_to_code_by_hand(client, session,
                                                                          network):
    sign_in(client, session, Role.editor, ["mikkeli"])
    pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    response = _upload_document(client, session, pdf, "scan.pdf")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/networks/mikkeli/edit#documents")
    stored = session.scalars(select(AgreementDocument)).one()
    assert stored.proposal_status == ProposalStatus.none and "error" in stored.proposal
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "its text could not be read for a proposed coding" in page


def _form(**changes) -> dict:
    form = {"csrf_token": CSRF, "action": "confirm", "objectives_specific": "yes",
            "target_group_defined": "no", "parties": "Mikkelin kaupunki\nKela",
            "signed_on": "2025-02-14", "seats_employment_authority": "5"}
    form.update({f"section_{n}": "general" for n in range(1, 13)})
    form.update(changes)
    return form


def test_an_editor_confirms_a_corrected_proposal(client, session, document):
    sign_in(client, session, Role.editor, ["mikkeli"])
    url = f"/networks/mikkeli/documents/{document.id}/proposal"
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "12. Sopimuksen voimassaolo ja muuttaminen" in text  # the heading found
    assert 'id="signed_on" name="signed_on" value="2025-02-14"' in text
    response = client.post(url, data=_form(section_5="specific"))
    assert response.status_code == 303
    session.expire_all()
    agreement = session.scalars(select(Agreement).where(Agreement.network_id == "mikkeli")).one()
    assert agreement.signed_on == dt.date(2025, 2, 14)
    assert agreement.parties == "Mikkelin kaupunki\nKela"
    assert {s.number: s.coding.value for s in agreement.sections}[5] == "specific"
    assert session.get(AgreementDocument, document.id).proposal_status == (
        ProposalStatus.confirmed)


def test_a_bad_coding_is_shown_and_nothing_saved(client, session, document):
    sign_in(client, session, Role.editor, ["mikkeli"])
    url = f"/networks/mikkeli/documents/{document.id}/proposal"
    response = client.post(url, data=_form(signed_on="14.2.2025"))
    assert response.status_code == 400
    assert "signed_on: &#39;14.2.2025&#39; is not a date (YYYY-MM-DD)" in response.get_data(
        as_text=True)
    assert session.scalars(select(Agreement)).all() == []
    other = sign_in(client, session, Role.editor, email="other@example.fi")
    assert other and client.get(url).status_code == 403


def test_an_editor_may_reject_a_proposal(client, session, document):
    sign_in(client, session, Role.editor, ["mikkeli"])
    url = f"/networks/mikkeli/documents/{document.id}/proposal"
    assert client.post(url, data={"csrf_token": CSRF, "action": "reject"}).status_code == 303
    session.expire_all()
    assert session.get(AgreementDocument, document.id).proposal_status == (
        ProposalStatus.rejected)

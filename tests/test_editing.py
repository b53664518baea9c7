"""The editing forms through the Flask test client: every form saves, refuses bad
values with a message next to the field (fi/sv/en, aria-describedby, values kept),
reuses the registry bundle's rules, refuses a stale version without overwriting,
bumps the network's version, and never answers 500 to odd input. Uploads: type by the
file's bytes, size limits, who may download."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from portal.registry.agreements.models import Agreement, AgreementDocument
from portal.registry.audit.models import AuditEvent
from portal.registry.demo import load_demo
from portal.registry.networks.configuration import ConfigType, classify_counties
from portal.registry.networks.models import Network, NetworkStatus, SteeringGroup
from portal.registry.networks.services import steering_summary_on
from portal.registry.staff.models import StaffResource
from tests.editing_support import CSRF, A, B, fingerprint, load_small_registry, make_user, sign_in
from tests.html_tree import parse

TODAY = dt.date.today()


@pytest.fixture
def registry(session):
    load_small_registry(session)


@pytest.fixture
def editor(session, registry):
    return make_user(session, "leader@example.fi", "editor", (A,))


@pytest.fixture
def admin(session, registry):
    return make_user(session, "admin@example.fi", "admin")


@pytest.fixture
def as_editor(client, editor):
    sign_in(client, editor)
    client.set_cookie("tym_lang", "en")
    return client


def network(session, network_id=A) -> Network:
    session.expire_all()
    return session.get(Network, network_id)


def version(session, network_id=A) -> int:
    return network(session, network_id).version


def group_of(session, network_id=A) -> SteeringGroup:
    return network(session, network_id).steering_groups[0]


def post(client, url: str, data: dict, **kw):
    return client.post(url, data={"csrf_token": CSRF, **data}, **kw)


def page_form(client, url: str) -> dict:
    """The values of the form on ``url`` as a browser would submit them unchanged."""
    return page_values(parse(client.get(url).get_data(as_text=True)))


def page_values(root) -> dict:
    """The values of the page's (first) editing form."""
    form = next(f for f in root.find_all("form") if f.attrs.get("method") == "post"
                and "sign-out" not in f.attrs.get("class", ""))
    values: dict[str, str] = {}
    for node in form.iter():
        name = node.attrs.get("name")
        if not name:
            continue
        if node.tag == "input":
            kind = node.attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in node.attrs:
                    values[name] = node.attrs.get("value", "on")
            elif kind != "file":
                values[name] = node.attrs.get("value", "")
        elif node.tag == "textarea":
            values[name] = "".join(c for c in node.children if isinstance(c, str)).lstrip("\n")
        elif node.tag == "select":
            options = node.find_all("option")
            chosen = [o for o in options if "selected" in o.attrs]
            if chosen or "multiple" not in node.attrs:
                values[name] = (chosen or options[:1])[0].attrs.get("value", "") if options else ""
    return values


def error_of(root, field: str) -> str:
    """The message next to ``field``, checking that the field points to it."""
    control = root.find(id=field)
    assert "aria-describedby" in control.attrs, field
    assert f"{field}-error" in control.attrs["aria-describedby"].split()
    assert control.attrs.get("aria-invalid") == "true"
    message = root.find(id=f"{field}-error")
    # placed next to the field: inside the same .field wrapper
    wrapper = message.parent
    assert "field" in wrapper.attrs.get("class", "").split()
    assert control in list(wrapper.iter())
    # the message, without its visually hidden "Error:" prefix (in the page language)
    return " ".join(c if isinstance(c, str) else "" for c in message.children).strip()


def url(part: str, network_id=A) -> str:
    return f"/networks/{network_id}/edit/{part}"


# --- basic details -------------------------------------------------------------------------

def test_details_save_bumps_version_and_is_audited_with_the_reason(as_editor, session, editor):
    before = version(session)
    data = page_form(as_editor, url("details"))
    data.update(name_fi="TYM Etelä-Karjala uusi", reason="nimi muuttui")
    response = post(as_editor, url("details"), data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/networks/{A}/edit#details")
    assert network(session).name_fi == "TYM Etelä-Karjala uusi"
    assert version(session) == before + 1
    event = session.scalars(select(AuditEvent).where(AuditEvent.table_name == "networks")
                            .order_by(AuditEvent.id.desc())).first()
    assert event.changes["name_fi"] == ["TYM Etelä-Karjala", "TYM Etelä-Karjala uusi"]
    assert event.actor == f"user:{editor.id} leader@example.fi" and event.user_id == editor.id
    assert event.reason == "nimi muuttui"
    assert event.request_id  # groups the events of one save
    assert "Your changes were saved." in as_editor.get(response.headers["Location"]).text


@pytest.mark.parametrize("lang", ["en", "fi", "sv"])
def test_details_messages_are_next_to_their_fields_in_each_language(
        client, editor, session, app, lang):
    sign_in(client, editor)
    client.set_cookie("tym_lang", lang)
    data = page_form(client, url("details"))
    data.update(name_fi="", name_sv="x" * 201, valid_from="2025-13-01",
                status="nonsense", reason="")
    before = fingerprint(session)
    response = post(client, url("details"), data)
    assert response.status_code == 422
    root = parse(response.text)
    assert root.find("html").attrs["lang"] == lang
    expected = {"name_fi": "Fill in this field.",
                "name_sv": "Use at most %(max)d characters.",
                "valid_from": "Give the date as YYYY-MM-DD, for example 2025-01-31.",
                "status": "Choose one of the options."}
    with app.test_request_context(), force_locale(lang):
        wanted = {k: gettext(v, max=200) if "%" in v else gettext(v)
                  for k, v in expected.items()}
    for field, message in wanted.items():
        assert error_of(root, field) == message
    if lang == "en":  # the msgids themselves
        assert error_of(root, "name_fi") == "Fill in this field."
    # the values are kept, and the error summary links to the fields
    assert root.find(id="name_sv").attrs["value"] == "x" * 201
    assert root.find(id="valid_from").attrs["value"] == "2025-13-01"
    summary = root.find(class_="error-summary")
    assert {a.attrs["href"] for a in summary.find_all("a")} >= {"#name_fi", "#valid_from"}
    assert fingerprint(session) == before


def test_end_before_start_is_refused_at_the_end_date(as_editor, session):
    data = page_form(as_editor, url("details"))
    data.update(valid_from="2025-01-01", valid_to="2024-12-31")
    root = parse(post(as_editor, url("details"), data).text)
    assert error_of(root, "valid_to") == "The end date is before the start date."


def test_only_admins_set_verified(client, session, editor, admin):
    sign_in(client, editor)
    client.set_cookie("tym_lang", "en")
    data = page_form(client, url("details"))
    assert "verified" not in [o.attrs["value"] for o in
                              parse(client.get(url("details")).text).find(id="status")
                              .find_all("option")]
    data["status"] = "verified"
    response = post(client, url("details"), data)
    assert response.status_code == 422
    assert error_of(parse(response.text), "status") == (
        "Only the monitoring authority marks a record verified.")
    sign_in(client, admin)
    assert post(client, url("details"), data).status_code == 303
    assert network(session).status == NetworkStatus.verified
    # an editor keeps "verified" when saving other details, and may lower it
    sign_in(client, editor)
    data = page_form(client, url("details"))
    assert data["status"] == "verified"
    data["name_sv"] = "Ny"
    assert post(client, url("details"), data).status_code == 303
    assert network(session).status == NetworkStatus.verified
    data = page_form(client, url("details"))
    data["status"] = "draft"
    assert post(client, url("details"), data).status_code == 303
    assert network(session).status == NetworkStatus.draft


def test_unchanged_form_changes_nothing(as_editor, session):
    before = fingerprint(session)
    response = post(as_editor, url("details"), page_form(as_editor, url("details")))
    assert response.status_code == 303
    assert "Nothing was changed" in as_editor.get(response.headers["Location"]).text
    assert fingerprint(session) == before


# --- leaders --------------------------------------------------------------------------------

def test_leaders_add_change_and_remove(as_editor, session):
    data = page_form(as_editor, url("leaders"))
    assert data["rows"] == "2"
    data.update({"leader-1-title": "TYM-johtaja", "leader-1-organisation": "Kaupunki",
                 "leader-1-valid_from": "2026-01-01"})
    data["leader-0-valid_to"] = "2025-12-31"
    assert post(as_editor, url("leaders"), data).status_code == 303
    leaders = sorted(network(session).leaders, key=lambda x: x.id)
    assert [(x.title, x.valid_to) for x in leaders] == [
        ("TYM-koordinaattori", dt.date(2025, 12, 31)), ("TYM-johtaja", None)]
    data = page_form(as_editor, url("leaders"))
    data["leader-0-remove"] = "1"
    data["leader-1-title"] = ""
    response = post(as_editor, url("leaders"), data)
    assert response.status_code == 422
    assert error_of(parse(response.text), "leader-1-title") == "Fill in this field."
    assert parse(response.text).find(id="leader-0-remove").attrs.get("checked") is not None
    data["leader-1-title"] = "TYM-johtaja"
    assert post(as_editor, url("leaders"), data).status_code == 303
    assert [x.title for x in network(session).leaders] == ["TYM-johtaja"]


# --- steering group ---------------------------------------------------------------------

def test_steering_group_seats_change_bumps_version_and_derived_views(as_editor, session):
    group = group_of(session)
    before = version(session)
    summary = steering_summary_on(session, TODAY)
    target = url(f"steering-groups/{group.id}")
    data = page_form(as_editor, target)
    assert data["seats-kela"] == "1" and data["seats-other"] == ""
    data.update({"seats-kela": "2", "seats-employment_authority": "7"})
    assert post(as_editor, target, data).status_code == 303
    assert version(session) == before + 1  # only child rows changed
    seats = {s.org_type.value: s.count for s in group_of(session).seats}
    assert seats == {"employment_authority": 7, "county_social": 1, "county_health": 1,
                     "kela": 2}  # no "other" row added for an empty field
    after = steering_summary_on(session, TODAY)  # computed on read: current at once
    assert after.size.max == summary.size.max + 3
    updates = session.scalars(select(AuditEvent).where(
        AuditEvent.table_name == "steering_seats", AuditEvent.action == "update")).all()
    assert sorted(e.changes["count"] for e in updates) == [[1, 2], [5, 7]]


@pytest.mark.parametrize("change, field, message", [
    ({"seats-kela": "abc"}, "seats-kela", "Give a whole number, 0 or more."),
    ({"seats-kela": "-1"}, "seats-kela", "Give a whole number, 0 or more."),
    ({"seats-kela": "1.5"}, "seats-kela", "Give a whole number, 0 or more."),
    ({"seats-kela": "99999999999999"}, "seats-kela", "Give at most 999."),
    ({"chair": "kela", "seats-kela": "0"}, "chair",
     "The chair's organisation must hold at least one seat."),
    ({"vice_chair": "other"}, "vice_chair",
     "The vice-chair's organisation must hold at least one seat."),
    ({"chair": "mayor"}, "chair", "Choose one of the options."),
    ({"names-kela": "Anna\nBertta"}, "names-kela",
     "2 names for 1 seats: list at most one name per seat."),
    ({"valid_to": "2024-01-01"}, "valid_to", "The end date is before the start date."),
])
def test_steering_group_rules_come_from_the_bundle(as_editor, session, change, field, message):
    group = group_of(session)
    target = url(f"steering-groups/{group.id}")
    data = page_form(as_editor, target)
    data.update(change)
    before = fingerprint(session)
    response = post(as_editor, target, data)
    assert response.status_code == 422
    root = parse(response.text)
    assert error_of(root, field) == message
    kept = page_values(root)
    for name, value in change.items():  # what was typed is still there
        if root.find(id=name).tag != "select":  # (it cannot show what it does not offer)
            assert kept[name] == value
    assert fingerprint(session) == before


def test_a_new_steering_group_period_may_not_overlap(as_editor, session):
    data = page_form(as_editor, url("steering-groups/new"))
    assert data["seats-employment_authority"] == "5"  # starts from the latest composition
    data["valid_from"] = "2025-06-01"
    response = post(as_editor, url("steering-groups/new"), data)
    assert response.status_code == 422
    assert error_of(parse(response.text), "valid_from").startswith(
        "This period overlaps another steering group's period (2025-01-01 –")
    # close the first period, then the new one fits
    group = group_of(session)
    first = page_form(as_editor, url(f"steering-groups/{group.id}"))
    first["valid_to"] = "2026-12-31"
    assert post(as_editor, url(f"steering-groups/{group.id}"), first).status_code == 303
    data["valid_from"] = "2027-01-01"
    data["version"] = str(version(session))
    assert post(as_editor, url("steering-groups/new"), data).status_code == 303
    assert len(network(session).steering_groups) == 2


# --- agreement ------------------------------------------------------------------------------

def test_agreement_coding_saves_every_kind_of_field(as_editor, session):
    agreement = session.scalars(select(Agreement).where(Agreement.network_id == A)).one()
    target = url(f"agreements/{agreement.id}")
    data = page_form(as_editor, target)
    assert data["section-1"] == "general" and data["section-5"] == ""
    data.update({"section-5": "specific", "section-1": "", "objectives_specific": "yes",
                 "target_group_defined": "no", "shared_service_points": "",
                 "service-health": "1", "cost_sharing": "shared_by_formula",
                 "document_url": "https://example.org/sopimus.pdf",
                 "parties": "A\r\n\r\nB\nC"})
    data.pop("service-social")
    assert post(as_editor, target, data).status_code == 303
    session.expire_all()
    saved = session.get(Agreement, agreement.id)
    assert {s.number: s.coding.value for s in saved.sections} == {2: "specific",
                                                                  5: "specific"}
    assert (saved.objectives_specific, saved.target_group_defined,
            saved.shared_service_points) == (True, False, None)
    assert (saved.services_health, saved.services_social) == (True, False)
    assert saved.parties == "A\nB\nC" and saved.cost_sharing.value == "shared_by_formula"
    assert saved.document_url == "https://example.org/sopimus.pdf"


@pytest.mark.parametrize("change, field, message", [
    ({"document_url": "javascript:alert(1)"}, "document_url",
     "Give a web address that starts with https:// or http://."),
    ({"section-3": "excellent"}, "section-3", "Choose one of the options."),
    ({"objectives_specific": "maybe"}, "objectives_specific", "Choose one of the options."),
    ({"cost_sharing": ""}, "cost_sharing", "Choose one of the options."),
    ({"signed_on": "1.1.2025"}, "signed_on",
     "Give the date as YYYY-MM-DD, for example 2025-01-31."),
    ({"information_system": "T" * 201}, "information_system",
     "Use at most %(max)d characters."),
])
def test_agreement_values_refused_as_an_import_would(as_editor, session, change, field,
                                                     message):
    target = url("agreements/new")
    data = page_form(as_editor, target)
    data.update({"parties": "A", "valid_from": "2027-01-01", **change})
    response = post(as_editor, target, data)
    assert response.status_code == 422
    expected = message % {"max": 200} if "%(max)d" in message else message
    assert error_of(parse(response.text), field) == expected


# --- staff ----------------------------------------------------------------------------------

def test_staff_rows_of_a_year(as_editor, session):
    target = url("staff/2026")
    data = page_form(as_editor, target)
    assert data["rows"] == "5" and data["staff-1-fte"] == "1.5"  # English page: point
    data.update({"staff-2-organisation": "kela", "staff-2-profession": "Kelan yhteyshenkilö",
                 "staff-2-sector": "benefits", "staff-2-fte": "0,3",
                 "staff-0-fte": "1,25"})
    assert post(as_editor, target, data).status_code == 303
    rows = {r.profession: r.fte for r in session.scalars(
        select(StaffResource).where(StaffResource.network_id == A, StaffResource.year == 2026))}
    assert rows == {"TYM-koordinaattori": 1.25, "sosiaaliohjaaja": 1.5,
                    "Kelan yhteyshenkilö": 0.3}


@pytest.mark.parametrize("change, field, message", [
    ({"staff-0-fte": "yksi"}, "staff-0-fte", "Give a number, 0 or more, for example 1,5."),
    ({"staff-0-fte": "-1"}, "staff-0-fte", "Give a number, 0 or more, for example 1,5."),
    ({"staff-0-profession": ""}, "staff-0-profession", "Fill in this field."),
    ({"staff-0-sector": "space"}, "staff-0-sector", "Choose one of the options."),
    ({"staff-2-organisation": "county", "staff-2-profession": "sosiaaliohjaaja",
      "staff-2-sector": "social", "staff-2-fte": "1"}, "staff-2-profession",
     "Another row of this year has the same organisation and profession."),
])
def test_staff_values_refused(as_editor, session, change, field, message):
    target = url("staff/2026")
    data = page_form(as_editor, target)
    data.update(change)
    response = post(as_editor, target, data)
    assert response.status_code == 422
    assert error_of(parse(response.text), field) == message


def test_staff_year_outside_the_format_is_not_found(as_editor):
    assert as_editor.get(url("staff/2014")).status_code == 404
    assert post(as_editor, url("staff/3000"), {}).status_code == 404
    assert as_editor.get(url("staff") + "?year=abc").status_code == 303


# --- maturity -------------------------------------------------------------------------------

def test_maturity_self_assessment(as_editor, session):
    root = parse(as_editor.get(url("maturity/2026")).text)
    radios = root.find("fieldset").find_all("input")
    assert [r.attrs["value"] for r in radios] == ["1", "2", "3", "4", "5", "6"]
    assert "Operations form a whole" in root.find(id="level-6-text").text()
    assert radios[5].attrs["aria-describedby"] == "level-6-text"
    response = post(as_editor, url("maturity/2026"), {"version": version(session),
                                                       "level": "7"})
    assert response.status_code == 422
    root = parse(response.text)
    assert root.find(id="level-error").text().endswith("Give a whole number from 1 to 6.")
    assert "level-error" in root.find("fieldset").attrs["aria-describedby"]
    response = post(as_editor, url("maturity/2026"),
                    {"version": version(session), "level": "4", "assessed_on": "2026-11-01",
                     "notes": "Yhteiset\r\ntavoitteet"})
    assert response.status_code == 303
    levels = {m.year: (m.level, m.notes) for m in network(session).maturity}
    assert levels == {2025: (3, ""), 2026: (4, "Yhteiset\ntavoitteet")}


# --- our record is current --------------------------------------------------------------------

def test_confirm_sets_last_confirmed_on_today(as_editor, session):
    before = version(session)
    day_before = dt.date.today()  # read around the request: a run may cross midnight
    response = post(as_editor, url("confirm"), {"version": before, "reason": "tarkistettu"})
    assert response.status_code == 303
    assert network(session).last_confirmed_on in {day_before, dt.date.today()}
    assert version(session) == before + 1
    again = post(as_editor, url("confirm"), {"version": before + 1})
    assert again.status_code == 303
    assert "already marked current today" in as_editor.get(again.headers["Location"]).text


# --- optimistic concurrency -------------------------------------------------------------------

def test_a_stale_form_is_refused_and_nothing_is_overwritten(client, session, editor, admin):
    sign_in(client, editor)
    client.set_cookie("tym_lang", "en")
    group = group_of(session)
    target = url(f"steering-groups/{group.id}")
    mine = page_form(client, target)  # opened by the editor
    other = client.application.test_client()
    sign_in(other, admin)
    theirs = page_form(other, target)  # opened by the admin at the same version
    theirs["seats-kela"] = "2"
    assert post(other, target, theirs).status_code == 303
    before = fingerprint(session)
    mine["seats-kela"] = "3"
    response = post(client, target, mine)
    assert response.status_code == 409
    root = parse(response.text)
    assert ("Someone else saved this record after you opened it; your changes were not "
            "saved.") in root.find(class_="conflict").text()
    assert root.find(id="seats-kela").attrs["value"] == "3"  # kept to copy
    assert fingerprint(session) == before
    assert {s.org_type.value: s.count for s in group_of(session).seats}["kela"] == 2
    # the same for every form: details, and the confirm button
    stale = page_form(client, url("details"))
    stale["version"] = str(version(session) - 1)
    assert post(client, url("details"), stale).status_code == 409
    assert post(client, url("confirm"), {"version": version(session) - 1}).status_code == 409
    assert post(client, url("details"), {**stale, "version": ""}).status_code == 409
    assert fingerprint(session) == before


# --- the bundle's county rules ----------------------------------------------------------------

def test_coverage_rule_of_the_bundle_applies_to_forms(client, session):
    load_demo(session)
    session.commit()
    user = make_user(session, "vantaa@example.fi", "editor", ("vantaa",))
    sign_in(client, user)
    client.set_cookie("tym_lang", "en")
    data = page_form(client, url("details", "vantaa"))
    data["valid_to"] = "2026-06-30"  # Kerava's network stays: Vantaa would be uncovered
    before = fingerprint(session)
    response = post(client, url("details", "vantaa"), data)
    assert response.status_code == 422
    summary = parse(response.text).find(class_="error-summary").text()
    assert "Municipality 092 Vantaa would be in no network on 2026-07-01." in summary
    assert fingerprint(session) == before


def test_derived_configuration_type_follows_a_save(client, session, admin):
    load_small_registry_classification = classify_counties(session, dt.date(2026, 6, 1))
    assert load_small_registry_classification["11"].type == ConfigType.type1
    sign_in(client, admin)
    data = page_form(client, url("details"))
    data["valid_to"] = "2025-12-31"  # the county's only network ends: no gap, no network
    assert post(client, url("details"), data).status_code == 303
    assert classify_counties(session, dt.date(2026, 6, 1))["11"].type == ConfigType.incomplete
    assert classify_counties(session, dt.date(2025, 6, 1))["11"].type == ConfigType.type1


# --- uploads ----------------------------------------------------------------------------------

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def docx(*, macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\0")
    return buffer.getvalue()


def upload(client, session, data: bytes, name: str, **extra):
    return client.post(url("documents"), content_type="multipart/form-data", data={
        "csrf_token": CSRF, "version": str(version(session)),
        "document": (io.BytesIO(data), name), **extra})


def test_upload_pdf_and_docx_and_download(as_editor, session, client):
    agreement = session.scalars(select(Agreement).where(Agreement.network_id == A)).one()
    before = version(session)
    response = upload(as_editor, session, PDF, "Yhteistyösopimus 2025.pdf",
                      agreement_id=str(agreement.id), reason="allekirjoitettu")
    assert response.status_code == 303
    assert version(session) == before + 1
    assert upload(as_editor, session, docx(), "sopimus.DOCX").status_code == 303
    documents = session.scalars(select(AgreementDocument).order_by(AgreementDocument.id)).all()
    assert [(d.filename, d.content_type, d.agreement_id) for d in documents] == [
        ("Yhteistyösopimus 2025.pdf", "application/pdf", agreement.id),
        ("sopimus.DOCX", "application/vnd.openxmlformats-officedocument."
                         "wordprocessingml.document", None)]
    assert documents[0].uploaded_by.startswith("user:") and documents[0].size == len(PDF)
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.table_name == "agreement_documents")).first()
    assert "data" not in event.changes and event.reason == "allekirjoitettu"
    # the network is published: anyone may download
    sign_in(client, None)
    download = client.get(f"/networks/{A}/documents/{documents[0].id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # a document of A asked for under B's address does not exist
    assert client.get(f"/networks/{B}/documents/{documents[0].id}").status_code == 404


def test_drafts_documents_are_for_insiders_only(client, session, editor, admin):
    sign_in(client, admin)
    assert upload(client, session, PDF, "a.pdf").status_code == 303
    document = session.scalars(select(AgreementDocument)).one()
    data = page_form(client, url("details"))
    data["status"] = "draft"
    assert post(client, url("details"), data).status_code == 303
    address = f"/networks/{A}/documents/{document.id}"
    monitor = make_user(session, "m@example.fi", "monitor")
    other = make_user(session, "b@example.fi", "editor", (B,))
    for user, status in ((None, 404), (other, 404), (editor, 200), (monitor, 200),
                         (admin, 200)):
        sign_in(client, user)
        assert client.get(address).status_code == status, user


@pytest.mark.parametrize("data, name, message", [
    (b"just text, not a PDF", "sopimus.pdf",
     "The file is not a PDF or Word (DOCX) document. Save it as PDF or DOCX and upload it "
     "again."),
    (b"MZ\x90\x00 executable", "sopimus.docx", "The file is not a PDF or Word (DOCX) document."),
    (docx(macros=True), "sopimus.docx", "The file is not a PDF or Word (DOCX) document."),
    (b"PK\x03\x04 broken zip", "sopimus.docx", "The file is not a PDF or Word (DOCX) document."),
    (PDF, "sopimus.docx", "The file's name does not match its content"),
    (PDF, "sopimus.exe", "The file's name does not match its content"),
    (b"", "tyhja.pdf", "Choose a file to upload."),
])
def test_upload_type_is_judged_by_the_bytes(as_editor, session, data, name, message):
    before = fingerprint(session)
    response = upload(as_editor, session, data, name)
    assert response.status_code == 422
    assert error_of(parse(response.text), "document").startswith(message)
    assert fingerprint(session) == before


def test_upload_size_limits(settings, database, session, editor):
    from portal import create_app

    app = create_app(dict(settings, TESTING=True, UPLOAD_MAX_BYTES=1000), database=database)
    client = app.test_client()
    sign_in(client, editor)
    client.set_cookie("tym_lang", "en")
    before = fingerprint(session)
    response = upload(client, session, PDF + b"0" * 1000, "iso.pdf")  # over the limit
    assert response.status_code == 422
    assert error_of(parse(response.text), "document") == "The file is too large: at most 1000 B."
    huge = upload(client, session, PDF + b"0" * 200_000, "valtava.pdf")  # over the request cap
    assert huge.status_code == 413
    assert "The file is too large" in huge.text and "Nothing was saved" in huge.text
    assert fingerprint(session) == before
    assert upload(client, session, PDF, "ok.pdf").status_code == 303


# --- nothing a user sends gives a 500 ----------------------------------------------------------

@pytest.mark.parametrize("path, data", [
    ("details", {"name_fi": "a\x00b", "name_sv": "\x00", "valid_from": "\x00"}),
    ("details", {"name_fi": "é" * 5000, "status": "\x00"}),
    ("leaders", {"rows": "999999999999", "leader-0-id": "abc", "leader-0-title": "x"}),
    ("leaders", {"rows": "2", "leader-0-id": "99999999999999999999", "leader-0-title": "x",
                 "leader-0-organisation": "y"}),
    ("steering-groups/new", {"seats-kela": "1e400", "chair": "\x00", "valid_from": "0000-00-00"}),
    ("agreements/new", {"parties": "\x00\n\x00", "section-99": "general", "valid_from": "-1"}),
    ("staff/2026", {"rows": "3", "staff-0-fte": "nan", "staff-0-profession": "x",
                    "staff-1-fte": "inf", "staff-1-profession": "y",
                    "staff-2-fte": "1" * 400, "staff-2-profession": "z"}),
    ("maturity/2026", {"level": "99999999999999999999999", "assessed_on": "2026-02-30"}),
    ("confirm", {"version": "-1"}),
    ("documents", {"agreement_id": "abc"}),
])
def test_odd_input_never_gives_500(as_editor, session, path, data):
    before = fingerprint(session)
    response = post(as_editor, url(path), {"version": str(version(session)), **data})
    assert response.status_code in (303, 404, 409, 422), response.status_code
    if response.status_code != 303:
        assert fingerprint(session) == before


@pytest.mark.parametrize("address", [
    "/networks/%00/edit", "/networks/EK/edit", "/networks/" + "a" * 300 + "/edit",
    "/networks/nope/edit/details", "/networks/ek/edit/steering-groups/99999999999999999999",
    "/networks/ek/edit/steering-groups/2147483647", "/networks/ek/documents/0",
    "/networks/%00/history", "/networks/ek/restore/details/1",
])
def test_odd_addresses_never_give_500(client, session, admin, address):
    sign_in(client, admin)
    assert client.get(address).status_code == 404


# --- page structure ---------------------------------------------------------------------------

def test_every_page_has_one_h1_unique_ids_and_a_label_for_each_field(client, session, admin):
    agreement = session.scalars(select(Agreement).where(Agreement.network_id == A)).one()
    pages = [url("")[:-1], url("details"), url("leaders"), url("steering-groups/new"),
             url(f"steering-groups/{group_of(session).id}"), url("agreements/new"),
             url(f"agreements/{agreement.id}"), url("staff/2026"), url("maturity/2026"),
             f"/networks/{A}/history", "/changes", "/admin/users", "/admin/users/new",
             f"/admin/users/{admin.id}", "/account", "/edit"]
    sign_in(client, admin)
    event = session.scalar(select(AuditEvent.id).where(
        AuditEvent.network_id == A, AuditEvent.table_name == "steering_seats")
        .order_by(AuditEvent.id.desc()))
    pages.append(f"/networks/{A}/restore/steering_groups/{event}")
    anonymous = client.application.test_client()
    for address, viewer in [(p, client) for p in pages] + [("/account/sign-in", anonymous)]:
        response = viewer.get(address)
        assert response.status_code == 200, address
        root = parse(response.text)
        assert len(root.find_all("h1")) == 1, address
        ids = [n.attrs["id"] for n in root.iter() if "id" in n.attrs]
        assert len(ids) == len(set(ids)), (address, sorted(i for i in ids if ids.count(i) > 1))
        labelled = {n.attrs.get("for") for n in root.find_all("label")}
        for node in root.iter():
            if node.tag in ("input", "select", "textarea") and node.attrs.get("type") not in (
                    "hidden", "submit"):
                assert node.attrs.get("id") in labelled, (address, node.attrs)
        for node in root.iter():
            for target in node.attrs.get("aria-describedby", "").split():
                assert target in ids, (address, target)


def test_the_public_profile_leads_its_keepers_to_editing_and_history(client, session, editor,
                                                                      admin):
    monitor = make_user(session, "monitor@example.fi", "monitor")
    other = make_user(session, "other@example.fi", "editor", (B,))

    def actions(user) -> list[str]:
        sign_in(client, user)
        client.set_cookie("tym_lang", "en")
        root = parse(client.get(f"/networks/{A}").get_data(as_text=True))
        found = root.find_all("ul", class_="record-actions")
        return [a.attrs["href"] for a in found[0].find_all("a")] if found else []

    edit, history = f"/networks/{A}/edit", f"/networks/{A}/history"
    assert actions(editor) == [edit, history]
    assert actions(admin) == [edit, history]
    assert actions(monitor) == [history]
    assert actions(other) == []
    assert actions(None) == []
    # and the links work for those who got them
    sign_in(client, editor)
    assert client.get(edit).status_code == 200 and client.get(history).status_code == 200

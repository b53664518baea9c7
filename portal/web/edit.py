"""Editing forms for a network's record: basic details, leaders, steering groups,
agreements and their documents, staff resources, the maturity self-assessment, and
"our record is current".

Each form reads the request into the registry format's values (``portal.web.forms``)
and calls one function of ``portal.registry.editing``, which checks the version the
form was opened with, validates with the registry bundle's rules and saves. The
outcome decides the answer: 303 to the network's editing page on success, 422 with
the messages next to the fields when a value is refused, 409 when someone saved in
between (nothing overwritten). Every change is recorded in the audit trail as the
signed-in user, with the optional reason the form carries.

Who may edit: the network's editors and administrators (``require_network_editor``).
Setting the status "verified" is reserved for administrators, who act for the
monitoring authority; monitors read, they do not edit.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
from collections.abc import Callable
from dataclasses import replace

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.db import get_database, get_session
from portal.registry import editing
from portal.registry.agreements.models import ProposalStatus
from portal.registry.audit.recorder import set_actor, set_reason
from portal.registry.bundle.schema import SLUG_MAX, SLUG_RE
from portal.registry.networks.models import Network, OrgType
from portal.registry.users.models import Role
from portal.registry.users.services import can_edit, can_monitor
from portal.web import labels
from portal.web.auth import current_user, login_required, require_network_editor, web_actor
from portal.web.forms import (
    Form,
    decimal_text,
    integer,
    megabytes,
    number,
    optional,
    tristate,
    tristate_value,
)

bp = Blueprint("edit", __name__)

ORG_TYPES = [t.value for t in OrgType]
MAX_ROWS = 60  # rows a list form may post (leaders, staff)
BLANK_ROWS = {"leaders": 1, "staff": 3}
YEAR = "int(min=2015, max=2100)"
ID = "int(max=2147483647)"


# --- shared -------------------------------------------------------------------------------

def network_or_404(network_id: str) -> Network:
    """The network of the URL; 404 for an unknown or malformed id (checked before any
    query, so no odd input reaches the database)."""
    if len(network_id) > SLUG_MAX or not SLUG_RE.fullmatch(network_id):
        abort(404)
    try:
        return editing.get_network(get_session(), network_id)
    except editing.NetworkNotFound:
        abort(404)


def network_name(network: Network) -> str:
    from portal.i18n import current_locale

    return network.name_sv if current_locale() == "sv" and network.name_sv else network.name_fi


def optional_url(endpoint: str, **values) -> str | None:
    """The URL of another feature's page, when the portal has that feature."""
    if endpoint in current_app.view_functions:
        return url_for(endpoint, **values)
    return None


def public_page(network_id: str) -> str | None:
    """The network's public profile page."""
    return optional_url("networks.profile", network_id=network_id)


def save_form(form: Form, save: Callable[[Session], object], field_for,
              request_id: str | None = None) -> str:
    """Run ``save(session)`` as the signed-in user with the form's reason.

    Returns ``"saved"``, ``"unchanged"`` or ``"refused"`` (the form then holds the
    messages, or ``conflict``); nothing is written unless saved. The audit trail gets
    the request's id, or ``request_id`` when given (a restore names itself there)."""
    if not form.check_reason() or form.has_errors:
        return "refused"
    session = get_session()
    actor = web_actor()
    if request_id is not None or actor.request_id is None:
        actor = replace(actor, request_id=request_id or f"web-{secrets.token_hex(6)}")
    set_actor(session, actor)
    set_reason(session, form.reason)
    try:
        save(session)
    except editing.NoChange:
        session.rollback()
        return "unchanged"
    except editing.Conflict:
        session.rollback()
        form.conflict = True
        return "refused"
    except editing.Invalid as exc:
        session.rollback()
        form.add_problems(exc.problems, field_for)
        if not form.has_errors:
            form.general.append(gettext("The changes could not be saved."))
        return "refused"
    except editing.UnknownRecord:
        session.rollback()
        abort(404)
    session.commit()
    return "saved"


def _done(outcome: str, network_id: str, anchor: str = ""):
    if outcome == "saved":
        flash(gettext("Your changes were saved."), "success")
    else:
        flash(gettext("Nothing was changed: the values are the same as before."), "info")
    return redirect(url_for("edit.overview", network_id=network_id) + anchor, 303)


def _page(template: str, form: Form, network: Network, **context):
    status = 409 if form.conflict else 422 if form.has_errors else 200
    return render_template(template, form=form, network=network,
                           network_name=network_name(network), labels=labels,
                           **context), status


def _row_id(raw: str) -> int | None:
    """A row id posted by a list form: None for a new row; -1 (matches nothing, so the
    save is refused as an unknown record) for anything else than a number."""
    if raw == "":
        return None
    return int(raw) if raw.isdigit() and len(raw) < 10 else -1


def _rows(form: Form) -> int:
    raw = form.get("rows")
    return min(int(raw), MAX_ROWS) if raw.isdigit() and len(raw) < 4 else 0


def _field(path: tuple | None, index: int, names: dict[str, str]) -> str | None:
    """The form field of a problem at ``(index, field, ...)`` of a list part."""
    if not path or path[0] != index:
        return None
    rest = path[1:]
    if not rest:
        return names.get("")
    key = rest[0] if len(rest) == 1 else f"{rest[0]}.{rest[1]}"
    return names.get(key) or names.get(rest[0])


# --- which networks ------------------------------------------------------------------------

@bp.get("/edit")
@login_required
def choose():
    """The networks the signed-in user may edit."""
    user = current_user()
    stmt = select(Network).order_by(Network.name_fi)
    if user.role != Role.admin:
        stmt = stmt.where(Network.id.in_([a.network_id for a in user.assignments]))
    networks = list(get_session().scalars(stmt)) if user.role in (Role.admin,
                                                                   Role.editor) else []
    return render_template("edit/choose.html", networks=networks, network_name=network_name)


@bp.get("/networks/<network_id>/edit")
@require_network_editor
def overview(network_id: str):
    network = network_or_404(network_id)
    return _overview(network, Form(version=network.version))


def _overview(network: Network, form: Form, upload: Form | None = None):
    session = get_session()
    agreements = editing.current_part(session, network.id, "agreements")
    staff_years = sorted({r["year"] for r in editing.current_part(session, network.id,
                                                                   "staff")})
    this_year = dt.date.today().year
    upload = upload or Form(version=network.version)
    status = (409 if (form.conflict or upload.conflict)
              else 422 if (form.has_errors or upload.has_errors) else 200)
    options = [("", gettext("Not linked to a recorded agreement"))] + [
        (str(a["id"]), agreement_label(a)) for a in agreements]
    return render_template(
        "edit/overview.html", network=network, network_name=network_name(network),
        agreement_options=options,
        form=form, upload=upload, labels=labels, public_url=public_page(network.id),
        volumes_url=optional_url("submissions.client_volumes", network_id=network.id),
        optional_url=optional_url,
        leaders=editing.current_part(session, network.id, "leaders"),
        groups=editing.current_part(session, network.id, "steering_groups"),
        agreements=agreements, documents=editing.documents_of(session, network.id),
        staff_years=sorted(set(staff_years) | {this_year}),
        maturity=editing.current_part(session, network.id, "maturity"),
        this_year=this_year, max_upload=megabytes(current_app.config["UPLOAD_MAX_BYTES"]),
    ), status


def agreement_label(item: dict) -> str:
    if item.get("signed_on"):
        return gettext("Agreement signed on %(date)s", date=item["signed_on"])
    return gettext("Agreement valid from %(date)s", date=item.get("valid_from") or "–")


# --- basic details ----------------------------------------------------------------------

DETAIL_FIELDS = ("name_fi", "name_sv", "status", "valid_from", "valid_to")


def _status_options(current: str) -> list[tuple[str, str]]:
    names = labels.statuses()
    allowed = ["draft", "confirmed"]
    if current_user().role == Role.admin or current == "verified":
        allowed.append("verified")
    return [(s, names[s]) for s in allowed]


@bp.route("/networks/<network_id>/edit/details", methods=["GET", "POST"])
@require_network_editor
def details(network_id: str):
    network = network_or_404(network_id)
    current = editing.current_part(get_session(), network_id, "details")
    if request.method == "GET":
        form = Form(values={k: current[k] or "" for k in DETAIL_FIELDS},
                    version=network.version)
    else:
        form = Form.submitted()
        values = {"name_fi": form.get("name_fi"), "name_sv": form.get("name_sv"),
                  "status": form.get("status"), "valid_from": optional(form.get("valid_from")),
                  "valid_to": optional(form.get("valid_to"))}
        may_verify = current_user().role == Role.admin
        outcome = save_form(form, lambda s: editing.update_details(
            s, network_id, form.version, values, may_verify=may_verify),
            lambda path: path[0] if path and path[0] in DETAIL_FIELDS else None)
        if outcome != "refused":
            return _done(outcome, network_id, "#details")
    return _page("edit/details.html", form, network,
                 status_options=_status_options(current["status"]))


# --- leaders ----------------------------------------------------------------------------

LEADER_FIELDS = ("title", "organisation", "name", "public_contact", "valid_from", "valid_to")


@bp.route("/networks/<network_id>/edit/leaders", methods=["GET", "POST"])
@require_network_editor
def leaders(network_id: str):
    network = network_or_404(network_id)
    if request.method == "GET":
        items = editing.current_part(get_session(), network_id, "leaders")
        form = Form(version=network.version)
        for i, item in enumerate(items):
            form.values[f"leader-{i}-id"] = str(item["id"])
            for name in LEADER_FIELDS:
                form.values[f"leader-{i}-{name}"] = item[name] or ""
        form.values["rows"] = str(len(items) + BLANK_ROWS["leaders"])
        return _page("edit/leaders.html", form, network, rows=len(items) + 1)
    form = Form.submitted()
    rows = _rows(form)
    items, row_of = [], {}
    for i in range(rows):
        def value(name, i=i):
            return form.get(f"leader-{i}-{name}")
        row_id = _row_id(value("id"))
        if form.checked(f"leader-{i}-remove"):
            continue
        if row_id is None and not any(value(n) for n in LEADER_FIELDS):
            continue  # an empty new row
        row_of[len(items)] = i
        items.append({"id": row_id, "title": value("title"),
                      "organisation": value("organisation"), "name": optional(value("name")),
                      "public_contact": optional(value("public_contact")),
                      "valid_from": optional(value("valid_from")),
                      "valid_to": optional(value("valid_to"))})

    def field_for(path):
        if not path or path[0] not in row_of:
            return None
        name = path[1] if len(path) > 1 else "valid_from"
        return f"leader-{row_of[path[0]]}-{name}" if name in LEADER_FIELDS else None

    outcome = save_form(form, lambda s: editing.save_leaders(s, network_id, form.version, items),
                    field_for)
    if outcome != "refused":
        return _done(outcome, network_id, "#leaders")
    return _page("edit/leaders.html", form, network, rows=rows)


# --- steering groups ------------------------------------------------------------------------

def _group_form(item: dict, version: int) -> Form:
    form = Form(version=version)
    form.values.update({"valid_from": item.get("valid_from") or "",
                        "valid_to": item.get("valid_to") or "",
                        "chair": item.get("chair") or "",
                        "vice_chair": item.get("vice_chair") or ""})
    for org in ORG_TYPES:
        count = item.get("seats", {}).get(org)
        form.values[f"seats-{org}"] = "" if count is None else str(count)
        form.values[f"names-{org}"] = "\n".join(item.get("member_names", {}).get(org, []))
    return form


def _group_values(form: Form, held: dict) -> dict:
    seats, names = {}, {}
    for org in ORG_TYPES:
        raw = form.get(f"seats-{org}")
        if raw == "" and org not in held:
            continue  # no seats stated for an organisation that holds none
        seats[org] = integer(raw) if raw != "" else 0
        listed = [line.strip() for line in form.get(f"names-{org}").split("\n") if line.strip()]
        if listed:
            names[org] = listed
    return {"valid_from": optional(form.get("valid_from")),
            "valid_to": optional(form.get("valid_to")), "chair": form.get("chair"),
            "vice_chair": optional(form.get("vice_chair")), "seats": seats,
            "member_names": names}


GROUP_FIELDS = {"valid_from": "valid_from", "valid_to": "valid_to", "chair": "chair",
                "vice_chair": "vice_chair", "": "valid_from",
                **{f"seats.{o}": f"seats-{o}" for o in ORG_TYPES},
                **{f"member_names.{o}": f"names-{o}" for o in ORG_TYPES}}


@bp.route("/networks/<network_id>/edit/steering-groups/new", methods=["GET", "POST"])
@bp.route(f"/networks/<network_id>/edit/steering-groups/<{ID}:group_id>",
          methods=["GET", "POST"])
@require_network_editor
def steering_group(network_id: str, group_id: int | None = None):
    network = network_or_404(network_id)
    groups = editing.current_part(get_session(), network_id, "steering_groups")
    item = next((x for x in groups if x["id"] == group_id), None)
    if group_id is not None and item is None:
        abort(404)
    if request.method == "GET":
        if item is None:  # a new period: start from the latest composition
            latest = groups[-1] if groups else {"chair": "employment_authority",
                                                "vice_chair": "county_social"}
            form = _group_form({**latest, "valid_from": None, "valid_to": None},
                               network.version)
        else:
            form = _group_form(item, network.version)
    else:
        form = Form.submitted("names-")
        values = _group_values(form, item["seats"] if item else {})
        index = len([x for x in groups if x["id"] != group_id])
        outcome = save_form(form, lambda s: editing.save_steering_group(
            s, network_id, form.version, group_id, values),
            lambda path: _field(path, index, GROUP_FIELDS))
        if outcome != "refused":
            return _done(outcome, network_id, "#steering-groups")
    return _page("edit/steering_group.html", form, network, group_id=group_id,
                 org_types=labels.org_types())


# --- agreements -------------------------------------------------------------------------

AGREEMENT_FIELDS = {"parties": "parties", "signed_on": "signed_on", "valid_from": "valid_from",
                    "valid_to": "valid_to", "document_url": "document_url",
                    "objectives_specific": "objectives_specific",
                    "target_group_defined": "target_group_defined",
                    "shared_service_points": "shared_service_points",
                    "cost_sharing": "cost_sharing", "information_system": "information_system",
                    "": "valid_from",
                    **{f"sections.{n}": f"section-{n}" for n in range(1, 13)},
                    **{f"parties.{i}": "parties" for i in range(200)}}
TRISTATE = ("objectives_specific", "target_group_defined", "shared_service_points")


def _agreement_form(item: dict, version: int) -> Form:
    form = Form(version=version)
    for name in ("signed_on", "valid_from", "valid_to", "document_url", "information_system"):
        form.values[name] = item.get(name) or ""
    form.values["parties"] = "\n".join(item.get("parties", []))
    form.values["cost_sharing"] = item.get("cost_sharing") or "not_stated"
    for name in TRISTATE:
        form.values[name] = tristate_value(item.get(name))
    for number_ in range(1, 13):
        form.values[f"section-{number_}"] = item.get("sections", {}).get(str(number_), "")
    for name, flag in item.get("services", {}).items():
        form.values[f"service-{name}"] = "1" if flag else ""
    return form


def _agreement_values(form: Form) -> dict:
    from portal.registry.bundle.schema import SERVICES

    return {
        "parties": [p.strip() for p in form.get("parties").split("\n") if p.strip()],
        "signed_on": optional(form.get("signed_on")),
        "valid_from": optional(form.get("valid_from")),
        "valid_to": optional(form.get("valid_to")),
        "document_url": optional(form.get("document_url")),
        "sections": {str(n): form.get(f"section-{n}") for n in range(1, 13)
                     if form.get(f"section-{n}")},
        **{name: tristate(form.get(name)) for name in TRISTATE},
        "services": {name: form.checked(f"service-{name}") for name in SERVICES},
        "cost_sharing": form.get("cost_sharing"),
        "information_system": form.get("information_system"),
    }


@bp.route("/networks/<network_id>/edit/agreements/new", methods=["GET", "POST"])
@bp.route(f"/networks/<network_id>/edit/agreements/<{ID}:agreement_id>",
          methods=["GET", "POST"])
@require_network_editor
def agreement(network_id: str, agreement_id: int | None = None):
    network = network_or_404(network_id)
    items = editing.current_part(get_session(), network_id, "agreements")
    item = next((x for x in items if x["id"] == agreement_id), None)
    if agreement_id is not None and item is None:
        abort(404)
    if request.method == "GET":
        form = _agreement_form(item or {"services": {}}, network.version)
    else:
        form = Form.submitted("parties")
        values = _agreement_values(form)
        index = len([x for x in items if x["id"] != agreement_id])
        outcome = save_form(form, lambda s: editing.save_agreement(
            s, network_id, form.version, agreement_id, values),
            lambda path: _field(path, index, AGREEMENT_FIELDS))
        if outcome != "refused":
            return _done(outcome, network_id, "#agreements")
    documents = [d for d in editing.documents_of(get_session(), network_id)
                 if agreement_id is not None and d.agreement_id == agreement_id]
    return _page("edit/agreement.html", form, network, agreement_id=agreement_id,
                 documents=documents)


# --- agreement documents ----------------------------------------------------------------

@bp.post("/networks/<network_id>/edit/documents")
@require_network_editor
def upload(network_id: str):
    network = network_or_404(network_id)
    form = Form.submitted()
    upload_file = request.files.get("document")
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    data = upload_file.stream.read(limit + 1) if upload_file else b""
    filename = upload_file.filename if upload_file else ""
    raw = form.get("agreement_id")
    agreement_id = _row_id(raw)
    uploaded_by = web_actor().label
    stored: list = []
    outcome = save_form(form, lambda s: stored.append(editing.add_document(
        s, network_id, form.version, agreement_id, filename or "", data, uploaded_by, limit)),
        lambda path: "document" if path else None)
    if outcome == "saved":
        document_id = stored[0].id
        if _propose_coding(network_id, document_id):
            flash(gettext("The document was uploaded and read. Check the proposed coding "
                          "below and confirm it, correct it or reject it."), "success")
            return redirect(url_for("submissions.proposal", network_id=network_id,
                                    document_id=document_id), 303)
        flash(gettext("The document was uploaded, but its text could not be read for a "
                      "proposed coding. Code the agreement by hand."), "info")
        return redirect(url_for("edit.overview", network_id=network_id) + "#documents", 303)
    return _overview(network, Form(version=network.version), upload=form)


def _propose_coding(network_id: str, document_id: int) -> bool:
    """Read the uploaded document at once (the agreement-proposals job, recorded as a
    run like any other) and say whether it now has a proposed coding."""
    from etl.jobs import agreements
    from etl.runs import execute

    # save_form has committed the upload: the job reads it in a transaction of its own
    execute(get_database(), current_app.config, "agreement-proposals", agreements.run,
            trigger="web", actor=web_actor())
    session = get_session()
    session.expire_all()  # the job wrote in a transaction of its own
    document = editing.get_document(session, network_id, document_id)
    return document.proposal_status == ProposalStatus.proposed


@bp.get(f"/networks/<network_id>/documents/<{ID}:document_id>")
def document(network_id: str, document_id: int):
    """An uploaded agreement document, for whoever may read the network: everyone when
    the network's record is published, otherwise its editors, monitors and admins."""
    network = network_or_404(network_id)
    user = current_user()
    published = editing.is_published(network)
    if not (published or can_monitor(user) or can_edit(user, network_id)):
        abort(404)  # a draft's documents do not exist for others
    try:
        stored = editing.get_document(get_session(), network_id, document_id)
    except editing.UnknownRecord:
        abort(404)
    response = send_file(io.BytesIO(stored.data), mimetype=stored.content_type,
                         as_attachment=True, download_name=stored.filename,
                         etag=stored.sha256, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # revalidated on every use: a network may become a draft again
    response.headers["Cache-Control"] = "no-cache" if published else "private, no-store"
    return response


# --- staff ------------------------------------------------------------------------------

STAFF_FIELDS = ("organisation", "profession", "sector", "fte")


@bp.get("/networks/<network_id>/edit/staff")
@require_network_editor
def staff_year(network_id: str):
    """The "another year" form of the editing page."""
    network_or_404(network_id)
    raw = request.args.get("year", "")
    if raw.isdigit() and 2015 <= int(raw) <= 2100:
        return redirect(url_for("edit.staff", network_id=network_id, year=int(raw)), 303)
    flash(gettext("Give a year from %(min)d to %(max)d.", min=2015, max=2100), "error")
    return redirect(url_for("edit.overview", network_id=network_id) + "#staff", 303)


@bp.route(f"/networks/<network_id>/edit/staff/<{YEAR}:year>", methods=["GET", "POST"])
@require_network_editor
def staff(network_id: str, year: int):
    network = network_or_404(network_id)
    if request.method == "GET":
        items = [i for i in editing.current_part(get_session(), network_id, "staff")
                 if i["year"] == year]
        form = Form(version=network.version)
        for i, item in enumerate(items):
            form.values[f"staff-{i}-id"] = str(item["id"])
            for name in ("organisation", "profession", "sector"):
                form.values[f"staff-{i}-{name}"] = item[name]
            form.values[f"staff-{i}-fte"] = decimal_text(item["fte"])
        rows = len(items) + BLANK_ROWS["staff"]
        return _page("edit/staff.html", form, network, year=year, rows=rows)
    form = Form.submitted()
    rows = _rows(form)
    items, row_of = [], {}
    for i in range(rows):
        def value(name, i=i):
            return form.get(f"staff-{i}-{name}")
        row_id = _row_id(value("id"))
        if form.checked(f"staff-{i}-remove"):
            continue
        if row_id is None and not (value("profession") or value("fte")):
            continue  # an empty new row (its selects always hold a value)
        row_of[len(items)] = i
        items.append({"id": row_id, "year": year, "organisation": value("organisation"),
                      "profession": value("profession"), "sector": value("sector"),
                      "fte": number(value("fte"))})
    offset = editing.staff_offset(get_session(), network_id, year)

    def field_for(path):
        if not path or path[0] - offset not in row_of:
            return None
        name = path[1] if len(path) > 1 else "profession"
        return f"staff-{row_of[path[0] - offset]}-{name}" if name in STAFF_FIELDS else None

    outcome = save_form(form, lambda s: editing.save_staff_year(
        s, network_id, form.version, year, items), field_for)
    if outcome != "refused":
        return _done(outcome, network_id, "#staff")
    return _page("edit/staff.html", form, network, year=year, rows=rows)


# --- maturity -----------------------------------------------------------------------------

@bp.route(f"/networks/<network_id>/edit/maturity/<{YEAR}:year>", methods=["GET", "POST"])
@require_network_editor
def maturity(network_id: str, year: int):
    network = network_or_404(network_id)
    items = editing.current_part(get_session(), network_id, "maturity")
    item = next((i for i in items if i["year"] == year), None)
    if request.method == "GET":
        form = Form(version=network.version, values={
            "level": str(item["level"]) if item else "",
            "assessed_on": (item or {}).get("assessed_on") or "",
            "notes": (item or {}).get("notes") or ""})
    else:
        form = Form.submitted("notes")
        values = {"year": year, "level": integer(form.get("level")),
                  "assessed_on": optional(form.get("assessed_on")), "notes": form.get("notes")}
        index = len([i for i in items if i["year"] != year])
        names = {"level": "level", "assessed_on": "assessed_on", "notes": "notes",
                 "year": "level", "": "level"}
        outcome = save_form(form, lambda s: editing.save_maturity(s, network_id, form.version,
                                                              values),
                        lambda path: _field(path, index, names))
        if outcome != "refused":
            return _done(outcome, network_id, "#maturity")
    options = [(str(n), gettext("Level %(level)d", level=n), text)
               for n, text in labels.maturity_steps().items()]
    return _page("edit/maturity.html", form, network, year=year, exists=item is not None,
                 level_options=options)


# --- our record is current ------------------------------------------------------------------

@bp.post("/networks/<network_id>/edit/confirm")
@require_network_editor
def confirm(network_id: str):
    network = network_or_404(network_id)
    form = Form.submitted()
    today = dt.date.today()
    outcome = save_form(form, lambda s: editing.confirm_current(s, network_id, form.version, today),
                    lambda path: None)
    if outcome == "saved":
        flash(gettext("Thank you: the record is marked current as of today."), "success")
        return redirect(url_for("edit.overview", network_id=network_id), 303)
    if outcome == "unchanged":
        flash(gettext("The record was already marked current today."), "info")
        return redirect(url_for("edit.overview", network_id=network_id), 303)
    return _overview(network, form)

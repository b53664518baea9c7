"""What a network's editor submits beyond the registry forms: client-volume files (the
same check and load as the inbox job: ``etl.jobs.client_volumes.submit``) and the
confirmation of an agreement document's proposed coding
(``portal.registry.agreements.proposals``). The blank templates are public."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from werkzeug.routing import BuildError

from portal.db import get_database, get_session
from portal.registry.agreements.models import MODEL_SECTIONS, ProposalStatus, SectionCoding
from portal.registry.agreements.proposals import (
    SEAT_ORGS,
    ProposalError,
    confirm_proposal,
    get_document,
    reject_proposal,
)
from portal.registry.clients.models import COUNT_FIELDS
from portal.registry.clients.services import volumes_of
from portal.registry.clients.template import blank_csv, blank_xlsx
from portal.registry.etl.models import RunStatus
from portal.registry.networks.models import Network
from portal.web.auth import audited_session, require_network_editor, web_actor

bp = Blueprint("submissions", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def network_url(network_id: str) -> str | None:
    """The network's public page, if the network pages are installed."""
    try:
        return url_for("networks.profile", network_id=network_id)
    except BuildError:
        return None


def _network(network_id: str) -> Network:
    network = get_session().get(Network, network_id)
    if network is None:
        abort(404)
    return network


# --- templates ---------------------------------------------------------------------------

@bp.get("/client-volumes/template.csv")
def template_csv():
    return _download(blank_csv(), "text/csv; charset=utf-8", "client-volumes.csv")


@bp.get("/client-volumes/template.xlsx")
def template_xlsx():
    return _download(blank_xlsx(), XLSX, "client-volumes.xlsx")


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- client-volume upload ----------------------------------------------------------------

def count_labels() -> dict[str, str]:
    return {
        "active_end": gettext("Active clients at month end"),
        "new_clients": gettext("New clients"),
        "ended_employment": gettext("Ended: employment"),
        "ended_education": gettext("Ended: education"),
        "ended_rehabilitation": gettext("Ended: rehabilitation or another service"),
        "ended_other": gettext("Ended: other reason"),
        "assessments_started": gettext("Service-need assessments started"),
    }


def problem_text(problem) -> str:
    """A refused file's problem (``etl.transforms.client_volumes.Problem``, whose msgids
    babel.cfg extracts from there) in the reader's language, with its row."""
    text = gettext(problem.msgid) % dict(problem.params)
    if problem.row is None:
        return text
    return gettext("row %(row)d: %(problem)s", row=problem.row, problem=text)


@bp.route("/networks/<network_id>/client-volumes", methods=["GET", "POST"])
@require_network_editor
def client_volumes(network_id: str):
    network = _network(network_id)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        limit = current_app.config["UPLOAD_MAX_BYTES"]
        data = upload.stream.read(limit + 1) if upload else b""
        if not upload or not upload.filename or not data:
            problems = [gettext("Choose a file to upload (CSV or XLSX).")]
            status = 400
        else:
            from etl.jobs.client_volumes import submit

            # The load runs in its own transaction (and records its run in others): end
            # this request's read transaction first rather than hold it open around them.
            get_session().commit()
            run = submit(get_database(), current_app.config, data, upload.filename,
                         actor=web_actor(), trigger="web", only_network=network_id)
            if run.status == RunStatus.succeeded:
                flash(gettext("The file was loaded: %(months)d months, %(changed)d changed.",
                              months=run.rows_accepted, changed=run.rows_changed), "success")
                return redirect(url_for("submissions.client_volumes", network_id=network_id),
                                303)
            # The quarantine keeps the English text for operators; the editor reads the
            # same problems in the page's language.
            problems = [problem_text(p) for p in run.problems] or [gettext(
                "The file could not be checked because of an error in the portal (run "
                "%(run)d). Nothing was loaded; please tell the portal's administrators.",
                run=run.id)]
            status = 422
    return render_template("submissions/client_volumes.html", network=network,
                           network_url=network_url(network_id),
                           volumes=volumes_of(get_session(), network_id), problems=problems,
                           fields=COUNT_FIELDS, labels=count_labels(),
                           limit=current_app.config["UPLOAD_MAX_BYTES"]), status


# --- agreement proposals -----------------------------------------------------------------

def section_names() -> dict[str, str]:
    return {
        "purpose": gettext("Purpose"), "parties": gettext("Parties"), "area": gettext("Area"),
        "steering_group": gettext("Steering group"), "objectives": gettext("Objectives"),
        "organisation": gettext("Ways of organising the service"),
        "services": gettext("Services offered"), "staff": gettext("Staff"),
        "leader": gettext("The person leading the cooperation and their tasks"),
        "costs": gettext("Costs"),
        "information_system": gettext("Client data and information system"),
        "validity": gettext("Validity and amendment"),
    }


def coding_labels() -> dict[str, str]:
    return {"absent": gettext("absent"), "general": gettext("general"),
            "specific": gettext("specific")}


def _coding_from_form(form) -> dict:
    def flag(name: str):
        return {"yes": True, "no": False}.get(form.get(name, ""))

    seats = {}
    for org in SEAT_ORGS:
        raw = form.get(f"seats_{org}", "").strip()
        if raw:
            if not raw.isdigit():
                raise ProposalError(gettext("Seats must be whole numbers."))
            seats[org] = int(raw)
    return {
        "sections": {str(n): form.get(f"section_{n}", "")
                     for n in range(1, len(MODEL_SECTIONS) + 1)},
        "objectives_specific": flag("objectives_specific"),
        "target_group_defined": flag("target_group_defined"),
        "parties": [line.strip() for line in form.get("parties", "").splitlines()
                    if line.strip()],
        "signed_on": form.get("signed_on", "").strip() or None,
        "steering_seats": seats,
    }


@bp.route("/networks/<network_id>/documents/<int:document_id>/proposal",
          methods=["GET", "POST"])
@require_network_editor
def proposal(network_id: str, document_id: int):
    network = _network(network_id)
    try:
        document = get_document(get_session(), document_id, network_id)
    except LookupError:
        abort(404)
    error = None
    coding = (document.proposal or {}).get("confirmed") or document.proposal or {}
    if request.method == "POST":
        session = audited_session()
        try:
            if request.form.get("action") == "reject":
                reject_proposal(session, document_id)
                session.commit()
                flash(gettext("The proposal was rejected."), "info")
            else:
                coding = _coding_from_form(request.form)
                confirm_proposal(session, document_id, coding)
                session.commit()
                flash(gettext("The coding was saved to the agreement."), "success")
            return redirect(url_for("submissions.proposal", network_id=network_id,
                                    document_id=document_id), 303)
        except ProposalError as exc:
            session.rollback()
            error = str(exc)
    waiting = document.proposal_status == ProposalStatus.none
    return render_template(
        "submissions/proposal.html", network=network, network_url=network_url(network_id),
        document=document, coding=coding,
        error=error, waiting=waiting, sections=list(enumerate(MODEL_SECTIONS, start=1)),
        section_names=section_names(), codings=[c.value for c in SectionCoding],
        coding_labels=coding_labels(), seat_orgs=SEAT_ORGS), (400 if error else 200)

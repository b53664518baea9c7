"""Change history: each network's history (its editors, monitors and admins), the
national change feed with its CSV download (monitors and admins), and restoring a part
of a network's record to an earlier version (admins).

The pages read ``portal.registry.audit.services``; a restore goes through
``editing.save_part`` like any form, so it is version-checked, validated and itself
recorded (updates with the action "restore", the change set marked with the event it
restored).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext
from sqlalchemy import select

from portal.db import get_session
from portal.registry import editing
from portal.registry.audit import services
from portal.registry.audit.models import AuditEvent
from portal.registry.bundle.schema import SLUG_MAX, SLUG_RE
from portal.registry.networks.models import Network
from portal.registry.users.models import Role
from portal.registry.users.services import can_edit, can_monitor
from portal.web import labels
from portal.web.auth import current_user, login_required, require_roles
from portal.web.edit import network_name, network_or_404, save_form
from portal.web.forms import Form, clean
from portal.web.helpers import InvalidParameter

bp = Blueprint("history", __name__)

HELSINKI = ZoneInfo("Europe/Helsinki")
_MAX_CURSOR = 2_147_483_647


def local_time(value: dt.datetime) -> dt.datetime:
    return services.utc(value).astimezone(HELSINKI)


def actor_label(actor: str) -> str:
    """Who made a change, as the history shows it."""
    kind, _, rest = actor.partition(":")
    if kind == "user":
        return rest.split(" ", 1)[-1]
    if kind == "cli":
        return gettext("command line: %(command)s", command=f"tym {rest}")
    if kind == "job":
        return gettext("scheduled job: %(job)s", job=rest)
    return actor


def _period(row: dict) -> str:
    return f"{row.get('valid_from') or ''} – {row.get('valid_to') or gettext('open-ended')}"


def describe(entry: services.Entry) -> str:
    """Which record an event changed, in words."""
    table, row = entry.event.table_name, entry.row
    if table == "networks":
        return row.get("name_fi") or entry.event.record_id
    if table == "network_leaders":
        return ", ".join(x for x in (row.get("title"), row.get("organisation")) if x)
    if table == "steering_groups":
        return _period(row)
    if table == "steering_seats":
        return labels.org_types().get(row.get("org_type"), row.get("org_type") or "")
    if table == "agreements":
        return _period(row)
    if table == "agreement_sections":
        number = str(row.get("number", ""))
        return f"{number}. {labels.sections().get(number, '')}"
    if table == "staff_resources":
        organisation = labels.staff_organisations().get(row.get("organisation"), "")
        return f"{row.get('year', '')}, {organisation}, {row.get('profession', '')}"
    if table == "maturity_assessments":
        return str(row.get("year", ""))
    if table == "network_areas":
        return row.get("area_id") or ""
    if table == "network_municipality_exceptions":
        return f"{row.get('municipality_code', '')} ({row.get('kind', '')})"
    if table == "agreement_documents":
        return row.get("filename") or ""
    return entry.event.record_id


def _cursor() -> int | None:
    raw = request.args.get("before", "")
    return int(raw) if raw.isdigit() and int(raw) <= _MAX_CURSOR else None


def _template_helpers() -> dict[str, Any]:
    return {"labels": labels, "actor_label": actor_label, "describe": describe,
            "local_time": local_time, "field_label": lambda name: labels.fields().get(name, name)}


# --- a network's history ----------------------------------------------------------------------

@bp.get("/networks/<network_id>/history")
@login_required
def network_history(network_id: str):
    user = current_user()
    if not (can_monitor(user) or can_edit(user, network_id)):
        abort(403)
    network = network_or_404(network_id)
    session = get_session()
    sets, older = services.network_history(session, network_id, before=_cursor())
    current = {part: services.last_event_id(session, network_id, part)
               for part in editing.PARTS}
    return render_template("history/network.html", network=network,
                           network_name=network_name(network), sets=sets, older=older,
                           current=current, may_restore=user.role == Role.admin,
                           **_template_helpers())


# --- the national feed ----------------------------------------------------------------------

def _date_arg(name: str) -> dt.date | None:
    raw = clean(request.args.get(name))
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        pass
    raise InvalidParameter(gettext(
        "“%(value)s” is not a date. Give the date as YYYY-MM-DD, for example 2024-06-01.",
        value=raw[:40]))


def _filters() -> tuple[services.FeedFilter, dict[str, str]]:
    """The feed's filters from the query, and their text for the form and links."""
    network = clean(request.args.get("network"))
    if network and (len(network) > SLUG_MAX or not SLUG_RE.fullmatch(network)):
        raise InvalidParameter(gettext("There is no network with the id “%(id)s”.",
                                       id=network[:80]))
    start, end = _date_arg("from"), _date_arg("to")
    if start and end and start > end:
        raise InvalidParameter(gettext("The start date is after the end date."))
    where = services.FeedFilter(
        network_id=network or None,
        start=dt.datetime.combine(start, dt.time.min, HELSINKI) if start else None,
        end=(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, HELSINKI)
             if end else None))
    args = {k: v for k, v in (("network", network), ("from", start and start.isoformat()),
                              ("to", end and end.isoformat())) if v}
    return where, args


@bp.get("/changes")
@require_roles(Role.admin, Role.monitor)
def feed():
    where, args = _filters()
    session = get_session()
    events, older = services.feed(session, where, before=_cursor())
    networks = list(session.scalars(select(Network).order_by(Network.name_fi)))
    names = {n.id: network_name(n) for n in networks}
    return render_template("history/feed.html", events=events, older=older, args=args,
                           networks=networks, names=names, form=Form(values=dict(args)),
                           **_template_helpers())


class _Line:
    """A file-like that hands back what csv.writer wrote."""

    def __init__(self):
        self.buffer = io.StringIO()

    def write(self, text: str) -> None:
        self.buffer.write(text)

    def take(self) -> str:
        value = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return value


@bp.get("/changes.csv")
@require_roles(Role.admin, Role.monitor)
def feed_csv():
    """The feed as CSV (RFC 4180, UTF-8), streamed: one row per changed field."""
    where, args = _filters()
    session = get_session()

    def generate():
        line = _Line()
        writer = csv.writer(line, lineterminator="\r\n")
        for row in services.feed_rows(session, where):
            writer.writerow(row)
            yield line.take()

    name = "-".join(["tym-changes", *args.values()]) + ".csv"
    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "private, no-store",
                             "Content-Type": "text/csv; charset=utf-8; header=present"})


# --- restore ----------------------------------------------------------------------------------

def flatten(part: str, item: dict) -> list[tuple[str, str, str]]:
    """One item of a part as (key, label, shown value) rows."""
    names = labels.fields()

    def row(key: str, value: Any, label: str | None = None, field: str | None = None):
        return (key, label or names.get(key, key), labels.value(field or key, value))

    if part in ("details", "leaders", "maturity"):
        return [row(k, v) for k, v in item.items() if k != "id"]
    if part == "staff":
        return [(k, names.get(k, k), labels.value(k, v, "staff_resources"))
                for k, v in item.items() if k != "id"]
    if part == "steering_groups":
        rows = [row(k, item.get(k)) for k in ("valid_from", "valid_to", "chair", "vice_chair")]
        for org, org_name in labels.org_types().items():
            rows.append((f"seats.{org}", f"{names['count']}: {org_name}",
                         str(item["seats"].get(org, 0))))
            listed = item.get("member_names", {}).get(org)
            if listed:
                rows.append((f"names.{org}", f"{names['member_names']}: {org_name}",
                             "; ".join(listed)))
        return rows
    if part == "agreements":
        codings = labels.codings()
        rows = [row("parties", "; ".join(item.get("parties", [])))]
        rows += [row(k, item.get(k)) for k in ("signed_on", "valid_from", "valid_to",
                                               "document_url")]
        for number, section in labels.sections().items():
            coding = item.get("sections", {}).get(number)
            rows.append((f"section.{number}", f"{number}. {section}",
                         codings.get(coding, gettext("Not coded"))))
        rows += [row(k, item.get(k)) for k in ("objectives_specific", "target_group_defined",
                                               "shared_service_points")]
        for name, text in labels.services().items():
            rows.append((f"service.{name}", text,
                         labels.value("", bool(item.get("services", {}).get(name)))))
        rows += [row("cost_sharing", item.get("cost_sharing")),
                 row("information_system", item.get("information_system"))]
        return rows
    raise ValueError(part)


def item_title(part: str, item: dict) -> str:
    """What one item of a part is, in words (for the restore page's captions)."""
    if part == "details":
        return item.get("name_fi") or ""
    if part == "leaders":
        return ", ".join(x for x in (item.get("title"), item.get("organisation")) if x)
    if part in ("steering_groups", "agreements"):
        return _period(item)
    if part == "staff":
        organisation = labels.staff_organisations().get(item.get("organisation"), "")
        return f"{item.get('year', '')}, {organisation}, {item.get('profession', '')}"
    return str(item.get("year", ""))


def comparison(part: str, now: Any, after: Any) -> list[dict]:
    """The part now and after the restore, item by item (matched by id)."""
    if part == "details":
        now, after = [now], [after]
    now_by = {i.get("id"): i for i in now}
    after_by = {i.get("id"): i for i in after}
    ids = list(now_by) + [i for i in after_by if i not in now_by]
    out = []
    for item_id in ids:
        old, new = now_by.get(item_id), after_by.get(item_id)
        old_rows = dict((k, (label, text)) for k, label, text in flatten(part, old)) if old else {}
        new_rows = dict((k, (label, text)) for k, label, text in flatten(part, new)) if new else {}
        keys = list(old_rows) + [k for k in new_rows if k not in old_rows]
        rows = []
        for key in keys:
            label = (old_rows.get(key) or new_rows.get(key))[0]
            before_text = old_rows[key][1] if key in old_rows else "–"
            after_text = new_rows[key][1] if key in new_rows else "–"
            rows.append({"label": label, "now": before_text, "after": after_text,
                         "changed": before_text != after_text})
        state = ("removed" if new is None else "added" if old is None
                 else "changed" if any(r["changed"] for r in rows) else "same")
        out.append({"id": item_id, "state": state, "rows": rows,
                    "title": item_title(part, new or old)})
    return out


@bp.route("/networks/<network_id>/restore/<part>/<int(max=2147483647):event_id>",
          methods=["GET", "POST"])
@require_roles(Role.admin)
def restore(network_id: str, part: str, event_id: int):
    network = network_or_404(network_id)
    session = get_session()
    event = session.get(AuditEvent, event_id)
    if part not in editing.PARTS or event is None or event.network_id != network_id \
            or services.TABLE_PART.get(event.table_name) != part:
        abort(404)
    context = {"network": network, "network_name": network_name(network), "part": part,
               "event": event, **_template_helpers()}
    try:
        target = services.part_at(session, network_id, part, event_id)
    except services.IncompleteHistory:
        return render_template("history/restore.html", incomplete=True,
                               form=Form(version=network.version), **context), 409
    form = Form(version=network.version)
    if request.method == "POST":
        form = Form.submitted()
        outcome = save_form(
            form, lambda s: services.restore_part(s, network_id, form.version, part, event_id),
            lambda path: None,
            request_id=f"{services.RESTORE_PREFIX}{event_id}-{secrets.token_hex(6)}")
        if outcome != "refused":
            flash(gettext("The earlier version was restored.") if outcome == "saved" else
                  gettext("Nothing was changed: this version is the current one."),
                  "success" if outcome == "saved" else "info")
            return redirect(url_for("history.network_history", network_id=network_id), 303)
    now = editing.current_part(session, network_id, part)
    status = 409 if form.conflict else 422 if form.has_errors else 200
    return render_template("history/restore.html", incomplete=False, form=form,
                           items=comparison(part, now, target), **context), status

"""User management for administrators: list accounts, add one (its invitation link is
shown once), change a role, assign and unassign networks, disable an account, issue a
password-reset link. The same ``portal.registry.users.services`` functions as
``tym users``; every change is audited as the signed-in administrator.

Pages showing a one-time link are answered directly (never through a redirect, a
flashed message or the session cookie) and are not stored by the browser.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from sqlalchemy import select

from portal.db import get_session
from portal.registry.networks.models import Network
from portal.registry.users import services
from portal.registry.users.models import Role, User
from portal.web import labels
from portal.web.auth import audited_session, current_user, require_roles
from portal.web.edit import network_name
from portal.web.forms import Form

bp = Blueprint("admin", __name__, url_prefix="/admin")
ID = "int(max=2147483647)"


def _user_or_404(user_id: int) -> User:
    user = services.get_user(get_session(), user_id)
    if user is None:
        abort(404)
    return user


def _networks() -> list[Network]:
    return list(get_session().scalars(select(Network).order_by(Network.name_fi)))


def _link(token: str) -> str:
    base = current_app.config.get("PUBLIC_URL", "").rstrip("/")
    return base + url_for("auth.set_password_link", token=token)


def _link_page(user: User, token: str, invited: bool):
    page = render_template("admin/link.html", user=user, link=_link(token), invited=invited,
                           days=services.TOKEN_LIFETIME.days)
    response = current_app.make_response(page)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _change(user: User, action: Callable, message: str):
    """Run ``action(session)`` as the signed-in admin, commit, and go back to the user."""
    session = audited_session()
    try:
        action(session)
    except services.UserError:
        session.rollback()
        flash(gettext("The change could not be made."), "error")
    else:
        session.commit()
        flash(message, "success")
    return redirect(url_for("admin.user", user_id=user.id), 303)


def _not_yourself(user: User):
    if user.id == current_user().id:
        flash(gettext("You cannot change your own role or disable your own account: ask "
                      "another administrator."), "error")
        return redirect(url_for("admin.user", user_id=user.id), 303)
    return None


@bp.get("/users")
@require_roles(Role.admin)
def users():
    names = {n.id: network_name(n) for n in _networks()}
    return render_template("admin/users.html", users=services.list_users(get_session()),
                           names=names, labels=labels)


@bp.route("/users/new", methods=["GET", "POST"])
@require_roles(Role.admin)
def new_user():
    networks = _networks()
    if request.method == "GET":
        form = Form(values={"role": "editor"})
    else:
        form = Form.submitted()
        wanted = [n for n in request.form.getlist("networks") if n]
        known = {n.id for n in networks}
        role = form.get("role")
        try:
            email = services.normalise_email(form.get("email"))
        except services.UserError:
            form.error("email", gettext("Give an e-mail address, for example "
                                        "name@example.fi."))
            email = None
        if email and services.find_user(get_session(), email) is not None:
            form.error("email", gettext("There is already an account with this address."))
        if role not in {r.value for r in Role}:
            form.error("role", gettext("Choose one of the options."))
        if any(n not in known for n in wanted):
            form.error("networks", gettext("Choose one of the options."))
        elif wanted and role != Role.editor.value:
            form.error("networks", gettext("Only network editors are assigned networks."))
        if len(form.get("display_name")) > 200:
            form.error("display_name", gettext("Use at most %(max)d characters.", max=200))
        if not form.has_errors:
            session = audited_session()
            user, token = services.add_user(session, email, role, form.get("display_name"))
            for network_id in wanted:
                services.assign(session, user, network_id)
            session.commit()
            return _link_page(user, token, invited=True)
        form.values["networks"] = wanted
    page = render_template("admin/new_user.html", form=form, networks=networks,
                           network_name=network_name, roles=labels.roles())
    return page, 422 if form.has_errors else 200


@bp.get(f"/users/<{ID}:user_id>")
@require_roles(Role.admin)
def user(user_id: int):
    account = _user_or_404(user_id)
    networks = _networks()
    names = {n.id: network_name(n) for n in networks}
    return render_template("admin/user.html", account=account, networks=networks, names=names,
                           roles=labels.roles(), is_self=account.id == current_user().id)


@bp.post(f"/users/<{ID}:user_id>/role")
@require_roles(Role.admin)
def set_role(user_id: int):
    account = _user_or_404(user_id)
    refused = _not_yourself(account)
    if refused:
        return refused
    role = request.form.get("role", "")
    if role not in {r.value for r in Role}:
        flash(gettext("Choose one of the options."), "error")
        return redirect(url_for("admin.user", user_id=user_id), 303)
    return _change(account, lambda s: services.set_role(s, account, role),
                   gettext("The role was changed; the account was signed out everywhere."))


@bp.post(f"/users/<{ID}:user_id>/networks")
@require_roles(Role.admin)
def assign(user_id: int):
    account = _user_or_404(user_id)
    network_id = request.form.get("network", "")
    if network_id not in {n.id for n in _networks()}:
        flash(gettext("Choose one of the options."), "error")
        return redirect(url_for("admin.user", user_id=user_id), 303)
    if request.form.get("action") == "remove":
        return _change(account, lambda s: services.unassign(s, account, network_id),
                       gettext("The network was unassigned."))
    if account.role != Role.editor:
        flash(gettext("Only network editors are assigned networks."), "error")
        return redirect(url_for("admin.user", user_id=user_id), 303)
    return _change(account, lambda s: services.assign(s, account, network_id),
                   gettext("The network was assigned."))


@bp.post(f"/users/<{ID}:user_id>/disable")
@require_roles(Role.admin)
def disable(user_id: int):
    account = _user_or_404(user_id)
    refused = _not_yourself(account)
    if refused:
        return refused
    return _change(account, lambda s: services.disable(s, account),
                   gettext("The account was disabled and signed out everywhere."))


@bp.post(f"/users/<{ID}:user_id>/reset")
@require_roles(Role.admin)
def reset(user_id: int):
    account = _user_or_404(user_id)
    if not account.active:
        flash(gettext("A disabled account cannot set a password."), "error")
        return redirect(url_for("admin.user", user_id=user_id), 303)
    session = audited_session()
    token = services.issue_reset(session, account)
    session.commit()
    return _link_page(account, token, invited=False)

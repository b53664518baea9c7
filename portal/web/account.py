"""Signing in and out, and setting a password from an invitation or reset link.

The blueprint is named ``auth``: the guards in ``portal.web.auth`` send anonymous
visitors to ``auth.login``. Messages never say whether an account exists: an unknown
address, a wrong password, a disabled account and an account without a password get
the same answer, and every unusable link (unknown, used, expired, disabled account)
the same page. Passwords are never logged, echoed or stored in clear.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from portal.db import get_session
from portal.registry.audit.recorder import Actor, set_actor
from portal.registry.networks.models import Network
from portal.registry.users import services
from portal.registry.users.models import Role
from portal.web import errors, labels
from portal.web.auth import audited_session, current_user, login_required, sign_in, sign_out
from portal.web.forms import Form, clean, megabytes

bp = Blueprint("auth", __name__)
bp.add_app_template_global(labels.role_label, "role_label")

PASSWORD_MAX = 1024  # longer input is refused before hashing (scrypt cost)
TOKEN_MAX = 200
_TOKEN_KEY = "set_password_token"


def client_address() -> str:
    return request.remote_addr or "unknown"


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (no open redirect), else None."""
    target = clean(target)
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _sign_in_page(form: Form, status: int = 200, message: str | None = None):
    page = render_template("account/sign_in.html", form=form, message=message,
                           next=safe_next(request.values.get("next")),
                           minutes=int(services.THROTTLE_WINDOW.total_seconds() // 60))
    return _no_store(current_app.make_response((page, status)))


@bp.route("/account/sign-in", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return _sign_in_page(Form())
    email = clean(request.form.get("email"))[:254]
    password = request.form.get("password") or ""
    form = Form(values={"email": email})
    if len(password) > PASSWORD_MAX:
        password = ""  # refused like any wrong password (and still counted)
    db_session = audited_session()
    result = services.authenticate(db_session, email, password, client_address())
    db_session.commit()
    if result.throttled:
        current_app.logger.warning("sign-in refused: too many failed attempts")
        minutes = int(services.THROTTLE_WINDOW.total_seconds() // 60)
        response = _sign_in_page(form, 429, gettext(
            "Too many sign-in attempts. Try again in %(minutes)d minutes.", minutes=minutes))
        response.headers["Retry-After"] = str(minutes * 60)
        return response
    if result.user is None:
        current_app.logger.info("sign-in failed")
        return _sign_in_page(form, 200, gettext(
            "The e-mail address or the password is not right, or the account cannot "
            "sign in. Check them and try again."))
    sign_in(result.user)
    current_app.logger.info("signed in: user %s", result.user.id)
    flash(gettext("You are signed in."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("auth.account"), 303)


@bp.post("/account/sign-out")
def logout():
    sign_out()
    flash(gettext("You have signed out."), "success")
    return redirect(url_for("pages.index"), 303)


@bp.get("/account/set-password/<token>")
def set_password_link(token: str):
    """The link from ``tym users add|reset-password``: the token moves into the session
    and the browser to an address without it (kept out of history and referrers)."""
    token = token[:TOKEN_MAX + 1]
    if len(token) > TOKEN_MAX or services.user_for_token(get_session(), token) is None:
        return _link_invalid()
    session[_TOKEN_KEY] = token
    return _no_store(redirect(url_for("auth.set_password"), 303))


def _link_invalid():
    page = render_template("account/link_invalid.html")
    return _no_store(current_app.make_response((page, 404)))


@bp.route("/account/set-password", methods=["GET", "POST"])
def set_password():
    token = session.get(_TOKEN_KEY) or ""
    db_session = get_session()
    user = services.user_for_token(db_session, token) if token else None
    if user is None:
        session.pop(_TOKEN_KEY, None)
        return _link_invalid()
    form = Form()
    if request.method == "POST":
        password = request.form.get("password") or ""
        again = request.form.get("password_again") or ""
        if len(password) < services.MIN_PASSWORD_LENGTH:
            form.error("password", gettext("Use at least %(min)d characters.",
                                           min=services.MIN_PASSWORD_LENGTH))
        elif len(password) > PASSWORD_MAX:
            form.error("password", gettext("Use at most %(max)d characters.", max=PASSWORD_MAX))
        elif password != again:
            form.error("password_again", gettext("The passwords are not the same."))
        else:
            set_actor(db_session, Actor(f"user:{user.id} {user.email}", user.id))
            services.set_password_with_token(db_session, token, password)
            db_session.commit()
            session.pop(_TOKEN_KEY, None)
            sign_out()  # whoever was signed in in this browser; the new password is set
            current_app.logger.info("password set: user %s", user.id)
            flash(gettext("Your password is set. Sign in with it."), "success")
            return redirect(url_for("auth.login"), 303)
    page = render_template("account/set_password.html", form=form, email=user.email,
                           min_length=services.MIN_PASSWORD_LENGTH)
    return _no_store(current_app.make_response((page, 422 if form.has_errors else 200)))


@bp.get("/account")
@login_required
def account():
    user = current_user()
    networks = []
    if user.role == Role.editor and user.assignments:
        ids = [a.network_id for a in user.assignments]
        networks = list(get_session().scalars(
            select(Network).where(Network.id.in_(ids)).order_by(Network.id)))
    return render_template("account/home.html", user=user, networks=networks)


# --- error pages for every blueprint: failed CSRF check, too large upload --------------

@bp.app_errorhandler(400)
def _bad_request(error: HTTPException):
    if error.description != "csrf":
        return errors.render_error(error)
    page = render_template(
        "error.html", status=400, title=gettext("The form could not be sent"),
        detail=gettext("The form's security check failed, so nothing was saved."),
        explanation=gettext(
            "This happens when a form has been open for a long time, when you have signed "
            "out or in meanwhile, or when the browser blocks cookies. Go back, reload the "
            "page and send the form again."))
    return page, 400


@bp.app_errorhandler(413)
def _too_large(_error: HTTPException):
    limit = megabytes(current_app.config["UPLOAD_MAX_BYTES"])
    page = render_template(
        "error.html", status=413, title=gettext("The file is too large"),
        detail=gettext("Files of at most %(size)s can be uploaded.", size=limit),
        explanation=gettext("Nothing was saved. Go back and choose a smaller file."))
    return page, 413


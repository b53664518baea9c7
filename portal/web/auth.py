"""Who is signed in, and the guards every protected view uses.

The session cookie (Flask's signed cookie: HttpOnly, SameSite=Lax, Secure unless
configured otherwise) holds only the user id and the account's ``session_version``;
the account is re-read on every request, so disabling an account, changing its role
or its password signs it out everywhere, on every web instance. Sessions expire after
``SESSION_LIFETIME_MINUTES`` of inactivity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, g, redirect, request, session, url_for

from portal.db import get_session
from portal.registry.audit.recorder import Actor, set_actor
from portal.registry.users.models import Role, User
from portal.registry.users.services import can_edit, can_monitor, get_user


def current_user() -> User | None:
    """The signed-in, active user of this request, or None."""
    if "tym_user" not in g:
        g.tym_user = _load_user()
    return g.tym_user


def _load_user() -> User | None:
    uid, version = session.get("uid"), session.get("sv")
    if uid is None:
        return None
    user = get_user(get_session(), uid)
    if user is None or not user.active or user.session_version != version:
        session.clear()
        return None
    return user


def sign_in(user: User) -> None:
    session.clear()  # a fresh session on sign-in: no fixation
    session.permanent = True
    session["uid"] = user.id
    session["sv"] = user.session_version
    g.tym_user = user


def sign_out() -> None:
    session.clear()
    g.tym_user = None


def web_actor() -> Actor:
    """The audit actor for a change made through the web by the current user."""
    user = current_user()
    label = f"user:{user.id} {user.email}" if user else "anonymous"
    return Actor(label, user.id if user else None, request_id=g.get("request_id"))


def audited_session():
    """The request's session, with the current user as the audit actor."""
    db_session = get_session()
    set_actor(db_session, web_actor())
    return db_session


def login_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapped


def require_roles(*roles: Role) -> Callable:
    """Only signed-in users with one of ``roles`` (403 otherwise; sign-in page if anonymous)."""
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user()
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def require_network_editor(view: Callable) -> Callable:
    """The view's ``network_id`` argument must be editable by the current user (403)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        user = current_user()
        if user is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if not can_edit(user, kwargs["network_id"]):
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def is_monitor() -> bool:
    return can_monitor(current_user())


def init_app(app: Flask) -> None:
    app.config.update(
        SESSION_COOKIE_NAME="tym_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["COOKIE_SECURE"],
        PERMANENT_SESSION_LIFETIME=dt.timedelta(minutes=app.config["SESSION_LIFETIME_MINUTES"]),
        SESSION_REFRESH_EACH_REQUEST=True,
        MAX_CONTENT_LENGTH=app.config["UPLOAD_MAX_BYTES"] + 64 * 1024,
    )
    app.context_processor(lambda: {"current_user": current_user, "is_monitor": is_monitor,
                                   "can_edit": lambda network_id: can_edit(current_user(),
                                                                           network_id)})

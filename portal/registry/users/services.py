"""Accounts: creation, roles, assignments, invitations, passwords, sign-in throttling,
and the permission rule every edit goes through.

Passwords are hashed with scrypt (werkzeug); invitation and reset tokens are random,
shown once, and stored only as a SHA-256 hash with an expiry. Sign-in failures are
counted in the database (per e-mail and per client address) so throttling holds across
web instances. Messages never reveal whether an account exists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from portal.registry.networks.models import Network
from portal.registry.users.models import LoginAttempt, Role, User, UserNetwork

TOKEN_LIFETIME = dt.timedelta(days=7)
MIN_PASSWORD_LENGTH = 12
THROTTLE_WINDOW = dt.timedelta(minutes=15)
THROTTLE_MAX_FAILURES = 5
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A hash to check against when the account does not exist, so both paths take as long.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


class UserError(ValueError):
    """A user-management request cannot be carried out; the message says why."""


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise UserError(f"not an e-mail address: {email!r}")
    return email


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower())
                          .options(selectinload(User.assignments)))


def get_user(session: Session, user_id: int) -> User | None:
    return session.scalar(select(User).where(User.id == user_id)
                          .options(selectinload(User.assignments)))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).options(selectinload(User.assignments))
                                .order_by(User.email)))


def add_user(session: Session, email: str, role: Role | str, display_name: str = "") -> tuple[
        User, str]:
    """Create an account without a password; returns it and a one-time invitation token."""
    email = normalise_email(email)
    if find_user(session, email) is not None:
        raise UserError(f"an account for {email} already exists")
    user = User(email=email, role=_role(role), display_name=display_name.strip(), active=True)
    token = _issue_token(user)
    session.add(user)
    session.flush()
    return user, token


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise UserError(f"unknown role {role!r}: use admin, monitor or editor") from None


def _issue_token(user: User) -> str:
    token = secrets.token_urlsafe(32)
    user.token_hash = hash_token(token)
    user.token_expires_at = now() + TOKEN_LIFETIME
    return token


def issue_reset(session: Session, user: User) -> str:
    """Admin-initiated password reset: the old password stops working at once."""
    user.password_hash = None
    user.session_version += 1
    token = _issue_token(user)
    session.flush()
    return token


def set_role(session: Session, user: User, role: Role | str) -> None:
    user.role = _role(role)
    user.session_version += 1
    session.flush()


def assign(session: Session, user: User, network_id: str) -> None:
    if session.get(Network, network_id) is None:
        raise UserError(f"no network with id {network_id!r}")
    if user.role != Role.editor:
        raise UserError(f"{user.email} is a {user.role.value}: only editors are assigned networks")
    if any(a.network_id == network_id for a in user.assignments):
        return
    user.assignments.append(UserNetwork(network_id=network_id))
    session.flush()


def unassign(session: Session, user: User, network_id: str) -> None:
    user.assignments = [a for a in user.assignments if a.network_id != network_id]
    session.flush()


def disable(session: Session, user: User) -> None:
    user.active = False
    user.session_version += 1
    session.flush()


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password_too_short:{MIN_PASSWORD_LENGTH}")


def user_for_token(session: Session, token: str) -> User | None:
    user = session.scalar(select(User).where(User.token_hash == hash_token(token or "")))
    if user is None or not user.active or user.token_expires_at is None:
        return None
    expires = user.token_expires_at
    if expires.tzinfo is None:  # SQLite returns naive datetimes
        expires = expires.replace(tzinfo=dt.UTC)
    return user if expires > now() else None


def set_password_with_token(session: Session, token: str, password: str) -> User:
    user = user_for_token(session, token)
    if user is None:
        raise UserError("invalid_token")
    check_password_rules(password)
    user.password_hash = generate_password_hash(password, method="scrypt")
    user.token_hash = None
    user.token_expires_at = None
    user.session_version += 1
    session.flush()
    return user


@dataclass(frozen=True)
class SignIn:
    user: User | None
    throttled: bool


def _keys(email: str, client: str) -> list[str]:
    return [hash_token("email:" + email.strip().lower()), hash_token("client:" + client)]


def is_throttled(session: Session, email: str, client: str) -> bool:
    since = now() - THROTTLE_WINDOW
    for key in _keys(email, client):
        failures = session.scalar(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.key == key, LoginAttempt.attempted_at >= since))
        if failures >= THROTTLE_MAX_FAILURES:
            return True
    return False


def authenticate(session: Session, email: str, password: str, client: str) -> SignIn:
    """Check credentials. The caller commits (failed attempts are recorded)."""
    if is_throttled(session, email, client):
        return SignIn(None, throttled=True)
    user = find_user(session, email) if email else None
    stored = user.password_hash if user is not None and user.active else None
    ok = check_password_hash(stored or _DUMMY_HASH, password or "") and stored is not None
    if not ok:
        for key in _keys(email, client):
            session.add(LoginAttempt(key=key, attempted_at=now()))
        session.flush()
        return SignIn(None, throttled=False)
    session.execute(delete(LoginAttempt).where(LoginAttempt.key == _keys(email, client)[0]))
    user.last_login_at = now()
    session.flush()
    return SignIn(user, throttled=False)


def can_edit(user: User | None, network_id: str) -> bool:
    """The permission rule: admins edit everything; editors only their networks."""
    if user is None or not user.active:
        return False
    if user.role == Role.admin:
        return True
    return user.role == Role.editor and any(a.network_id == network_id for a in user.assignments)


def can_monitor(user: User | None) -> bool:
    """Reads drafts, unsuppressed values and change history."""
    return user is not None and user.active and user.role in (Role.admin, Role.monitor)

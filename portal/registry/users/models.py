"""Accounts, roles and network assignments; login attempts for throttling."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.registry.base import Base, Slug, enum_column


class Role(enum.StrEnum):
    admin = "admin"  # everything, user management
    monitor = "monitor"  # ministry/agency: reads everything incl. drafts and history
    editor = "editor"  # a TYM leader: edits only assigned networks


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Invite / first-login / reset: only a hash of the one-time token is stored.
    token_hash: Mapped[str | None] = mapped_column(String(128))
    token_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped on password change or disable: older session cookies stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True),
                                                    server_default=func.now())
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    assignments: Mapped[list[UserNetwork]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="UserNetwork.network_id")


class UserNetwork(Base):
    """An editor may edit network ``network_id``."""

    __tablename__ = "user_networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    network_id: Mapped[str] = mapped_column(Slug, ForeignKey("networks.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship(back_populates="assignments")

    __table_args__ = (UniqueConstraint("user_id", "network_id"),)


class LoginAttempt(Base):
    """Failed sign-ins, kept in the database so throttling holds across web instances."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128))  # hash of the e-mail address or client address
    attempted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_login_attempts_key_time", "key", "attempted_at"),)

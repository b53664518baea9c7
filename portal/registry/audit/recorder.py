"""Record every change to an audited table, whatever made it (form, import, ETL, CLI).

One mechanism for all writers: mapper events fire for every inserted, updated and
deleted row of an audited table (delete-orphan cascades included) and append one
``AuditEvent`` row, on the same connection and in the same transaction. The writer
says who it is with ``set_actor(session, ...)``; a change to an audited table without
an actor is refused, so no change goes unattributed. Bulk ``UPDATE``/``DELETE``
statements bypass mapper events: code that changes audited tables uses the ORM.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, insert, inspect, text
from sqlalchemy.orm import Session, object_session

from portal.registry.audit.models import AuditEvent

# Tables whose every change is audited, and columns never written to the trail.
AUDITED_TABLES = frozenset({
    "wellbeing_counties", "municipalities", "employment_areas", "county_memberships",
    "employment_area_memberships", "boundary_sets",
    "networks", "network_areas", "network_municipality_exceptions", "network_leaders",
    "steering_groups", "steering_seats", "maturity_assessments", "typ_networks",
    "typ_network_municipalities", "agreements", "agreement_sections", "staff_resources",
    "users", "user_networks", "agreement_documents",
    # ETL: client volumes are few and edited by people (a resubmission's old and new
    # values are kept). Statistics values are bulk data: their audit is the run record
    # (etl_runs) each load writes, with the run id on every value.
    "client_volumes", "statistic_datasets",
})
NOT_RECORDED = frozenset({"updated_at", "version", "topology", "last_login_at", "data",
                          "text"})
SECRET = frozenset({"password_hash", "token_hash"})


class UnattributedChange(RuntimeError):
    """Audited records were changed without saying who made the change."""


@dataclass(frozen=True)
class Actor:
    label: str  # "user:<id> <email>", "job:<job id>", "cli:<command>"
    user_id: int | None = None
    reason: str = ""
    request_id: str | None = None


def set_actor(session: Session, actor: Actor) -> None:
    session.info["audit_actor"] = actor


def set_reason(session: Session, reason: str) -> None:
    actor = session.info.get("audit_actor")
    if actor is not None:
        session.info["audit_actor"] = Actor(actor.label, actor.user_id, reason, actor.request_id)


def to_json(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return value
    return value


def _columns(obj) -> list[str]:
    return [c.key for c in inspect(obj).mapper.column_attrs if c.key not in NOT_RECORDED]


def _value(name: str, value: Any) -> Any:
    if name in SECRET:
        return None if value is None else "***"
    return to_json(value)


def _changes_of_update(obj) -> dict[str, list]:
    state = inspect(obj)
    changes = {}
    for name in _columns(obj):
        history = state.attrs[name].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if to_json(old) != to_json(new) or name in SECRET:
                changes[name] = [_value(name, old), _value(name, new)]
    return changes


def _snapshot(obj) -> dict[str, Any]:
    return {name: _value(name, getattr(obj, name)) for name in _columns(obj)}


def _network_of(connection, obj) -> str | None:
    table = obj.__tablename__
    if table == "networks":
        return obj.id
    if table == "steering_seats":
        return connection.scalar(text("SELECT network_id FROM steering_groups WHERE id = :i"),
                                 {"i": obj.group_id})
    if table == "agreement_sections":
        return connection.scalar(text("SELECT network_id FROM agreements WHERE id = :i"),
                                 {"i": obj.agreement_id})
    value = getattr(obj, "network_id", None)
    return value if isinstance(value, str) else None


def _record_id(obj) -> str:
    mapper = inspect(obj).mapper
    return "/".join(str(getattr(obj, c.key)) for c in mapper.primary_key)


def _append(connection, obj, action: str, changes: dict) -> None:
    session = object_session(obj)
    actor: Actor | None = session.info.get("audit_actor") if session is not None else None
    if actor is None:
        raise UnattributedChange(
            f"change to {obj.__tablename__} without an actor: call set_actor(session, Actor(...))")
    if action == "update" and session.info.get("audit_restoring"):
        action = "restore"
    connection.execute(insert(AuditEvent), {
        "occurred_at": dt.datetime.now(dt.UTC), "actor": actor.label,
        "user_id": actor.user_id, "action": action, "table_name": obj.__tablename__,
        "record_id": _record_id(obj), "network_id": _network_of(connection, obj),
        "changes": changes, "reason": actor.reason, "request_id": actor.request_id,
    })


def _after_insert(_mapper, connection, obj) -> None:
    if _audited(obj):
        _append(connection, obj, "insert",
                {k: [None, v] for k, v in _snapshot(obj).items() if v is not None})


def _after_update(_mapper, connection, obj) -> None:
    if _audited(obj):
        changes = _changes_of_update(obj)
        if changes:
            _append(connection, obj, "update", changes)


def _after_delete(_mapper, connection, obj) -> None:
    if _audited(obj):
        _append(connection, obj, "delete",
                {k: [v, None] for k, v in _snapshot(obj).items() if v is not None})


def _audited(obj) -> bool:
    return getattr(obj, "__tablename__", None) in AUDITED_TABLES


def install(base) -> None:
    """Listen on every mapped subclass of ``base`` (idempotent)."""
    for name, fn in (("after_insert", _after_insert), ("after_update", _after_update),
                     ("after_delete", _after_delete)):
        if not event.contains(base, name, fn):
            event.listen(base, name, fn, propagate=True)

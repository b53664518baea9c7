"""Reading the audit trail: a network's history, the national change feed, its CSV
rows, and restoring a part of a network's record to an earlier version.

Every event holds one row's change (``{field: [old, new]}``), so replaying a network's
events in order rebuilds the state of its rows after any event: that is how the
history names the record each event changed (a seat's organisation type, a staff row's
profession) and how a restore knows what an earlier version was.

Web changes carry a request id (``web-<hex>``) that groups the events of one save; a
restore's request id is ``restore-<event id>-<hex>``, so the history can say what a
change set restored.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.registry import editing
from portal.registry.audit.models import AuditEvent

# The tables of the network registry (the history and the feed show these; account
# changes stay in the trail but are not part of a network's record).
REGISTRY_TABLES: tuple[str, ...] = (
    "networks", "network_areas", "network_municipality_exceptions", "network_leaders",
    "steering_groups", "steering_seats", "agreements", "agreement_sections",
    "agreement_documents", "staff_resources", "maturity_assessments",
)
# Which tables make up each restorable part of a network's record.
PART_TABLES: dict[str, tuple[str, ...]] = {
    "details": ("networks",),
    "leaders": ("network_leaders",),
    "steering_groups": ("steering_groups", "steering_seats"),
    "agreements": ("agreements", "agreement_sections"),
    "staff": ("staff_resources",),
    "maturity": ("maturity_assessments",),
}
TABLE_PART = {table: part for part, tables in PART_TABLES.items() for table in tables}
RESTORE_PREFIX = "restore-"
CSV_COLUMNS = ("event_id", "occurred_at", "network_id", "table", "record_id", "action",
               "actor", "field", "old", "new", "reason")
# Events of one save are grouped; events without a request id (CLI, loads) are grouped
# when the same actor wrote them within this time.
GROUP_WINDOW = dt.timedelta(seconds=5)


class IncompleteHistory(LookupError):
    """The trail does not hold every change of the part since its rows were created."""


def utc(value: dt.datetime) -> dt.datetime:
    """An event time as an aware UTC datetime (SQLite returns naive UTC values)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# --- replay -------------------------------------------------------------------------------

@dataclass
class Replay:
    """Row states rebuilt from events: ``rows[table][record_id] = {column: value}``."""

    rows: dict[str, dict[str, dict]] = field(default_factory=dict)
    incomplete: set[str] = field(default_factory=set)  # tables with rows of unknown state

    def apply(self, event: AuditEvent) -> tuple[dict | None, dict | None]:
        """Apply one event; returns the row before and after it."""
        table = self.rows.setdefault(event.table_name, {})
        before = table.get(event.record_id)
        if event.action == "insert":
            after = {name: new for name, (_old, new) in event.changes.items()}
        elif event.action == "delete":
            if before is None:
                self.incomplete.add(event.table_name)
            table.pop(event.record_id, None)
            return before or {n: old for n, (old, _new) in event.changes.items()}, None
        else:  # update | restore
            if before is None:
                self.incomplete.add(event.table_name)
                after = {}
            else:
                after = dict(before)
            after.update({name: new for name, (_old, new) in event.changes.items()})
        table[event.record_id] = after
        return before, after

    def table(self, name: str) -> list[dict]:
        return list(self.rows.get(name, {}).values())


def _network_events(network_id: str, tables: tuple[str, ...] = REGISTRY_TABLES) -> Select:
    return (select(AuditEvent).where(AuditEvent.network_id == network_id,
                                     AuditEvent.table_name.in_(tables))
            .order_by(AuditEvent.id))


def part_at(session: Session, network_id: str, part: str, event_id: int) -> Any:
    """The value of a network's ``part`` right after event ``event_id`` (the format's
    shape, with the ids the rows had then), rebuilt from the trail."""
    tables = PART_TABLES[part]
    replay = Replay()
    for event in session.scalars(_network_events(network_id, tables)
                                 .where(AuditEvent.id <= event_id)):
        replay.apply(event)
    if replay.incomplete:
        raise IncompleteHistory(", ".join(sorted(replay.incomplete)))
    rows = {table: replay.table(table) for table in tables}
    for table in ("networks", "network_leaders", "steering_groups", "steering_seats",
                  "agreements", "agreement_sections", "staff_resources",
                  "maturity_assessments"):
        rows.setdefault(table, [])
    if part == "details" and not rows["networks"]:
        raise IncompleteHistory("networks")
    return editing.part_value(part, rows)


# --- history of a network -------------------------------------------------------------------

@dataclass
class Entry:
    """One event with the state of its row before and after it."""

    event: AuditEvent
    before: dict | None
    after: dict | None

    @property
    def row(self) -> dict:
        """The row's fields as they identify it (after the change, or before a delete)."""
        return self.after if self.after is not None else (self.before or {})

    @property
    def part(self) -> str | None:
        return TABLE_PART.get(self.event.table_name)

    @property
    def fields(self) -> list[tuple[str, Any, Any]]:
        hidden = {"id", "network_id", "group_id", "agreement_id"} \
            if self.event.action in ("insert", "delete") else set()
        return [(name, old, new) for name, (old, new) in self.event.changes.items()
                if name not in hidden]


@dataclass
class ChangeSet:
    """The events of one save (or one load/CLI command), newest first in a history."""

    entries: list[Entry]

    @property
    def first(self) -> AuditEvent:
        return self.entries[0].event

    @property
    def last_id(self) -> int:
        return self.entries[-1].event.id

    @property
    def occurred_at(self) -> dt.datetime:
        return utc(self.first.occurred_at)

    @property
    def restored_from(self) -> int | None:
        request = self.first.request_id or ""
        if request.startswith(RESTORE_PREFIX):
            number = request[len(RESTORE_PREFIX):].split("-", 1)[0]
            return int(number) if number.isdigit() else None
        return None

    @property
    def parts(self) -> list[str]:
        """The restorable parts this change set touched, in ``PARTS`` order."""
        touched = {e.part for e in self.entries if e.part}
        return [p for p in editing.PARTS if p in touched]


def _same_group(group: list[Entry], event: AuditEvent) -> bool:
    first = group[0].event
    if first.actor != event.actor or first.reason != event.reason:
        return False
    if first.request_id or event.request_id:
        return first.request_id == event.request_id
    return utc(event.occurred_at) - utc(first.occurred_at) <= GROUP_WINDOW


def network_history(session: Session, network_id: str, *, before: int | None = None,
                    limit: int = 50) -> tuple[list[ChangeSet], int | None]:
    """The network's change sets, newest first: at most ``limit`` sets with events older
    than event ``before``; and the cursor of the next (older) page, or None."""
    replay = Replay()
    groups: list[list[Entry]] = []
    for event in session.scalars(_network_events(network_id)):
        before_row, after_row = replay.apply(event)
        entry = Entry(event, before_row, after_row)
        if groups and _same_group(groups[-1], event):
            groups[-1].append(entry)
        else:
            groups.append([entry])
    sets = [ChangeSet(g) for g in reversed(groups)]
    if before is not None:
        sets = [s for s in sets if s.last_id < before]
    page = sets[:limit]
    more = len(sets) > limit
    return page, (page[-1].entries[0].event.id if more and page else None)


def last_event_id(session: Session, network_id: str, part: str) -> int | None:
    """The newest event of ``part`` of the network (its current version)."""
    return session.scalar(select(AuditEvent.id).where(
        AuditEvent.network_id == network_id, AuditEvent.table_name.in_(PART_TABLES[part]))
        .order_by(AuditEvent.id.desc()).limit(1))


# --- the national feed ----------------------------------------------------------------------

@dataclass(frozen=True)
class FeedFilter:
    network_id: str | None = None
    start: dt.datetime | None = None  # inclusive, aware
    end: dt.datetime | None = None  # exclusive, aware


def _feed_query(where: FeedFilter) -> Select:
    stmt = select(AuditEvent).where(AuditEvent.table_name.in_(REGISTRY_TABLES),
                                    AuditEvent.network_id.is_not(None))
    if where.network_id:
        stmt = stmt.where(AuditEvent.network_id == where.network_id)
    if where.start is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= where.start.astimezone(dt.UTC))
    if where.end is not None:
        stmt = stmt.where(AuditEvent.occurred_at < where.end.astimezone(dt.UTC))
    return stmt


def feed(session: Session, where: FeedFilter, *, before: int | None = None,
         limit: int = 100) -> tuple[list[AuditEvent], int | None]:
    """Registry changes across all networks, newest first, and the next page's cursor."""
    stmt = _feed_query(where)
    if before is not None:
        stmt = stmt.where(AuditEvent.id < before)
    events = list(session.scalars(stmt.order_by(AuditEvent.id.desc()).limit(limit + 1)))
    more = len(events) > limit
    events = events[:limit]
    return events, (events[-1].id if more and events else None)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def feed_rows(session: Session, where: FeedFilter, batch: int = 500) -> Iterator[list[str]]:
    """The feed as CSV rows (header first), oldest first: one row per changed field.

    ``old`` and ``new`` are JSON values (text in quotes, ``null`` for none), so the file
    gives back exactly what the trail holds; times are ISO 8601 in UTC."""
    yield list(CSV_COLUMNS)
    after = 0
    while True:
        events = list(session.scalars(_feed_query(where).where(AuditEvent.id > after)
                                      .order_by(AuditEvent.id).limit(batch)))
        if not events:
            return
        for event in events:
            base = [str(event.id), utc(event.occurred_at).isoformat(), event.network_id or "",
                    event.table_name, event.record_id, event.action, event.actor]
            changes = event.changes or {}
            if not changes:
                yield [*base, "", "", "", event.reason or ""]
            for name, (old, new) in changes.items():
                yield [*base, name, _json(old), _json(new), event.reason or ""]
        after = events[-1].id


# --- restore --------------------------------------------------------------------------------

def restore_part(session: Session, network_id: str, expected_version: int | None, part: str,
                 event_id: int):
    """Make ``part`` of the network what it was right after event ``event_id``.

    Goes through ``editing.save_part`` (same version check, same validation, same
    audit): the updates are recorded with the action ``restore``; rows deleted since
    come back as new rows. The caller sets the actor, the reason and a request id
    starting with ``RESTORE_PREFIX``."""
    event = session.get(AuditEvent, event_id)
    if event is None or event.network_id != network_id or TABLE_PART.get(
            event.table_name) != part:
        raise editing.UnknownRecord(f"event {event_id} is not a change of {part} "
                                    f"of {network_id}")
    value = part_at(session, network_id, part, event_id)
    session.info["audit_restoring"] = True
    try:
        return editing.save_part(session, network_id, expected_version, part, value,
                                 may_verify=True, unknown_ids="insert")
    finally:
        session.info.pop("audit_restoring", None)

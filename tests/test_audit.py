"""The audit trail: every change recorded with who, what, old and new; append-only."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from portal.registry.audit.models import AuditEvent
from portal.registry.audit.recorder import UnattributedChange
from portal.registry.networks.models import OrgType, SteeringSeat
from tests.registry_factories import add_network


def _events(session, **where):
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditEvent, key) == value)
    return list(session.scalars(stmt))


def test_reference_load_is_attributed_to_the_command(cli, session):
    session.execute(text("UPDATE municipalities SET name_sv = 'X' WHERE code = '005'"))
    session.commit()
    before = session.scalar(select(func.count()).select_from(AuditEvent))
    assert cli("load", "reference").exit_code == 0
    (event,) = _events(session, table_name="municipalities", record_id="005")[-1:]
    assert event.actor == "cli:load reference"
    assert event.action == "update"
    assert event.changes["name_sv"] == ["X", "Alajärvi"]
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == before + 1


def test_insert_update_delete_of_a_network_and_its_children(session):
    network = add_network(session, "ek", "11", ["etela-karjala"],
                          seats={OrgType.employment_authority: 4, OrgType.kela: 1})
    inserted = _events(session, network_id="ek", action="insert")
    assert {e.table_name for e in inserted} >= {"networks", "network_areas", "steering_groups",
                                                "steering_seats"}
    seat = next(s for s in network.steering_groups[0].seats if s.org_type == OrgType.kela)
    seat.count = 2
    session.flush()
    (update,) = _events(session, table_name="steering_seats", action="update")
    assert update.changes == {"count": [1, 2]}
    assert update.network_id == "ek" and update.actor == "test"
    # replacing the seats deletes the old rows as orphans: each deletion is recorded
    network.steering_groups[0].seats = [SteeringSeat(org_type=OrgType.county_health,
                                                     count=3)]
    session.flush()
    deleted = _events(session, table_name="steering_seats", action="delete")
    assert len(deleted) == 2
    assert all(e.network_id == "ek" for e in deleted)


def test_a_change_without_an_actor_is_refused(database):
    session = database.session()
    try:
        with pytest.raises(UnattributedChange, match="without an actor"):
            add_network(session, "ek", "11", ["etela-karjala"])
    finally:
        session.rollback()
        session.close()


def test_audit_rows_cannot_be_changed_or_deleted(session):
    add_network(session, "ek", "11", ["etela-karjala"])
    event_id = _events(session)[-1].id
    for statement in (f"UPDATE audit_events SET actor = 'someone else' WHERE id = {event_id}",
                      f"DELETE FROM audit_events WHERE id = {event_id}"):
        nested = session.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
        nested.rollback()

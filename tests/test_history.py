"""Change history through the web: a network's history (who, when, which record, old
and new values, reason), the national feed with its filters and CSV (RFC 4180, UTF-8,
round trip), and an admin's restore of an earlier version (itself audited)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import select

from portal.registry import editing
from portal.registry.audit import services
from portal.registry.audit.models import AuditEvent
from portal.registry.audit.recorder import Actor, set_actor
from portal.registry.networks.models import Network
from tests.editing_support import CSRF, A, B, fingerprint, load_small_registry, make_user, sign_in
from tests.html_tree import parse
from tests.test_editing import page_form, post

TODAY = dt.date.today()


@pytest.fixture
def registry(session):
    load_small_registry(session)


@pytest.fixture
def people(session, registry):
    return {"editor": make_user(session, "leader@example.fi", "editor", (A,)),
            "other": make_user(session, "other@example.fi", "editor", (B,)),
            "monitor": make_user(session, "monitor@example.fi", "monitor"),
            "admin": make_user(session, "admin@example.fi", "admin")}


def as_user(client, user):
    sign_in(client, user)
    client.set_cookie("tym_lang", "en")
    return client


def group(session, network_id=A):
    session.expire_all()
    return session.get(Network, network_id).steering_groups[0]


def set_seats(client, session, kela: int, reason: str = "") -> None:
    target = f"/networks/{A}/edit/steering-groups/{group(session).id}"
    data = page_form(client, target)
    data.update({"seats-kela": str(kela), "reason": reason})
    assert post(client, target, data).status_code == 303


def seats(session) -> dict[str, int]:
    return {s.org_type.value: s.count for s in group(session).seats}


# --- a network's history ------------------------------------------------------------------

def test_history_shows_who_when_which_record_old_new_and_reason(client, session, people):
    as_user(client, people["editor"])
    set_seats(client, session, 2, reason="Kelan toinen edustaja")
    root = parse(client.get(f"/networks/{A}/history").text)
    newest = root.find("li", class_="change-set")
    title = newest.find("h2").text()
    assert "leader@example.fi" in title
    assert newest.find("time").attrs["datetime"].startswith(TODAY.isoformat()[:4])
    assert "Kelan toinen edustaja" in newest.find(class_="change-set__reason").text()
    record = newest.find(class_="change-entry__record").text()
    assert record.split() == ["Steering-group", "seats", ":", "Kela", "changed"]
    row = newest.find("table").find("tbody").find("tr")
    assert [c.text() for c in row.children if not isinstance(c, str)] == ["Seats", "1", "2"]
    # the load that created the network is there too, attributed to the test
    assert any("Network" in e.text() and "added" in e.text()
               for e in root.find_all(class_="change-entry__record"))


def test_history_is_for_monitors_admins_and_the_networks_editors(client, session, people):
    address = f"/networks/{A}/history"
    for user, status in ((people["editor"], 200), (people["monitor"], 200),
                         (people["admin"], 200), (people["other"], 403)):
        assert as_user(client, user).get(address).status_code == status
    sign_in(client, None)
    response = client.get(address)
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]


def test_history_pages_with_a_cursor(client, session, people):
    as_user(client, people["editor"])
    for kela in range(2, 6):
        set_seats(client, session, kela)
    sets, older = services.network_history(session, A, limit=2)
    assert len(sets) == 2 and older is not None
    rest, _ = services.network_history(session, A, before=older, limit=100)
    assert all(s.last_id < older for s in rest)
    response = client.get(f"/networks/{A}/history?before={older}")
    assert response.status_code == 200
    assert client.get(f"/networks/{A}/history?before=abc").status_code == 200


# --- the national feed ----------------------------------------------------------------------

def test_feed_is_for_monitors_and_admins(client, session, people):
    for user, status in ((people["monitor"], 200), (people["admin"], 200),
                         (people["editor"], 403)):
        assert as_user(client, user).get("/changes").status_code == status
        assert as_user(client, user).get("/changes.csv").status_code == status
    sign_in(client, None)
    assert client.get("/changes").status_code == 302


def test_feed_filters_by_network_and_date(client, session, people):
    as_user(client, people["editor"])
    set_seats(client, session, 3)
    as_user(client, people["monitor"])
    rows = parse(client.get(f"/changes?network={A}").text).find("tbody").find_all("tr")
    assert rows and all(f"/networks/{A}/history" in r.find("a").attrs["href"] for r in rows)
    assert "Seats: 1 → 3" in rows[0].text()
    b_rows = parse(client.get(f"/changes?network={B}").text).find("tbody").find_all("tr")
    assert all(f"/networks/{B}/history" in r.find("a").attrs["href"] for r in b_rows)
    tomorrow = (TODAY + dt.timedelta(days=2)).isoformat()
    yesterday = (TODAY - dt.timedelta(days=2)).isoformat()
    assert "No changes match the filters." in client.get(f"/changes?from={tomorrow}").text
    assert "No changes match the filters." in client.get(f"/changes?to={yesterday}").text
    both = client.get(f"/changes?network={A}&from={yesterday}&to={tomorrow}").text
    assert "Seats: 1 → 3" in both


@pytest.mark.parametrize("query", ["network=%00", "network=A B", "from=2025-02-30",
                                   "from=tomorrow", "to=" + "9" * 50,
                                   "from=2026-02-01&to=2026-01-01", "before=-1",
                                   "before=99999999999999999999"])
def test_bad_feed_filters_are_a_clear_400_not_a_500(client, session, people, query):
    as_user(client, people["monitor"])
    for address in ("/changes", "/changes.csv"):
        response = client.get(f"{address}?{query}")
        assert response.status_code in (200, 400), (address, query)
        if response.status_code == 400:
            assert parse(response.text).find(class_="error-detail").text()


def test_feed_csv_round_trip(client, session, people):
    as_user(client, people["editor"])
    set_seats(client, session, 4, reason='syy, "lainattu"\nrivi 2')
    as_user(client, people["monitor"])
    response = client.get(f"/changes.csv?network={A}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv; charset=utf-8")
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.data
    assert not raw.startswith(b"\xef\xbb\xbf")  # machines want plain UTF-8
    text = raw.decode("utf-8")
    assert "\r\n" in text and "Etelä-Karjala" in text  # RFC 4180 line ends, UTF-8
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(services.CSV_COLUMNS)
    body = rows[1:]
    events = {e.id: e for e in session.scalars(select(AuditEvent).where(
        AuditEvent.network_id == A, AuditEvent.table_name.in_(services.REGISTRY_TABLES)))}
    # every changed field of every event, exactly as the trail holds it
    rebuilt: dict[int, dict] = {}
    for row in body:
        record = dict(zip(services.CSV_COLUMNS, row, strict=True))
        event = events[int(record["event_id"])]
        assert record["network_id"] == A and record["table"] == event.table_name
        assert record["action"] == event.action and record["actor"] == event.actor
        assert record["reason"] == event.reason
        assert dt.datetime.fromisoformat(record["occurred_at"]).tzinfo is not None
        rebuilt.setdefault(event.id, {})[record["field"]] = [json.loads(record["old"]),
                                                             json.loads(record["new"])]
    assert rebuilt == {i: e.changes for i, e in events.items()}
    assert any(r[-1] == 'syy, "lainattu"\nrivi 2' for r in body)


# --- restore --------------------------------------------------------------------------------

def test_admin_restores_an_earlier_steering_group_and_the_restore_is_audited(
        client, session, people):
    as_user(client, people["editor"])
    set_seats(client, session, 2)
    first_change = session.scalar(select(AuditEvent.id).where(
        AuditEvent.table_name == "steering_seats").order_by(AuditEvent.id.desc()))
    set_seats(client, session, 7)
    assert seats(session)["kela"] == 7
    as_user(client, people["admin"])
    history = parse(client.get(f"/networks/{A}/history").text)
    links = [a.attrs["href"] for a in history.find_all("a")
             if "/restore/steering_groups/" in a.attrs.get("href", "")]
    assert f"/networks/{A}/restore/steering_groups/{first_change}" in links
    address = f"/networks/{A}/restore/steering_groups/{first_change}"
    preview = parse(client.get(address).text)
    changed = [r for r in preview.find_all("tr", class_="changed")]
    assert [c.text() for c in changed[0].children if not isinstance(c, str)] == [
        "Seats: Kela (changes)", "7", "2"]
    data = page_form(client, address)
    data["reason"] = "virheellinen muutos"
    before_version = session.get(Network, A).version
    response = post(client, address, data)
    assert response.status_code == 303
    assert seats(session)["kela"] == 2
    assert session.get(Network, A).version == before_version + 1
    restore = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert restore.action == "restore" and restore.changes == {"count": [7, 2]}
    assert restore.reason == "virheellinen muutos"
    assert restore.request_id.startswith(f"restore-{first_change}-")
    assert restore.actor.endswith("admin@example.fi")
    page = parse(client.get(f"/networks/{A}/history").text)
    assert f"Restored the version of change {first_change}." in page.find(
        "li", class_="change-set").text()


def test_restore_brings_back_deleted_rows_and_refuses_stale_versions(client, session, people):
    as_user(client, people["editor"])
    data = page_form(client, f"/networks/{A}/edit/leaders")
    data["leader-0-remove"] = "1"
    assert post(client, f"/networks/{A}/edit/leaders", data).status_code == 303
    session.expire_all()
    assert session.get(Network, A).leaders == []
    inserted = session.scalar(select(AuditEvent.id).where(
        AuditEvent.table_name == "network_leaders", AuditEvent.action == "insert"))
    address = f"/networks/{A}/restore/leaders/{inserted}"
    as_user(client, people["admin"])
    stale = page_form(client, address)
    as_user(client, people["editor"])
    set_seats(client, session, 3)  # someone saves meanwhile
    as_user(client, people["admin"])
    before = fingerprint(session)
    response = post(client, address, stale)
    assert response.status_code == 409
    assert fingerprint(session) == before
    assert post(client, address, page_form(client, address)).status_code == 303
    session.expire_all()
    assert [x.title for x in session.get(Network, A).leaders] == ["TYM-koordinaattori"]


def test_restore_is_for_admins_only_and_checks_the_event(client, session, people):
    as_user(client, people["editor"])
    set_seats(client, session, 2)
    event = session.scalar(select(AuditEvent.id).where(AuditEvent.table_name == "steering_seats")
                           .order_by(AuditEvent.id.desc()))
    address = f"/networks/{A}/restore/steering_groups/{event}"
    for user in (people["editor"], people["monitor"]):
        assert as_user(client, user).get(address).status_code == 403
    as_user(client, people["admin"])
    assert client.get(f"/networks/{B}/restore/steering_groups/{event}").status_code == 404
    assert client.get(f"/networks/{A}/restore/leaders/{event}").status_code == 404
    assert client.get(f"/networks/{A}/restore/nonsense/{event}").status_code == 404


def test_part_at_replays_the_trail(session, registry):
    set_actor(session, Actor("test"))
    group_id = session.get(Network, A).steering_groups[0].id
    value = editing.current_part(session, A, "steering_groups")
    version = session.get(Network, A).version
    editing.save_steering_group(session, A, version, group_id,
                                {**value[0], "seats": {**value[0]["seats"], "kela": 4}})
    last = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
    assert services.part_at(session, A, "steering_groups", last) == editing.current_part(
        session, A, "steering_groups")
    # every part's replayed value equals the stored one
    for part in editing.PARTS:
        assert services.part_at(session, A, part, last) == editing.current_part(session, A,
                                                                                 part), part


def test_unknown_csrf_or_missing_token_refuses_a_restore(client, session, people):
    as_user(client, people["editor"])
    set_seats(client, session, 2)
    event = session.scalar(select(AuditEvent.id).where(AuditEvent.table_name == "steering_seats")
                           .order_by(AuditEvent.id.desc()))
    as_user(client, people["admin"])
    address = f"/networks/{A}/restore/steering_groups/{event}"
    data = page_form(client, address)
    before = fingerprint(session)
    assert client.post(address, data={**data, "csrf_token": "wrong"}).status_code == 400
    assert client.post(address, data={k: v for k, v in data.items()
                                      if k != "csrf_token"}).status_code == 400
    assert fingerprint(session) == before
    assert CSRF  # the right one works (see the tests above)

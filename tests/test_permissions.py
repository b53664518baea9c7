"""The permission matrix: every role (anonymous, editor of network A, editor of B,
monitor, admin) against every state-changing endpoint of the accounts, editing, history
and admin pages. Each request is a valid one (built from the form an admin sees), so a
refusal is the permission's doing; a refused request must leave the database exactly as
it was (the registry export, account rows, documents, login attempts, audit count).
Also: A's editor reaching B's records by changing ids, and missing or wrong CSRF tokens."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from portal.registry.agreements.models import Agreement
from portal.registry.audit.models import AuditEvent
from portal.registry.networks.models import Network
from portal.registry.staff.models import StaffResource
from portal.registry.users.models import User
from tests.editing_support import CSRF, A, B, fingerprint, load_small_registry, make_user, sign_in
from tests.test_editing import PDF, page_form

ROLES = ("anonymous", "editor_a", "editor_b", "monitor", "admin")
EDITORS_OF_A = {"editor_a", "admin"}
ADMINS = {"admin"}
EVERYONE = set(ROLES)


@dataclass
class World:
    users: dict[str, User]
    ids: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def world(session) -> World:
    load_small_registry(session)
    users = {"editor_a": make_user(session, "a@example.fi", "editor", (A,)),
             "editor_b": make_user(session, "b@example.fi", "editor", (B,)),
             "monitor": make_user(session, "monitor@example.fi", "monitor"),
             "admin": make_user(session, "admin@example.fi", "admin"),
             "target": make_user(session, "target@example.fi", "editor", (B,))}
    ids = {}
    for network_id, suffix in ((A, "a"), (B, "b")):
        network = session.get(Network, network_id)
        ids[f"group_{suffix}"] = network.steering_groups[0].id
        ids[f"leader_{suffix}"] = network.leaders[0].id
        ids[f"agreement_{suffix}"] = session.scalar(
            select(Agreement.id).where(Agreement.network_id == network_id))
        ids[f"staff_{suffix}"] = session.scalar(
            select(StaffResource.id).where(StaffResource.network_id == network_id)
            .order_by(StaffResource.id))
    ids["event_a"] = session.scalar(select(AuditEvent.id).where(  # the loaded version
        AuditEvent.network_id == A, AuditEvent.table_name == "steering_seats")
        .order_by(AuditEvent.id.desc()))
    ids["target"] = users["target"].id
    return World(users, ids)


def _form(client, world: World, address: str, **changes) -> dict:
    """The form at ``address`` as the admin sees it, with ``changes``."""
    sign_in(client, world.users["admin"])
    data = page_form(client, address)
    data.update(changes)
    return data


@dataclass(frozen=True)
class Endpoint:
    name: str
    address: str  # formatted with World.ids
    allowed: frozenset[str]
    build: object  # (client, world, address) -> request kwargs
    success: int = 303


def form_of(**changes):
    return lambda client, world, address: {"data": _form(client, world, address, **changes)}


def plain(**data):
    return lambda client, world, address: {"data": {"csrf_token": CSRF, **data}}


def with_version(**data):
    def build(client, world, address):
        version = client.application.extensions["tym_db"].session().get(Network, A).version
        return {"data": {"csrf_token": CSRF, "version": str(version), **data}}
    return build


def upload(client, world, address):
    version = client.application.extensions["tym_db"].session().get(Network, A).version
    return {"content_type": "multipart/form-data",
            "data": {"csrf_token": CSRF, "version": str(version),
                     "document": (io.BytesIO(PDF), "sopimus.pdf")}}


def restore(client, world, address):
    # change A's steering group (as the admin), then ask to restore the loaded version
    group = f"/networks/{A}/edit/steering-groups/{world.ids['group_a']}"
    assert client.post(group, data=_form(client, world, group,
                                         **{"seats-kela": "3"})).status_code == 303
    return {"data": _form(client, world, address, reason="palautus")}


def new_group(client, world, address):
    # close A's current period first (as the admin) so the new one fits
    first = f"/networks/{A}/edit/steering-groups/{world.ids['group_a']}"
    data = _form(client, world, first, valid_to="2026-12-31")
    assert client.post(first, data=data).status_code == 303
    return {"data": _form(client, world, address, valid_from="2027-01-01")}


ENDPOINTS = [
    Endpoint("details", f"/networks/{A}/edit/details", EDITORS_OF_A,
             form_of(name_fi="Uusi nimi")),
    Endpoint("leaders", f"/networks/{A}/edit/leaders", EDITORS_OF_A,
             form_of(**{"leader-0-title": "TYM-johtaja"})),
    Endpoint("steering group", f"/networks/{A}/edit/steering-groups/{{group_a}}", EDITORS_OF_A,
             form_of(**{"seats-kela": "2"})),
    Endpoint("new steering group", f"/networks/{A}/edit/steering-groups/new", EDITORS_OF_A,
             new_group),
    Endpoint("agreement", f"/networks/{A}/edit/agreements/{{agreement_a}}", EDITORS_OF_A,
             form_of(**{"section-5": "specific"})),
    Endpoint("new agreement", f"/networks/{A}/edit/agreements/new", EDITORS_OF_A,
             form_of(parties="A\nB", valid_from="2027-01-01")),
    Endpoint("upload", f"/networks/{A}/edit/documents", EDITORS_OF_A, upload),
    Endpoint("staff", f"/networks/{A}/edit/staff/2026", EDITORS_OF_A,
             form_of(**{"staff-0-fte": "2"})),
    Endpoint("maturity", f"/networks/{A}/edit/maturity/2026", EDITORS_OF_A,
             form_of(level="4")),
    Endpoint("confirm", f"/networks/{A}/edit/confirm", EDITORS_OF_A, with_version()),
    Endpoint("restore", f"/networks/{A}/restore/steering_groups/{{event_a}}", ADMINS, restore),
    Endpoint("add user", "/admin/users/new", ADMINS,
             plain(email="new@example.fi", role="editor", networks=A), success=200),
    Endpoint("set role", "/admin/users/{target}/role", ADMINS, plain(role="monitor")),
    Endpoint("assign", "/admin/users/{target}/networks", ADMINS, plain(network=A)),
    Endpoint("unassign", "/admin/users/{target}/networks", ADMINS,
             plain(network=B, action="remove")),
    Endpoint("disable", "/admin/users/{target}/disable", ADMINS, plain()),
    Endpoint("reset link", "/admin/users/{target}/reset", ADMINS, plain(), success=200),
    Endpoint("sign out", "/account/sign-out", EVERYONE, plain()),
]


def _refusal(role: str) -> int:
    return 302 if role == "anonymous" else 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_permission_matrix(client, session, world, endpoint, role):
    address = endpoint.address.format(**world.ids)
    request = endpoint.build(client, world, address)
    sign_in(client, world.users.get(role))
    before = fingerprint(session)
    response = client.post(address, **request)
    if role in endpoint.allowed:
        assert response.status_code == endpoint.success, (role, response.status_code)
        if endpoint.name != "sign out":
            assert fingerprint(session) != before
    else:
        assert response.status_code == _refusal(role), (role, response.status_code)
        if role == "anonymous":
            assert "/account/sign-in" in response.headers["Location"]
        assert fingerprint(session) == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("token", [None, "", "wrong-token"])
def test_state_changes_need_the_csrf_token(client, session, world, endpoint, token):
    address = endpoint.address.format(**world.ids)
    request = endpoint.build(client, world, address)
    data = {k: v for k, v in request["data"].items() if k != "csrf_token"}
    if token is not None:
        data["csrf_token"] = token
    sign_in(client, world.users["admin"])
    before = fingerprint(session)
    response = client.post(address, **{**request, "data": data})
    assert response.status_code == 400
    assert "The form could not be sent" in response.text or "security check" in response.text
    assert fingerprint(session) == before


@pytest.mark.parametrize("address, form, data", [
    # B's records under A's address (A's editor may edit A): not found, nothing changes
    (f"/networks/{A}/edit/steering-groups/{{group_b}}",
     f"/networks/{A}/edit/steering-groups/{{group_a}}", {"seats-kela": "9"}),
    (f"/networks/{A}/edit/agreements/{{agreement_b}}",
     f"/networks/{A}/edit/agreements/{{agreement_a}}", {"section-5": "specific"}),
    (f"/networks/{A}/edit/leaders", f"/networks/{A}/edit/leaders",
     {"leader-0-id": "{leader_b}"}),
    (f"/networks/{A}/edit/staff/2026", f"/networks/{A}/edit/staff/2026",
     {"staff-0-id": "{staff_b}", "staff-0-fte": "9"}),
    (f"/networks/{A}/edit/documents", None, {"agreement_id": "{agreement_b}"}),
])
def test_a_editor_cannot_reach_b_by_changing_ids(client, session, world, address, form, data):
    ids = world.ids
    address = address.format(**ids)
    if form is None:
        base = {"csrf_token": CSRF, "version": str(session.get(Network, A).version),
                "document": (io.BytesIO(PDF), "x.pdf")}
    else:
        base = _form(client, world, form.format(**ids))
    base.update({k: v.format(**ids) for k, v in data.items()})
    sign_in(client, world.users["editor_a"])
    before = fingerprint(session)
    response = client.post(address, data=base)
    assert response.status_code == 404
    assert fingerprint(session) == before


@pytest.mark.parametrize("address", [
    f"/networks/{B}/edit/details", f"/networks/{B}/edit/steering-groups/{{group_b}}",
    f"/networks/{B}/edit/confirm", f"/networks/{B}/edit/documents",
    f"/networks/{B}/edit/staff/2026",
])
def test_a_editor_cannot_use_bs_addresses(client, session, world, address):
    address = address.format(**world.ids)
    sign_in(client, world.users["editor_a"])
    before = fingerprint(session)
    response = client.post(address, data={"csrf_token": CSRF,
                                          "version": str(session.get(Network, B).version),
                                          "name_fi": "kaapattu", "seats-kela": "9"})
    assert response.status_code == 403
    assert client.get(address).status_code in (403, 405)
    assert fingerprint(session) == before


@pytest.mark.parametrize("address, allowed", [
    (f"/networks/{A}/edit", EDITORS_OF_A), (f"/networks/{A}/edit/details", EDITORS_OF_A),
    (f"/networks/{A}/history", EDITORS_OF_A | {"monitor"}),
    ("/changes", {"monitor", "admin"}), ("/changes.csv", {"monitor", "admin"}),
    ("/admin/users", ADMINS), ("/admin/users/new", ADMINS),
])
@pytest.mark.parametrize("role", ROLES)
def test_reading_pages(client, world, address, allowed, role):
    sign_in(client, world.users.get(role))
    response = client.get(address)
    assert response.status_code == (200 if role in allowed else _refusal(role))

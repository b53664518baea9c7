"""tym users: accounts, roles, assignments; no secret ever stored or audited in clear."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.registry.audit.models import AuditEvent
from portal.registry.users import services
from portal.registry.users.models import Role, User
from tests.registry_factories import add_network


def _token(output: str) -> str:
    return re.search(r"/account/set-password/(\S+)", output).group(1)


def test_add_list_assign_set_role_disable(cli, session):
    add_network(session, "ek", "11", ["etela-karjala"])
    session.commit()
    result = cli("users", "add", "Leader@Example.FI", "--role", "editor", "--network", "ek")
    assert result.exit_code == 0, result.output
    assert "created leader@example.fi (editor)" in result.output
    token = _token(result.output)
    listing = cli("users", "list").output
    assert "leader@example.fi\teditor\tactive\tinvited\tek" in listing
    user = session.scalar(select(User).where(User.email == "leader@example.fi"))
    assert user.token_hash == services.hash_token(token) and token not in user.token_hash
    assert cli("users", "set-role", "leader@example.fi", "monitor").exit_code == 0
    assert cli("users", "disable", "leader@example.fi").exit_code == 0
    assert "leader@example.fi\tmonitor\tdisabled" in cli("users", "list").output
    actors = {e.actor for e in session.scalars(select(AuditEvent)
                                                .where(AuditEvent.table_name == "users"))}
    assert {"cli:users add", "cli:users set-role", "cli:users disable"} <= actors


def test_bad_requests_are_refused_clearly(cli, session):
    assert "not an e-mail address" in cli("users", "add", "nobody", "--role", "admin").output
    cli("users", "add", "a@example.fi", "--role", "monitor")
    again = cli("users", "add", "A@example.fi", "--role", "monitor")
    assert again.exit_code == 1 and "already exists" in again.output
    assign = cli("users", "assign", "a@example.fi", "no-such-network")
    assert assign.exit_code == 1 and "no network with id 'no-such-network'" in assign.output
    missing = cli("users", "disable", "ghost@example.fi")
    assert missing.exit_code == 1 and "no account for ghost@example.fi" in missing.output


def test_password_set_with_token_is_hashed_and_never_audited_in_clear(cli, session):
    token = _token(cli("users", "add", "m@example.fi", "--role", "monitor").output)
    user = services.set_password_with_token(session, token, "correct horse battery")
    session.commit()
    assert user.password_hash.startswith("scrypt:")
    assert "correct horse" not in user.password_hash
    for event in session.scalars(select(AuditEvent).where(AuditEvent.table_name == "users")):
        assert "correct horse" not in str(event.changes)
        if "password_hash" in event.changes:
            assert set(event.changes["password_hash"]) <= {None, "***"}
    # the token works once only
    assert services.user_for_token(session, token) is None
    signed_in = services.authenticate(session, "m@example.fi", "correct horse battery", "1.2.3.4")
    assert signed_in.user is not None and signed_in.user.role == Role.monitor


def test_throttling_after_repeated_failures_without_revealing_accounts(session):
    for _ in range(services.THROTTLE_MAX_FAILURES):
        result = services.authenticate(session, "ghost@example.fi", "wrong", "5.6.7.8")
        assert result.user is None and not result.throttled
    assert services.authenticate(session, "ghost@example.fi", "wrong", "5.6.7.8").throttled
    # another address and account are not affected
    assert not services.authenticate(session, "other@example.fi", "x", "9.9.9.9").throttled


def test_reset_password_invalidates_the_old_one(cli, session):
    token = _token(cli("users", "add", "r@example.fi", "--role", "admin").output)
    services.set_password_with_token(session, token, "first password 123")
    session.commit()
    result = cli("users", "reset-password", "r@example.fi")
    assert result.exit_code == 0
    assert services.authenticate(session, "r@example.fi", "first password 123", "x").user is None
    services.set_password_with_token(session, _token(result.output), "second password 456")
    assert services.authenticate(session, "r@example.fi", "second password 456", "x").user

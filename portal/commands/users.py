"""``tym users``: accounts, roles and network assignments (every change audited)."""

from __future__ import annotations

import click

from portal.commands.state import pass_state
from portal.registry.audit.recorder import Actor, set_actor
from portal.registry.users import services
from portal.registry.users.models import Role


def _run(state, command: str, action):
    """Run ``action(session)`` in one audited transaction; user errors exit cleanly."""
    try:
        with state.get_database().transaction() as session:
            set_actor(session, Actor(f"cli:users {command}"))
            return action(session)
    except services.UserError as exc:
        raise click.ClickException(str(exc)) from None


def _user(session, email: str):
    user = services.find_user(session, email)
    if user is None:
        raise services.UserError(f"no account for {email}")
    return user


def _invite_url(state, token: str) -> str:
    base = state.get_settings().get("PUBLIC_URL", "").rstrip("/")
    return f"{base}/account/set-password/{token}"


@click.group()
def users() -> None:
    """Manage accounts: admins, monitors and network editors."""


@users.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="", help="Display name.")
@click.option("--network", "networks", multiple=True, help="Network id (editors; repeatable).")
@pass_state
def add(state, email: str, role: str, name: str, networks: tuple[str, ...]) -> None:
    """Create an account and print its one-time invitation link (valid 7 days)."""
    def action(session):
        user, token = services.add_user(session, email, role, name)
        for network_id in networks:
            services.assign(session, user, network_id)
        return user.email, token

    email, token = _run(state, "add", action)
    click.echo(f"created {email} ({role})")
    click.echo(f"invitation link (shown once): {_invite_url(state, token)}")


@users.command("list")
@pass_state
def list_cmd(state) -> None:
    """List accounts with role, status and assigned networks."""
    with state.get_database().transaction() as session:
        for user in services.list_users(session):
            status = "active" if user.active else "disabled"
            password = "password set" if user.password_hash else "invited"
            networks = ",".join(a.network_id for a in user.assignments) or "-"
            click.echo(f"{user.email}\t{user.role.value}\t{status}\t{password}\t{networks}")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@pass_state
def set_role(state, email: str, role: str) -> None:
    """Change an account's role (signs the account out everywhere)."""
    _run(state, "set-role", lambda s: services.set_role(s, _user(s, email), role))
    click.echo(f"{email} is now {role}")


@users.command("assign")
@click.argument("email")
@click.argument("network_id")
@click.option("--remove", is_flag=True, help="Remove the assignment instead.")
@pass_state
def assign(state, email: str, network_id: str, remove: bool) -> None:
    """Let an editor edit a network (or stop, with --remove)."""
    fn = services.unassign if remove else services.assign
    _run(state, "assign", lambda s: fn(s, _user(s, email), network_id))
    click.echo(f"{email} {'no longer edits' if remove else 'edits'} {network_id}")


@users.command("disable")
@click.argument("email")
@pass_state
def disable(state, email: str) -> None:
    """Disable an account (signs it out everywhere)."""
    _run(state, "disable", lambda s: services.disable(s, _user(s, email)))
    click.echo(f"{email} disabled")


@users.command("reset-password")
@click.argument("email")
@pass_state
def reset_password(state, email: str) -> None:
    """Invalidate the password and print a one-time link to set a new one."""
    token = _run(state, "reset-password", lambda s: services.issue_reset(s, _user(s, email)))
    click.echo(f"password reset link for {email} (shown once): {_invite_url(state, token)}")

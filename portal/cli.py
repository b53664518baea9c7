"""The ``tym`` command: database, loading, serving. Each command is a thin adapter over
the registry, geodata and etl functions; every command is registered by hand below."""

from __future__ import annotations

import datetime as dt

import click

from portal.commands.etl import etl
from portal.commands.ops import backup, env_example, restore
from portal.commands.scheduler import scheduler
from portal.commands.state import CliState, pass_state
from portal.commands.users import users
from portal.registry.audit.recorder import Actor
from portal.settings import settings_markdown


def _parse_date(_ctx, _param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (use YYYY-MM-DD)") from None


@click.group()
@click.option("--database-url", envvar=None, default=None,
              help="Override TYM_DATABASE_URL for this command.")
@click.pass_context
def main(ctx: click.Context, database_url: str | None) -> None:
    """tym-portal: national registry and monitoring portal for TYM networks."""
    state = ctx.ensure_object(CliState)
    if database_url:
        state.overrides["DATABASE_URL"] = database_url


# --- settings -------------------------------------------------------------------------

@main.command("settings")
@click.option("--markdown", is_flag=True, help="Print the settings reference as Markdown.")
@pass_state
def settings_cmd(state: CliState, markdown: bool) -> None:
    """Show every setting and its current value."""
    if markdown:
        click.echo(settings_markdown(), nl=False)
        return
    for name, value in state.get_settings().items():
        shown = "***" if name == "SECRET_KEY" else value
        click.echo(f"{name} = {shown}")


# --- db -------------------------------------------------------------------------------

@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@pass_state
def db_upgrade(state: CliState, revision: str) -> None:
    """Apply migrations up to REVISION."""
    from portal.migrations.runner import upgrade

    upgrade(state.get_database(), revision)
    click.echo(f"database at {revision}")


@db.command("check")
@pass_state
def db_check(state: CliState) -> None:
    """Fail if the models and the migrations disagree or the database is not at head."""
    from portal.migrations.runner import MigrationProblem, check

    try:
        check(state.get_database())
    except MigrationProblem as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("schema matches the models and is at head")


# --- load -----------------------------------------------------------------------------

@main.group()
def load() -> None:
    """Load reference data, boundaries and the network registry."""


@load.command("reference")
@click.option("--source", default=None,
              help="`snapshot`, a snapshot directory, or the classification API base URL "
                   "(default: TYM_REFERENCE_SOURCE).")
@click.option("--date", "on", callback=_parse_date, default=None,
              help="With the classification API: the classification date (default 2025-01-01).")
@pass_state
def load_reference(state: CliState, source: str | None, on: dt.date | None) -> None:
    """Load the reference geography (idempotent: a second load changes nothing)."""
    from portal.registry.geography.loading import LoadFailed, load_reference_data

    settings = state.get_settings()
    try:
        report = load_reference_data(state.get_database(), settings,
                                     source or settings["REFERENCE_SOURCE"], on,
                                     actor=Actor("cli:load reference"))
    except LoadFailed as exc:
        raise click.ClickException(f"reference data not loaded, nothing changed:\n{exc}") from None
    click.echo(report.summary())
    click.echo(f"{report.changed} changes")


@load.command("boundaries")
@click.option("--source", default=None,
              help="WFS base URL or a local GeoJSON/GeoPackage/Shapefile path "
                   "(default: TYM_BOUNDARIES_SOURCE).")
@click.option("--year", type=int, default=None, help="Vintage (default: TYM_BOUNDARIES_YEAR).")
@pass_state
def load_boundaries(state: CliState, source: str | None, year: int | None) -> None:
    """Load municipality boundaries, dissolve them into areas, store web geometry."""
    from portal.registry.geography.boundaries import BoundaryLoadFailed, load_boundaries_into

    settings = state.get_settings()
    try:
        result = load_boundaries_into(
            state.get_database(), settings,
            source=source or settings["BOUNDARIES_SOURCE"],
            year=year or settings["BOUNDARIES_YEAR"],
            actor=Actor("cli:load boundaries"))
    except BoundaryLoadFailed as exc:
        raise click.ClickException(f"boundaries not loaded, nothing changed:\n{exc}") from None
    click.echo(result.summary())


@load.command("registry")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--replace", is_flag=True,
              help="Replace a registry of the other kind (real data by synthetic or back).")
@pass_state
def load_registry_cmd(state: CliState, path: str, replace: bool) -> None:
    """Replace the network registry with the tym-registry/1 bundle PATH (all or nothing)."""
    from portal.registry.audit.recorder import Actor, set_actor
    from portal.registry.bundle.load import LoadRefused, load_registry, read_bundle

    try:
        document = read_bundle(path)
        with state.get_database().transaction() as session:
            set_actor(session, Actor("cli:load registry"))
            report = load_registry(session, document, replace=replace)
    except LoadRefused as exc:
        raise click.ClickException(_not_loaded(exc.problems)) from None
    click.echo(report.summary())


def _not_loaded(problems: list[str]) -> str:
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return f"registry not loaded, nothing changed ({count}):\n" + "\n".join(problems)


# --- export ---------------------------------------------------------------------------

@main.group("export")
def export_group() -> None:
    """Export data."""


@export_group.command("registry")
@click.argument("path")
@pass_state
def export_registry_cmd(state: CliState, path: str) -> None:
    """Write the whole network registry as a tym-registry/1 bundle to PATH (- for stdout)."""
    from portal.registry.bundle.export import RegistryMixed, dump, export_registry

    try:
        with state.get_database().transaction() as session:
            document = export_registry(session)
    except RegistryMixed as exc:
        raise click.ClickException(str(exc)) from None
    if path == "-":
        click.echo(dump(document), nl=False)
        return
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(dump(document))
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None
    click.echo(f"wrote {len(document['networks'])} networks and "
               f"{len(document['typ_networks'])} TYP networks to {path}")


# --- demo -----------------------------------------------------------------------------

@main.command("demo")
@click.option("--replace", is_flag=True, help="Replace a registry that holds real data.")
@pass_state
def demo_cmd(state: CliState, replace: bool) -> None:
    """Load the synthetic demonstration registry (every record flagged synthetic)."""
    from portal.registry.audit.recorder import Actor, set_actor
    from portal.registry.bundle.load import LoadRefused
    from portal.registry.demo import load_demo

    try:
        with state.get_database().transaction() as session:
            set_actor(session, Actor("cli:demo"))
            report = load_demo(session, replace=replace)
    except LoadRefused as exc:
        raise click.ClickException(_not_loaded(exc.problems)) from None
    click.echo(report.summary())


# --- geo ------------------------------------------------------------------------------

@main.command("members")
@click.argument("level", type=click.Choice(["county", "employment_area"]))
@click.argument("code")
@click.option("--on", callback=_parse_date, default="2025-01-01", show_default=True)
@pass_state
def members_cmd(state: CliState, level: str, code: str, on: dt.date) -> None:
    """List the municipalities that belonged to a county or employment area on a date."""
    from portal.registry.geography.models import Level
    from portal.registry.geography.services import UnknownArea, get_unit, members_on

    with state.get_database().transaction() as session:
        try:
            get_unit(session, Level(level), code)
        except UnknownArea as exc:
            raise click.ClickException(str(exc)) from None
        for m in members_on(session, Level(level), code, on):
            click.echo(f"{m.code}\t{m.name_fi}\t{m.name_sv}")


# --- serve ----------------------------------------------------------------------------

@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@pass_state
def serve(state: CliState, host: str, port: int) -> None:
    """Run the portal with the development server (production: gunicorn, see deploy/)."""
    from portal import create_app

    app = create_app(state.get_settings(), state.database)
    app.run(host=host, port=port, debug=False, use_reloader=False)


main.add_command(users)
main.add_command(backup)
main.add_command(restore)
main.add_command(env_example)
main.add_command(etl)
main.add_command(scheduler)


if __name__ == "__main__":  # pragma: no cover
    main(prog_name="tym")

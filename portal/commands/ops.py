"""``tym backup``, ``tym restore`` and ``tym env-example``: thin adapters over portal.ops."""

from __future__ import annotations

import click

from portal.commands.state import CliState, pass_state


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@pass_state
def backup(state: CliState, path: str) -> None:
    """Write the whole database to PATH (PostgreSQL: pg_dump custom format; SQLite: a copy).

    Safe while the portal runs: the copy is consistent."""
    from portal.ops.backup import BackupError
    from portal.ops.backup import backup as make_backup

    try:
        result = make_backup(state.get_settings()["DATABASE_URL"], path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {result.kind} backup {result.path} ({result.bytes} bytes)")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--replace", is_flag=True,
              help="Overwrite a database that already holds tables.")
@pass_state
def restore(state: CliState, path: str, replace: bool) -> None:
    """Restore the backup PATH made by `tym backup` into the database.

    Stop the web and scheduler services first; afterwards run `tym db upgrade` if the
    backup is older than the code."""
    from portal.ops.backup import BackupError
    from portal.ops.backup import restore as restore_backup

    try:
        kind = restore_backup(state.get_settings()["DATABASE_URL"], path, replace=replace)
    except BackupError as exc:
        raise click.ClickException(f"nothing restored: {exc}") from None
    click.echo(f"restored the {kind} backup {path}")


@click.command("env-example")
def env_example() -> None:
    """Print an environment file listing every setting (deploy/tym-portal.env.example)."""
    from portal.ops.envfile import env_example as render

    click.echo(render(), nl=False)

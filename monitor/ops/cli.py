"""Operations commands: ``flask --app wsgi backup | restore | maintenance``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .backup import BackupError, create_backup, restore_backup
from .startup import run_startup_tasks


@click.command("backup")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Pad van het archief (standaard instance/backups/tellen-vertellen-<tijd>.tar.gz)")
@with_appcontext
def backup_command(output: Path | None) -> None:
    """Write one consistent archive: database, uploads and a manifest with checksums."""
    try:
        result = create_backup(output)
    except BackupError as err:
        raise click.ClickException(err.message) from err
    manifest = result.manifest
    click.echo(
        f"Back-up geschreven: {result.path} ({len(manifest['tables'])} tabellen, "
        f"{sum(manifest['tables'].values())} rijen, {len(manifest['files']) - 1} bestanden)")
    for name in manifest["skipped"]:
        click.echo(f"Overgeslagen (geen gewoon bestand of verdwenen tijdens de back-up): {name}")


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Ook herstellen als de installatie niet leeg is (vervangt alles wat er staat)")
@with_appcontext
def restore_command(archive: Path, force: bool) -> None:
    """Bring a back-up archive back into an empty instance and rebuild the search index."""
    try:
        result = restore_backup(archive, force=force, echo=click.echo)
    except BackupError as err:
        raise click.ClickException(err.message) from err
    for note in result.notes:
        click.echo(f"Let op: {note}")
    click.echo(f"Hersteld: {result.tables} tabellen, {result.rows} rijen, {result.files} bestanden "
               f"(back-up van {result.manifest['created_at']}).")


@click.command("maintenance")
@with_appcontext
def maintenance_command() -> None:
    """Run the start-up reconciliation tasks of every module (safe to run any time)."""
    results = run_startup_tasks(current_app._get_current_object())
    for result in results:
        click.echo(f"{'ok' if result.ok else 'FOUT'}  {result.name}: {result.message}")
    if not results:
        click.echo("Er zijn geen onderhoudstaken geregistreerd.")
    if any(not r.ok for r in results):
        raise click.exceptions.Exit(1)

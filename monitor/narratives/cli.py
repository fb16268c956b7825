"""``flask --app wsgi search reindex | check``: rebuild the story index, or repair drift."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..extensions import db
from . import services
from .models import Story, StoryStatus


@click.group("search")
def search_cli() -> None:
    """Beheer van de zoekindex van het verhalenarchief."""


@search_cli.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Bouw de zoekindex opnieuw op uit de database (met voortgangsbalk)."""
    total = db.session.scalar(sa.select(sa.func.count(Story.id)).where(
        Story.status == StoryStatus.GEPUBLICEERD)) or 0
    with click.progressbar(length=total, label="Verhalen indexeren") as bar:
        count = services.reindex_all(progress=bar.update)
    click.echo(f"Zoekindex opnieuw opgebouwd: {count} gepubliceerde verhalen.")


@search_cli.command("check")
@click.option("--no-repair", is_flag=True, help="Alleen rapporteren, niets herstellen.")
@with_appcontext
def check_command(no_repair: bool) -> None:
    """Vergelijk de zoekindex met de database en herstel afwijkingen."""
    report = services.check_index(repair=not no_repair)
    click.echo(f"Openstaande indexupdates: {report.pending}")
    click.echo(f"Ontbrekend in de index: {len(report.missing)} {report.missing[:20] or ''}")
    click.echo(f"Verouderd in de index: {len(report.stale)} {report.stale[:20] or ''}")
    click.echo(f"Te veel in de index: {len(report.extra)} {report.extra[:20] or ''}")
    click.echo(f"Fotobestanden zonder verhaal: {report.orphan_files}")
    if report.in_sync:
        click.echo("De zoekindex klopt met de database.")
    elif report.repaired:
        click.echo("Afwijkingen hersteld.")
    else:
        click.echo("Afwijkingen gevonden (niet hersteld: --no-repair).")
        raise SystemExit(1)

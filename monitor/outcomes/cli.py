"""``flask outcomes purge [--dry-run]``: remove client data past the retention period."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..errors import DomainError

outcomes_cli = AppGroup("outcomes", help="Cliëntuitkomsten (ZRM, participatieladder).")


@outcomes_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Alleen tellen wat weg zou gaan.")
@click.option("--months", type=int, default=None,
              help="Bewaartermijn in maanden (standaard OUTCOMES_RETENTION_MONTHS).")
def purge_command(dry_run: bool, months: int | None) -> None:
    """Remove clients whose trajectories closed longer ago than the retention period."""
    from .services import purge_expired

    try:
        result = purge_expired(months=months, dry_run=dry_run)
    except DomainError as err:
        raise click.ClickException(err.message) from err
    verb = "Zou verwijderen" if dry_run else "Verwijderd"
    click.echo(f"{verb}: {result.clients} cliënten, {result.trajectories} trajecten, "
               f"{result.measurements} metingen (afgesloten op of vóór "
               f"{result.cutoff:%d-%m-%Y}); {result.facts} anonieme uitkomsten "
               f"{'zouden worden' if dry_run else 'zijn'} bewaard.")

"""Command-line interface: ``flask --app wsgi init-db | seed-demo | create-user``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from .extensions import db
from .models import Role
from .registry import registry


def run_migrations() -> None:
    """Bring the database schema to the newest revision of every branch."""
    upgrade(revision="heads")


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema (runs the migrations)."""
    run_migrations()
    click.echo(f"Database bijgewerkt: {db.engine.url.render_as_string(hide_password=True)}")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Fill the database with demo data for Hilversum (safe to run again)."""
    from .seed import seed_core

    seed_core(click.echo)
    db.session.commit()
    for _, name, seeder in registry(current_app).seeders:
        click.echo(f"Demodata: {name} …")
        seeder(click.echo)
        db.session.commit()
    click.echo("Demodata staan klaar.")


@click.command("create-user")
@with_appcontext
@click.option("--email", prompt="E-mailadres")
@click.option("--name", prompt="Naam")
@click.option("--role", type=click.Choice([r.value for r in Role]), prompt="Rol")
@click.option("--organisation", default="", help="Naam van de organisatie")
@click.option("--wijk", "wijken", multiple=True, help="Naam van een wijk (herhaalbaar)")
@click.password_option("--password", prompt="Wachtwoord", help="Minstens 12 tekens")
def create_user_command(email, name, role, organisation, wijken, password) -> None:
    """Create an account (for example the first admin)."""
    import sqlalchemy as sa

    from .admin.services import create_user
    from .errors import DomainError
    from .models import Organisation, Wijk

    org_id = None
    if organisation:
        org_id = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == organisation))
        if org_id is None:
            raise click.ClickException(f"Onbekende organisatie: {organisation}")
    wijk_ids = []
    for wijk_name in wijken:
        wijk_id = db.session.scalar(sa.select(Wijk.id).where(Wijk.name == wijk_name))
        if wijk_id is None:
            raise click.ClickException(f"Onbekende wijk: {wijk_name}")
        wijk_ids.append(wijk_id)
    try:
        user, _ = create_user(name=name, email=email, role=role, organisation_id=org_id,
                              wijk_ids=wijk_ids, password=password, must_change_password=False)
    except DomainError as err:
        raise click.ClickException(err.message) from err
    click.echo(f"Account aangemaakt: {user.email} ({user.role.label})")


def register_commands(app: Flask) -> None:
    """Add the commands to ``flask``."""
    for command in (init_db_command, seed_demo_command, create_user_command):
        app.cli.add_command(command)

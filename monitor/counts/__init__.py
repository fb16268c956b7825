"""Tellen: the thrice-yearly returns of hours and clients, from entry to approved trend.

For other modules: :func:`key_figures` gives the figures of a period for a wijk or an
organisation as outsiders may see them (counts of persons protected); :func:`main_figures`
the few of them a start page or a story shows, formatted.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import click
from flask import Flask
from flask.cli import with_appcontext

from ..registry import (
    add_after_restore,
    add_demo_seeder,
    add_home_section,
    add_job,
    add_nav,
    add_setup_check,
    add_startup_task,
)

if TYPE_CHECKING:
    from ..models import Period
    from .key_figures import KeyFigures


def key_figures(period: Period, *, wijk_id: int | None = None,
                organisation_id: int | None = None) -> KeyFigures:
    """Key figures of the approved returns of ``period`` (see :mod:`.key_figures`)."""
    from .key_figures import key_figures as compute

    return compute(period, wijk_id=wijk_id, organisation_id=organisation_id)


def main_figures(period: Period, wijk_id: int) -> list[tuple[str, str, int | None]]:
    """The main figures of a wijk in ``period`` as outsiders see them: (label, text, value).

    ``text`` is the number, "<5", "×" or "—"; ``value`` is ``None`` unless the figure is shown.
    """
    from .key_figures import key_figures as compute
    from .key_figures import main_figures as rows

    return rows(compute(period, wijk_id=wijk_id))


def init_app(app: Flask) -> None:
    """Register the blueprints (screens and API), navigation, home tasks, demo data and CLI."""
    from .models import ReturnStatus

    # Templates compare statuses through the enum, never a raw string.
    app.add_template_global(ReturnStatus, "ReturnStatus")
    from ..extensions import csrf
    from . import (  # noqa: F401  (tables, policy, and the view modules' routes on the blueprint)
        annual,
        breakdown_admin,
        breakdown_views,
        dossier,
        models,
        notices,
        permissions,
        planned_views,
        registration_views,
        trail,
        views,
        werkgebied_views,
        year_views,
    )
    from .api import bp as api_bp
    from .blueprint import bp
    from .home import approval_section, returns_section, trends_section
    from .seed import seed_demo_returns
    from .setup import setup_checks

    app.register_blueprint(bp)
    app.add_template_global(year_views.year_figure_open, "year_figure_open")
    app.add_template_global(trail.trail_rows, "audit_rows")
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # machine clients authenticate with a bearer token, not a session
    add_nav(app, "Tellen", "counts.index", "counts.index", 20)
    add_home_section(app, returns_section)
    add_home_section(app, approval_section)
    add_home_section(app, trends_section)
    add_demo_seeder(app, 30, "opgaven (Tellen)", seed_demo_returns)
    add_setup_check(app, 20, "Tellen", setup_checks)
    dossier.register(app)
    annual.register(app)
    notices.register(app)
    app.cli.add_command(lock_command)
    # Lock approved returns once their period's lock date has passed (shortly after midnight).
    add_job(app, "opgaven vergrendelen", _lock_job, every=timedelta(days=1), offset=timedelta(minutes=5))
    # Uploads of imports never finished (mapping page left): gone after a day.
    add_job(app, STAGING_JOB, _staging_job, every=timedelta(hours=1), offset=timedelta(minutes=20))
    # The protected publication tables, shared by every worker: brought up to date after an
    # approval or reopening (asked for by the service) and hourly; computed anew after a restore.
    from .publication import after_restore, refresh_tables
    from .publication_store import JOB, store_pending

    app.teardown_appcontext(store_pending)  # what a reader computed, once its session is closed
    add_job(app, JOB, refresh_tables, every=timedelta(hours=1), offset=timedelta(minutes=40))
    # And when the job worker starts (after a deploy, an import in bulk or the demo data), so
    # no raadslid's first page computes them; cheap when nothing changed.
    add_startup_task(app, "publicatietabellen", refresh_tables, order=70)
    add_after_restore(app, "publicatietabellen", after_restore)


STAGING_JOB = "tellen: onafgemaakte imports opruimen"


def _staging_job(now) -> str:
    from flask import current_app

    from .imports import remove_abandoned

    hours = current_app.config["COUNTS_IMPORT_STAGING_HOURS"]
    return f"{remove_abandoned(now, timedelta(hours=hours))} onafgemaakte import(s) verwijderd"


def _lock_job(now) -> str:
    from ..timeutil import local
    from .services import lock_due_returns

    return f"{lock_due_returns(local(now).date())} opgave(n) vergrendeld"


@click.command("counts-lock")
@with_appcontext
def lock_command() -> None:
    """Lock approved returns whose period's lock date has passed."""
    from .services import lock_due_returns

    click.echo(f"{lock_due_returns()} opgaven vergrendeld.")

"""Client outcomes (QIM, qualitative part): ZRM and participatieladder against the targets."""

from __future__ import annotations

import os
from datetime import timedelta

from flask import Flask, url_for

from ..registry import HomeSection, HomeTask, add_demo_seeder, add_home_section, add_job, add_nav


def _home(user) -> HomeSection | None:
    from ..permissions import can
    from .services import tasks_for

    if not can(user, "outcomes.client_edit") or user.organisation_id is None:
        return None
    tasks = [HomeTask(t.title, url_for("outcomes.client", client_id=t.trajectory.client_id),
                      t.detail, t.urgency) for t in tasks_for(user)]
    shown = 25
    if len(tasks) > shown:
        rest = len(tasks) - shown
        tasks = tasks[:shown] + [HomeTask(f"en nog {rest} andere trajecten",
                                          url_for("outcomes.clients"))]
    return HomeSection("Metingen van uw cliënten", tasks,
                       empty_text="Al uw trajecten hebben de metingen die nodig zijn.", order=40)


def init_app(app: Flask) -> None:
    """Register the outcomes blueprint, navigation, home tasks, demo data and CLI."""
    from .models import Instrument

    # Templates compare the instrument through the enum, never a raw string.
    app.add_template_global(Instrument, "Instrument")
    from . import dossier, models, permissions  # noqa: F401  (tables and policy known)
    from .cli import outcomes_cli
    from .seed import seed_demo_outcomes
    from .views import bp

    app.config.setdefault("OUTCOMES_RETENTION_MONTHS",
                          int(os.environ.get("MONITOR_OUTCOMES_RETENTION_MONTHS", "24")))
    # Key of the organisations' client-number hashes (references.py); default SECRET_KEY.
    app.config.setdefault("PSEUDONYM_SECRET", os.environ.get("MONITOR_PSEUDONYM_SECRET") or None)
    app.config.setdefault("OUTCOMES_INTERMEDIATE_MONTHS",
                          int(os.environ.get("MONITOR_OUTCOMES_INTERMEDIATE_MONTHS", "6")))
    app.register_blueprint(bp)
    add_nav(app, "Uitkomsten", "outcomes.report", "outcomes.report", 50)
    add_nav(app, "Cliënten", "outcomes.clients", "outcomes.client_view", 51)
    add_home_section(app, _home)
    add_demo_seeder(app, 50, "cliënten en uitkomsten (ZRM, participatieladder)",
                    seed_demo_outcomes)
    app.cli.add_command(outcomes_cli)
    dossier.register(app)
    from . import annual

    annual.register(app)
    # The retention purge every night at 03:00 (also by hand: flask outcomes purge).
    add_job(app, "bewaartermijn cliëntgegevens", _purge_job, every=timedelta(days=1),
            offset=timedelta(hours=3))
    # Deleted measurements past OUTCOMES_UNDO_DAYS: erased for good (docs/privacy.md).
    add_job(app, "verwijderde metingen wissen", _purge_deleted_job, every=timedelta(hours=1),
            offset=timedelta(minutes=40))


def _purge_deleted_job(now) -> str:
    from .records import purge_deleted_measurements

    return purge_deleted_measurements(now)


def _purge_job(now) -> str:
    from ..timeutil import local
    from .services import purge_expired

    result = purge_expired(today=local(now).date())
    return (f"{result.clients} cliënt(en) verwijderd (afgesloten op of vóór "
            f"{result.cutoff:%d-%m-%Y})")

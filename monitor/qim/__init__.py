"""QIM: qualities and stakeholders per buurt and their judgements (client outcomes: monitor.outcomes).

For other modules: :func:`wijk_results` gives the results per quality for a wijk's
buurten in a period (:func:`wijk_results_for` masked as a given viewer sees them), :func:`rounds_lacking_judgements` which buurten still lack
judgements in that period. The monitorgesprek section is in :mod:`.dossier`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from .results import MissingRound, WijkResults


def wijk_results(wijk_id: int, period_id: int) -> WijkResults | None:
    """Results per quality for the buurten of a wijk in a period (see :mod:`.results`)."""
    from .results import wijk_results as compute

    return compute(wijk_id, period_id)


def wijk_results_for(user, wijk_id: int, period_id: int) -> WijkResults | None:
    """:func:`wijk_results` as ``user`` sees them on the QIM wijk page: small groups masked
    for those who may not read the motivations (outsiders of the wijk)."""
    from ..permissions import can
    from .results import protect_wijk
    from .results import wijk_results as compute

    data = compute(wijk_id, period_id)
    if data is not None and not can(user, "qim.motivations", data.wijk):
        protect_wijk(data)
    return data


def rounds_lacking_judgements(wijk_id: int, period_id: int) -> list[MissingRound]:
    """Buurten of a wijk whose round in a period is missing or lacks judgements."""
    from .results import rounds_lacking_judgements as compute

    return compute(wijk_id, period_id)


def init_app(app: Flask) -> None:
    """Register the QIM blueprint, navigation, home tasks and demo data."""
    from .models import PlanStatus

    # Templates compare statuses through the enum, never a raw string.
    app.add_template_global(PlanStatus, "PlanStatus")
    from ..registry import add_demo_seeder, add_home_section, add_nav
    from . import (
        dossier,
        models,  # noqa: F401  (tables known to migrations)
        permissions,  # noqa: F401  (policy entries)
    )
    from .home import home_section
    from .seed import seed_demo_qim
    from .views import bp

    app.register_blueprint(bp)
    add_nav(app, "Kwaliteiten (QIM)", "qim.index", "qim.view", 30)
    add_home_section(app, home_section)
    add_demo_seeder(app, 40, "QIM-plannen en oordelen", seed_demo_qim)
    dossier.register(app)
    from . import annual

    annual.register(app)
    register_notifications(app)


def register_notifications(app: Flask) -> None:
    """Links by e-mail and their reminder (a job); stakeholders have no account or preferences."""
    from datetime import timedelta

    from ..registry import NotificationKind, add_job, add_notification_kind
    from .services.mailing import LINK, REMINDER, remind_links

    add_notification_kind(app, NotificationKind(LINK, "QIM: persoonlijke link (stakeholders)",
                                                "Een persoonlijke link om een oordeel te geven.", required=True))
    add_notification_kind(app, NotificationKind(REMINDER, "QIM: herinnering persoonlijke link (stakeholders)",
                                                "Eén herinnering kort voordat de link verloopt.", required=True))
    add_job(app, "qim: herinneringen oordeellinks", remind_links, every=timedelta(hours=1))

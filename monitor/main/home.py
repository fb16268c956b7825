"""Home-page sections of the foundation: the cycle's next deadline, the set-up checklist."""

from __future__ import annotations

from datetime import date

from flask import url_for

from ..models import User
from ..periods import next_deadline
from ..permissions import oversees_accounts
from ..registry import HomeSection, HomeTask, SetupCheck, registry
from ..timeutil import format_date


def period_section(user: User) -> HomeSection | None:
    """Where we are in the cycle: the next return deadline and monitorgesprek month."""
    today = date.today()
    period = next_deadline(today)
    if period is None:
        return HomeSection("De cyclus", [], "Er zijn nog geen perioden aangemaakt.", order=10)
    days = (period.deadline - today).days
    task = HomeTask(
        title=f"Periode {period.label} ({period.covers})",
        detail=(
            f"Opgaven uiterlijk {format_date(period.deadline)} "
            f"({'vandaag' if days == 0 else f'over {days} dagen'}); "
            f"monitorgesprekken in {period.label}."
        ),
        urgency="warning" if days <= 14 else "info",
    )
    return HomeSection("De cyclus", [task], order=10)


def setup_status() -> list[tuple[str, list[SetupCheck]]]:
    """Every module's set-up checks, in registry order: ``[(module, [check, ...]), ...]``."""
    return [(entry.module, list(entry.producer())) for entry in registry().setup_checks]


def setup_section(user: User) -> HomeSection | None:
    """For the beheerder: what each module still misses before the installation works."""
    if not oversees_accounts(user):
        return None
    status = setup_status()
    checks = [(module, check) for module, items in status for check in items]
    tasks = [
        HomeTask(title=f"{module}: {check.title}", url=check.url,
                 detail=" ".join(check.missing), urgency="warning")
        for module, check in checks if not check.done
    ]
    if tasks:
        done = sum(1 for _, check in checks if check.done)
        tasks.append(HomeTask(title="De hele inrichtingschecklist", url=url_for("main.setup"),
                              detail=f"{done} van de {len(checks)} onderdelen zijn klaar."))
    return HomeSection(
        "Inrichting", tasks,
        f"Alle {len(checks)} onderdelen van de inrichtingschecklist zijn klaar.", order=90)

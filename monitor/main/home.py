"""Home-page sections of the foundation: the cycle's next deadline, set-up gaps."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import url_for

from ..extensions import db
from ..models import User
from ..periods import next_deadline
from ..permissions import incomplete_scope, oversees_accounts
from ..registry import HomeSection, HomeTask
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


def setup_section(user: User) -> HomeSection | None:
    """For the admin: accounts that cannot work because their scope is incomplete."""
    if not oversees_accounts(user):
        return None
    users = db.session.scalars(
        sa.select(User).where(User.active.is_(True)).order_by(User.name)
    ).all()
    tasks = []
    for other in users:
        problem = incomplete_scope(other)
        if problem:
            tasks.append(HomeTask(
                title=f"{other.name}: {problem}",
                url=url_for("admin.user_edit", user_id=other.id),
                urgency="warning",
            ))
    return HomeSection("Inrichting", tasks, "Alle accounts zijn compleet ingericht.", order=90)

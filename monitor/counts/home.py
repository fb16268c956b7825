"""Home-page tasks of Tellen: returns due, overdue or returned; returns awaiting approval."""

from __future__ import annotations

from datetime import date

from flask import url_for

from ..models import User
from ..registry import HomeSection, HomeTask
from ..timeutil import format_date
from . import services
from .permissions import enters_returns, reviews_returns


def returns_section(user: User) -> HomeSection | None:
    """Social workers: their organisation's returns in their wijken that need something."""
    if not enters_returns(user):
        return None
    today = date.today()
    tasks = []
    for row in services.board(user.organisation_id, user.wijk_ids, today, recent=1):
        ret = row.ret
        if ret is not None and not ret.status.editable:
            continue
        if row.period.deadline > today and ret is None and (row.period.deadline - today).days > 30:
            continue  # far from due: no task yet
        url = url_for("counts.edit", period_id=row.period.id, wijk_id=row.wijk.id)
        title = f"Opgave {row.wijk.name}, {row.period.label}"
        if ret is not None and ret.status.value == "teruggestuurd":
            tasks.append(HomeTask(f"{title}: teruggestuurd", url,
                                  f"Vraag van de gemeente: {ret.return_reason}", "error" if row.overdue else "warning"))
        elif row.overdue:
            tasks.append(HomeTask(f"{title}: te laat", url,
                                  f"De deadline was {format_date(row.period.deadline)}.", "error"))
        else:
            state = "concept" if ret else "nog niet begonnen"
            tasks.append(HomeTask(f"{title}: {state}", url,
                                  f"Uiterlijk {format_date(row.period.deadline)} indienen.", "info"))
    return HomeSection("Opgaven (Tellen)", tasks, "Er wachten geen opgaven op u.", order=20)


def approval_section(user: User) -> HomeSection | None:
    """Accounthouders: submitted returns awaiting approval."""
    if not reviews_returns(user):
        return None
    tasks = [HomeTask(f"{r.organisation.name}: {r.area.name}, {r.period.label}",
                      url_for("counts.detail", return_id=r.id),
                      f"Ingediend {format_date(r.submitted_at)}; wacht op goedkeuring.", "warning")
             for r in services.awaiting_approval()]
    return HomeSection("Opgaven om te beoordelen", tasks, "Er wachten geen opgaven op goedkeuring.", order=20)


def trends_section(user: User) -> HomeSection | None:
    """Council members: per wijk the main figures of the latest period, with arrows."""
    from .behind import wijk_trends
    from .permissions import shows_wijk_trends

    if not shows_wijk_trends(user):
        return None
    table = wijk_trends(user, date.today())
    return HomeSection("De wijken in cijfers", [], "Er zijn nog geen goedgekeurde opgaven.", order=50,
                       tables=[table] if table else [],
                       more=("Naar het dashboard", url_for("counts.dashboard")))

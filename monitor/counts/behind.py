"""The council's view of Tellen: the trend of a wijk's main figures, the stories behind a number."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import Period, User, Wijk
from ..permissions import wijk_ids_in_scope
from ..registry import HomeTable, Trend
from .key_figures import MAIN_FIGURES, key_figures, main_figures
from .models import CountReturn
from .overview import started_periods
from .publication import APPROVED


def latest_reported(today: date) -> Period | None:
    """The newest begun period with approved returns (the one a trend ends in)."""
    with_returns = set(db.session.scalars(
        sa.select(CountReturn.period_id).where(CountReturn.status.in_(APPROVED)).distinct()))
    return next((p for p in started_periods(today) if p.id in with_returns), None)


def previous_period(period: Period) -> Period | None:
    year, tertial = (period.year, period.tertial - 1) if period.tertial > 1 else (period.year - 1, 3)
    return db.session.scalar(sa.select(Period).where(Period.year == year, Period.tertial == tertial))


def trend(now_text: str, now: int | None, before: int | None, before_text: str) -> Trend:
    """The figure with an arrow since the previous period, when both are shown."""
    if now is None or before is None:
        why = "niet te vergelijken met de vorige periode" if now_text != "—" else ""
        return Trend(now_text, "", why)
    if now > before:
        return Trend(now_text, "up", f"gestegen van {before_text}")
    if now < before:
        return Trend(now_text, "down", f"gedaald van {before_text}")
    return Trend(now_text, "same", "gelijk aan de vorige periode")


def wijk_trends(user: User, today: date) -> HomeTable | None:
    """Per wijk in the user's scope the main figures of the latest period with their trend."""
    period = latest_reported(today)
    if period is None:
        return None
    before = previous_period(period)
    scope = wijk_ids_in_scope(user)
    wijken = db.session.scalars(sa.select(Wijk).where(Wijk.active.is_(True)).order_by(Wijk.name))
    rows: list[list[Any]] = []
    for wijk in wijken:
        if scope is not None and wijk.id not in scope:
            continue
        now = main_figures(key_figures(period, wijk_id=wijk.id))
        then = main_figures(key_figures(before, wijk_id=wijk.id)) if before else [("", "—", None)] * len(now)
        rows.append([wijk.name] + [trend(text, value, old, old_text)
                                   for (_, text, value), (_, old_text, old) in zip(now, then, strict=True)])
    note = (f"Goedgekeurde opgaven van {period.covers}; de pijl vergelijkt met "
            f"{before.covers if before else 'de vorige periode'}. <5: minder dan 5 personen; ×: afgeschermd "
            "zodat een klein aantal elders niet terug te rekenen is; dan staat er geen pijl.")
    return HomeTable(f"Kerncijfers per wijk, {period.label}", ["Wijk"] + [label for _, label in MAIN_FIGURES],
                     rows, numeric=list(range(1, len(MAIN_FIGURES) + 1)), note=note)


def stories_for(user: Any, wijk_id: int | None, first: Period, last: Period) -> list[dict[str, Any]] | None:
    """The stories behind the dashboard's figures of one wijk (``None`` without a wijk)."""
    if wijk_id is None:
        return None
    from ..narratives import stories_behind

    start, end = min(first.start, last.start), max(first.end, last.end)
    return stories_behind(user, wijk_id, start, end)

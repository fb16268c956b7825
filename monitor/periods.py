"""Period lookups and creation shared by every module."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from .extensions import db
from .models import SESSION_MONTH, Period


def default_deadline(year: int, tertial: int) -> date:
    """Returns are due on the 15th of the month the period is discussed in."""
    return date(year, SESSION_MONTH[tertial], 15)


def ensure_periods(first_year: int, last_year: int) -> list[Period]:
    """Create the missing periods of ``first_year``..``last_year`` (no commit)."""
    existing = {
        (p.year, p.tertial): p
        for p in db.session.scalars(
            sa.select(Period).where(Period.year.between(first_year, last_year))
        )
    }
    result = []
    for year in range(first_year, last_year + 1):
        for tertial in (1, 2, 3):
            period = existing.get((year, tertial))
            if period is None:
                deadline = default_deadline(year, tertial)
                period = Period(year=year, tertial=tertial, deadline=deadline,
                                lock_date=deadline + timedelta(weeks=6))
                db.session.add(period)
            result.append(period)
    return result


def period_containing(day: date) -> Period | None:
    """The period whose months include ``day``."""
    tertial = (day.month - 1) // 4 + 1
    return db.session.scalar(
        sa.select(Period).where(Period.year == day.year, Period.tertial == tertial)
    )


def next_deadline(day: date) -> Period | None:
    """The first period whose return deadline is on or after ``day``."""
    return db.session.scalar(
        sa.select(Period).where(Period.deadline >= day).order_by(Period.deadline).limit(1)
    )


def all_periods(descending: bool = True) -> list[Period]:
    """Every period, newest first by default."""
    order = (Period.year.desc(), Period.tertial.desc()) if descending else (
        Period.year, Period.tertial)
    return list(db.session.scalars(sa.select(Period).order_by(*order)))

"""Period lookups and creation shared by every module."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from .extensions import db
from .models import SESSION_MONTH, TERTIAL_MONTHS, Period


def default_deadline(year: int, tertial: int) -> date:
    """Returns are due on the 15th of the month the period is discussed in."""
    return DeadlineRule().deadline(year, tertial)


@dataclass(frozen=True)
class DeadlineRule:
    """How a year's deadlines and lock dates follow from its tertials.

    ``mode`` ``"vast"``: the deadline is day ``day`` of the month the period is discussed in
    (May, September, December, as in the seeds); ``"na_einde"``: ``days_after_end`` days
    after the period's last day. The lock date is ``lock_days`` after the deadline.
    """

    mode: str = "vast"
    day: int = 15
    days_after_end: int = 14
    lock_days: int = 42

    def deadline(self, year: int, tertial: int) -> date:
        if self.mode == "na_einde":
            return tertial_end(year, tertial) + timedelta(days=self.days_after_end)
        month = SESSION_MONTH[tertial]
        return date(year, month, min(self.day, calendar.monthrange(year, month)[1]))

    def lock_date(self, year: int, tertial: int) -> date:
        return self.deadline(year, tertial) + timedelta(days=self.lock_days)


def tertial_end(year: int, tertial: int) -> date:
    """The last day of a tertial."""
    last = TERTIAL_MONTHS[tertial][1]
    return date(year, last, calendar.monthrange(year, last)[1])


def current_and_next(day: date) -> list[tuple[int, int]]:
    """``(year, tertial)`` of the tertial containing ``day`` and of the one after it."""
    tertial = (day.month - 1) // 4 + 1
    following = (day.year, tertial + 1) if tertial < 3 else (day.year + 1, 1)
    return [(day.year, tertial), following]


def find_period(year: int, tertial: int) -> Period | None:
    """The period of ``year`` and ``tertial``, if it exists."""
    return db.session.scalar(sa.select(Period).where(Period.year == year, Period.tertial == tertial))


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
                rule = DeadlineRule()
                period = Period(year=year, tertial=tertial, deadline=rule.deadline(year, tertial),
                                lock_date=rule.lock_date(year, tertial))
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

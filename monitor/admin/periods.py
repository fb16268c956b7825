"""Creating a year's periods from a deadline rule, with a preview (the beheerder's use case)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from .. import audit
from ..errors import DomainError
from ..extensions import db
from ..models import Period, User
from ..periods import DeadlineRule

FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass
class PlannedPeriod:
    """One tertial of the preview: the dates the rule gives, or the period that exists."""

    year: int
    tertial: int
    deadline: date
    lock_date: date
    existing: Period | None = None

    @property
    def period(self) -> Period:
        """An unsaved period, for its label and months."""
        return self.existing or Period(year=self.year, tertial=self.tertial,
                                       deadline=self.deadline, lock_date=self.lock_date)


def check_rule(rule: DeadlineRule) -> None:
    """:raise DomainError: a rule whose numbers make no sense."""
    if rule.mode not in ("vast", "na_einde"):
        raise DomainError("Kies hoe de deadline wordt bepaald.", "mode")
    if rule.mode == "vast" and not 1 <= rule.day <= 31:
        raise DomainError("Kies een dag tussen 1 en 31.", "day")
    if rule.mode == "na_einde" and not 0 <= rule.days_after_end <= 120:
        raise DomainError("Kies tussen 0 en 120 dagen na het einde van de periode.", "days_after_end")
    if not 0 <= rule.lock_days <= 365:
        raise DomainError("Kies tussen 0 en 365 dagen na de deadline.", "lock_days")


def plan_year(year: int, rule: DeadlineRule) -> list[PlannedPeriod]:
    """The three tertials of ``year`` with the rule's dates; existing periods are marked.

    :raise DomainError: a year out of range or a rule that makes no sense.
    """
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DomainError(f"Kies een jaar tussen {FIRST_YEAR} en {LAST_YEAR}.", "year")
    check_rule(rule)
    existing = {p.tertial: p for p in db.session.scalars(sa.select(Period).where(Period.year == year))}
    return [PlannedPeriod(year, tertial, rule.deadline(year, tertial), rule.lock_date(year, tertial),
                          existing.get(tertial)) for tertial in (1, 2, 3)]


def create_year(year: int, rule: DeadlineRule, by: User | None = None) -> list[Period]:
    """Create the tertials of ``year`` that do not exist yet, with the rule's dates (audited).

    :raise DomainError: every tertial of the year exists already (another beheerder may
        just have made them), or the year or rule is out of range.
    """
    planned = plan_year(year, rule)
    new = [p for p in planned if p.existing is None]
    if not new:
        raise DomainError(f"De perioden van {year} bestaan al. Wijzig een periode in de lijst "
                          "als een deadline anders moet.", "year")
    created = []
    for item in new:
        period = Period(year=year, tertial=item.tertial, deadline=item.deadline, lock_date=item.lock_date)
        db.session.add(period)
        created.append(period)
    try:
        db.session.flush()
    except sa.exc.IntegrityError as err:
        db.session.rollback()
        raise DomainError(f"Een periode van {year} is zojuist door iemand anders aangemaakt. "
                          "Bekijk het voorbeeld opnieuw.", "year") from err
    for period in created:
        audit.record("period.create", period, actor=by, summary=period.label,
                     new={"year": period.year, "tertial": period.tertial,
                          "deadline": period.deadline, "lock_date": period.lock_date})
    db.session.commit()
    return created


def suggested_year(today: date) -> int:
    """The first year from this one on that still misses a tertial."""
    year = today.year
    while year < LAST_YEAR and db.session.scalar(
            sa.select(sa.func.count(Period.id)).where(Period.year == year)) == 3:
        year += 1
    return year

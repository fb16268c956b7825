"""Planned hours per wijk, for organisations whose budget is per wijk (issue 18 §2).

The organisation's planned hours per week per specialism (``PlannedHours``) stay its whole
budget. Where the budget is split over wijken, the accounthouder enters the split here; a
wijk's split may not exceed the organisation's total for that specialism (the rest is not
split, e.g. city-wide work). A dashboard for one wijk then shows planned hours from the
splits — of the organisations that have one, said so beside the chart — and a first
return is checked against its wijk's split instead of an even spread.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .. import audit
from ..errors import DomainError
from ..extensions import db
from ..models import Organisation, Specialism, Wijk


class PlannedWijkHours(db.Model):
    """Budgeted hours per week of a specialism of an organisation in one wijk in a year."""

    __tablename__ = "count_planned_wijk_hours"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "wijk_id", "specialism_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    wijk_id: Mapped[int] = mapped_column(sa.ForeignKey("wijken.id"))
    specialism_id: Mapped[int] = mapped_column(sa.ForeignKey("specialisms.id"))
    year: Mapped[int]
    hours_per_week: Mapped[Decimal] = mapped_column(sa.Numeric(7, 1))


def split_of(organisation_id: int, year: int) -> dict[tuple[int, int], Decimal]:
    """(wijk id, specialism id) → hours per week of the organisation's split in ``year``."""
    return {(r.wijk_id, r.specialism_id): r.hours_per_week for r in db.session.scalars(
        sa.select(PlannedWijkHours).where(PlannedWijkHours.organisation_id == organisation_id,
                                          PlannedWijkHours.year == year))}


def for_wijk(wijk_id: int, years: set[int], organisation_ids: list[int], specialism_id: int | None
             ) -> dict[tuple[int, int, int], Decimal]:
    """(organisation, specialism, year) → hours per week planned in one wijk."""
    query = sa.select(PlannedWijkHours).where(PlannedWijkHours.wijk_id == wijk_id,
                                              PlannedWijkHours.year.in_(years or {-1}),
                                              PlannedWijkHours.organisation_id.in_(organisation_ids or [-1]))
    if specialism_id:
        query = query.where(PlannedWijkHours.specialism_id == specialism_id)
    return {(r.organisation_id, r.specialism_id, r.year): r.hours_per_week for r in db.session.scalars(query)}


class SplitInvalid(DomainError):
    """``errors`` holds a Dutch message per (wijk id, specialism id)."""

    def __init__(self, errors: dict[tuple[int, int], str], message: str = "Niet opgeslagen: verbeter de "
                 "gemarkeerde velden.") -> None:
        super().__init__(message)
        self.errors = errors


def save_split(organisation: Organisation, year: int, texts: dict[tuple[int, int], Any],
               totals: dict[int, Decimal]) -> None:
    """Set (or clear, when empty) the split; audited; commits.

    :param totals: the organisation's planned hours per week per specialism id that year.
    :raise SplitInvalid: a value is no number, or the wijken together exceed the total.
    """
    from .figures import format_decimal, parse_number

    values: dict[tuple[int, int], Decimal | None] = {}
    errors: dict[tuple[int, int], str] = {}
    for key, text in texts.items():
        try:
            number = parse_number(text, whole=False)
        except ValueError as err:
            errors[key] = str(err)
        else:
            values[key] = Decimal(number).quantize(Decimal("0.1")) if number is not None else None
    per_spec: dict[int, Decimal] = defaultdict(Decimal)
    for (_, spec_id), value in values.items():
        per_spec[spec_id] += value or 0
    for spec_id, total in per_spec.items():
        if total and total > Decimal(totals.get(spec_id) or 0):
            for key in values:
                if key[1] == spec_id and values[key]:
                    errors.setdefault(key, (f"De wijken samen ({format_decimal(total)} uur per week) zijn meer dan "
                                            f"de begrote uren van de organisatie "
                                            f"({format_decimal(Decimal(totals.get(spec_id) or 0))})."))
    if errors:
        raise SplitInvalid(errors)
    existing = {(r.wijk_id, r.specialism_id): r for r in db.session.scalars(sa.select(PlannedWijkHours).where(
        PlannedWijkHours.organisation_id == organisation.id, PlannedWijkHours.year == year))}
    names = {w.id: w.name for w in db.session.scalars(sa.select(Wijk))}
    codes = {s.id: s.code for s in db.session.scalars(sa.select(Specialism))}
    old, new = {}, {}
    for (wijk_id, spec_id), value in values.items():
        if wijk_id not in names or spec_id not in codes:
            raise DomainError("Onbekende wijk of onbekend specialisme.")
        row = existing.get((wijk_id, spec_id))
        before = row.hours_per_week if row else None
        if value is None and row is not None:
            db.session.delete(row)
        elif value is not None and row is None:
            db.session.add(PlannedWijkHours(organisation_id=organisation.id, wijk_id=wijk_id,
                                            specialism_id=spec_id, year=year, hours_per_week=value))
        elif value is not None:
            row.hours_per_week = value
        if (before is None) != (value is None) or (before is not None and Decimal(before) != value):
            label = f"{names[wijk_id]}: {codes[spec_id]}"
            old[label], new[label] = before, value
    if new:
        audit.record("planned_hours.split", organisation, old=old, new=new,
                     summary=f"Begrote uren per wijk {organisation.name} {year} gewijzigd")
    db.session.commit()


def planned_in_wijk(wijk_id: int, periods: list, organisation_ids: list[int], specialism_id: int | None,
                    reported: set[tuple[int, int]] | None
                    ) -> tuple[dict[int, Decimal], dict[tuple[int, int], Decimal], dict[int, Decimal], set[int]]:
    """As :func:`dashboards.planned_for`, from the splits for one wijk; also which
    organisations have a split (only their planned hours are in it)."""
    from .figures import weeks_in

    split = for_wijk(wijk_id, {p.year for p in periods}, organisation_ids, specialism_id)
    per_period: dict[int, Decimal] = defaultdict(Decimal)
    per_org: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    per_spec: dict[int, Decimal] = defaultdict(Decimal)
    for p in periods:
        for (org, spec, year), per_week in split.items():
            if year == p.year and (reported is None or (org, p.id) in reported):
                amount = Decimal(per_week) * weeks_in(p)
                per_period[p.id] += amount
                per_org[(org, spec)] += amount
                per_spec[spec] += amount
    return per_period, per_org, per_spec, {org for org, _, _ in split}

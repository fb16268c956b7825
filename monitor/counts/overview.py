"""Overviews of Tellen: an organisation's board of returns, completeness and the review queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from ..extensions import db
from ..models import Organisation, OrganisationKind, Period, Wijk
from .models import CountReturn, ReturnStatus


@dataclass
class BoardRow:
    period: Period
    wijk: Wijk
    ret: CountReturn | None
    overdue: bool

    @property
    def state(self) -> str:
        return self.ret.status.label if self.ret else "Nog niet begonnen"


def expected_organisations() -> list[Organisation]:
    """Organisations that report: the active welfare organisations."""
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == OrganisationKind.WELZIJN, Organisation.active.is_(True)
    ).order_by(Organisation.name)))


def active_wijken(ids: set[int] | None = None) -> list[Wijk]:
    query = sa.select(Wijk).where(Wijk.active.is_(True)).order_by(Wijk.name)
    if ids is not None:
        query = query.where(Wijk.id.in_(ids or {-1}))
    return list(db.session.scalars(query))


def started_periods(today: date) -> list[Period]:
    """Periods that have begun, newest first."""
    return [p for p in db.session.scalars(
        sa.select(Period).order_by(Period.year.desc(), Period.tertial.desc())) if p.start <= today]


def is_overdue(ret: CountReturn | None, period: Period, today: date) -> bool:
    """Past the deadline and not (re)submitted."""
    not_in = ret is None or ret.status.editable
    return not_in and period.deadline < today


def board(organisation_id: int, wijk_ids: set[int], today: date | None = None,
          recent: int = 3) -> list[BoardRow]:
    """An organisation's returns for its wijken: the last ``recent`` periods in full and
    every older one that is still open, so nothing overdue disappears from view."""
    today = today or date.today()
    periods = started_periods(today)
    wijken = active_wijken(wijk_ids)
    rets = {(r.wijk_id, r.period_id): r for r in db.session.scalars(sa.select(CountReturn).where(
        CountReturn.organisation_id == organisation_id, CountReturn.wijk_id.in_(wijk_ids or {-1})))}
    rows = []
    for index, period in enumerate(periods):
        for wijk in wijken:
            ret = rets.get((wijk.id, period.id))
            if index < recent or ret is None or not ret.status.approved:
                rows.append(BoardRow(period, wijk, ret, is_overdue(ret, period, today)))
    return rows


@dataclass
class Completeness:
    period: Period
    organisations: list[Organisation]
    wijken: list[Wijk]
    cells: dict[tuple[int, int], CountReturn | None]
    overdue: set[tuple[int, int]] = field(default_factory=set)

    @property
    def expected(self) -> int:
        return len(self.organisations) * len(self.wijken)

    def count(self, *statuses: ReturnStatus) -> int:
        return sum(1 for r in self.cells.values() if r is not None and r.status in statuses)

    @property
    def submitted(self) -> int:
        return self.count(ReturnStatus.INGEDIEND, ReturnStatus.GOEDGEKEURD, ReturnStatus.VERGRENDELD)

    @property
    def approved(self) -> int:
        return self.count(ReturnStatus.GOEDGEKEURD, ReturnStatus.VERGRENDELD)

    @property
    def percent_submitted(self) -> float | None:
        return self.submitted / self.expected if self.expected else None

    @property
    def percent_approved(self) -> float | None:
        return self.approved / self.expected if self.expected else None


def completeness(period: Period, wijk_ids: set[int] | None, today: date | None = None) -> Completeness:
    """The organisation x wijk matrix of one period with every return's status."""
    today = today or date.today()
    orgs = expected_organisations()
    wijken = active_wijken(wijk_ids)
    rets = {(r.organisation_id, r.wijk_id): r for r in db.session.scalars(
        sa.select(CountReturn).where(CountReturn.period_id == period.id))}
    cells = {(o.id, w.id): rets.get((o.id, w.id)) for o in orgs for w in wijken}
    overdue = {k for k, r in cells.items() if is_overdue(r, period, today)}
    return Completeness(period, orgs, wijken, cells, overdue)


def awaiting_approval() -> list[CountReturn]:
    """Submitted returns, oldest submission first."""
    return list(db.session.scalars(sa.select(CountReturn).where(
        CountReturn.status == ReturnStatus.INGEDIEND).order_by(CountReturn.submitted_at, CountReturn.id)))

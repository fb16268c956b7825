"""Overviews of Tellen: an organisation's board of returns, completeness and the review queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from ..extensions import db
from ..models import Organisation, OrganisationKind, Period, Wijk
from .models import CITYWIDE, CityWide, CountReturn, ReturnStatus
from .werkgebied import reports_for


@dataclass
class BoardRow:
    period: Period
    wijk: Wijk | CityWide  # CITYWIDE for the city-wide return
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
          recent: int = 3, year: int | None = None) -> list[BoardRow]:
    """An organisation's returns for its wijken (and its city-wide return) in the periods its
    werkgebied covers: the last ``recent`` periods in full and every older one that is still
    open, so nothing overdue disappears from view. With ``year``: every period of that year
    (the history, approved and locked returns included)."""
    today = today or date.today()
    org = db.session.get(Organisation, organisation_id)
    periods = started_periods(today)
    wijken = active_wijken(wijk_ids)
    rets = {(r.wijk_id or CITYWIDE.id, r.period_id): r for r in db.session.scalars(sa.select(CountReturn).where(
        CountReturn.organisation_id == organisation_id,
        sa.or_(CountReturn.wijk_id.in_(wijk_ids or {-1}), CountReturn.wijk_id.is_(None))))}
    rows = []
    for index, period in enumerate(periods):
        if year is not None and period.year != year:
            continue
        expected, citywide = reports_for(org, period) if org is not None else (set(), False)
        areas = [w for w in wijken if w.id in expected] + ([CITYWIDE] if citywide else [])
        for area in areas:
            ret = rets.get((area.id, period.id))
            if year is not None or index < recent or ret is None or not ret.status.approved:
                rows.append(BoardRow(period, area, ret, is_overdue(ret, period, today)))
    return rows


def board_years(organisation_id: int, today: date | None = None) -> list[int]:
    """The years with a started period, newest first (the board's history choice)."""
    return sorted({p.year for p in started_periods(today or date.today())}, reverse=True)


@dataclass
class Completeness:
    period: Period
    organisations: list[Organisation]
    wijken: list[Wijk | CityWide]  # the columns: wijken, then "Stedelijk" when anyone reports city-wide
    cells: dict[tuple[int, int], CountReturn | None]  # (org id, wijk id or CITYWIDE.id)
    overdue: set[tuple[int, int]] = field(default_factory=set)
    expected_keys: set[tuple[int, int]] = field(default_factory=set)  # inside the werkgebied

    @property
    def expected(self) -> int:
        return len(self.expected_keys)

    def count(self, *statuses: ReturnStatus) -> int:
        return sum(1 for k in self.expected_keys
                   if (r := self.cells.get(k)) is not None and r.status in statuses)

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
    """The organisation x wijk matrix of one period with every return's status. Expected are
    the cells inside each organisation's werkgebied for the period; the city-wide column only
    for viewers of the whole city (``wijk_ids`` ``None``)."""
    today = today or date.today()
    orgs = expected_organisations()
    wijken: list = active_wijken(wijk_ids)
    rets = {(r.organisation_id, r.wijk_id or CITYWIDE.id): r for r in db.session.scalars(
        sa.select(CountReturn).where(CountReturn.period_id == period.id))}
    expected: set[tuple[int, int]] = set()
    any_citywide = False
    for org in orgs:
        wijk_set, citywide = reports_for(org, period)
        expected |= {(org.id, w.id) for w in wijken if w.id in wijk_set}
        if citywide and wijk_ids is None:
            expected.add((org.id, CITYWIDE.id))
            any_citywide = True
    if any_citywide or (wijk_ids is None and any(k[1] == CITYWIDE.id for k in rets)):
        wijken.append(CITYWIDE)
    cells = {(o.id, w.id): rets.get((o.id, w.id)) for o in orgs for w in wijken
             if (o.id, w.id) in expected or (o.id, w.id) in rets}
    overdue = {k for k in expected if is_overdue(cells.get(k), period, today)}
    return Completeness(period, orgs, wijken, cells, overdue, expected)


def awaiting_approval() -> list[CountReturn]:
    """Submitted returns, oldest submission first."""
    return list(db.session.scalars(sa.select(CountReturn).where(
        CountReturn.status == ReturnStatus.INGEDIEND).order_by(CountReturn.submitted_at, CountReturn.id)))

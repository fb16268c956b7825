"""Werkgebied of Tellen: where, and from when to when, an organisation works (issue 18).

An organisation's werkgebied for the returns is made of *areas*: a wijk, or the whole city
("stedelijk", for city-wide services such as vrijwillige thuishulp that are reported once for
the city). Each area has an optional first and last day. The core keeps a plain set of wijken
per organisation (``Organisation.wijken``, edited on the organisation's admin page); the dated
areas here refine it:

- a wijk in that set without a dated area counts for every period (as before);
- a dated area of a wijk counts only while the wijk is in that set, and only in the periods
  it overlaps;
- "stedelijk" exists only here.

Saving the werkgebied here sets the plain set to the wijken that have an area, so both agree.
Completeness, reminders, "Mijn opgaven", return creation and the API use :func:`reports_for`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from .. import audit
from ..errors import DomainError
from ..extensions import db
from ..models import Organisation, OrganisationKind, Period, Wijk
from ..templating import format_date
from .models import CITYWIDE, CITYWIDE_ID, CITYWIDE_NAME, CityWide, WorkArea

__all__ = ["CITYWIDE", "CITYWIDE_ID", "CITYWIDE_NAME", "Area", "AreaInput", "CityWide", "areas_of",
           "reports_for", "save_werkgebied", "span_of", "works_in", "works_in_ever"]

@dataclass(frozen=True)
class Area:
    """One effective piece of the werkgebied (``wijk_id`` ``None``: stedelijk)."""

    wijk_id: int | None
    starts_on: date | None
    ends_on: date | None
    dated: bool = True

    def covers(self, start: date, end: date) -> bool:
        return (self.starts_on is None or self.starts_on <= end) and (self.ends_on is None or self.ends_on >= start)

    @property
    def span(self) -> str:
        """Dutch text of the dates: ``vanaf 1 juni 2020``, ``1 november 2019 t/m 31 december 2020``."""
        if self.starts_on and self.ends_on:
            return f"{format_date(self.starts_on)} t/m {format_date(self.ends_on)}"
        if self.starts_on:
            return f"vanaf {format_date(self.starts_on)}"
        if self.ends_on:
            return f"tot en met {format_date(self.ends_on)}"
        return "altijd"


def stored_areas(organisation_id: int) -> list[WorkArea]:
    return list(db.session.scalars(sa.select(WorkArea).where(
        WorkArea.organisation_id == organisation_id).order_by(WorkArea.wijk_id, WorkArea.starts_on)))


def areas_of(organisation: Organisation) -> list[Area]:
    """The organisation's effective werkgebied (see the module's doc)."""
    plain = {w.id for w in organisation.wijken}
    rows = stored_areas(organisation.id)
    dated_wijken = {r.wijk_id for r in rows}
    areas = [Area(r.wijk_id, r.starts_on, r.ends_on) for r in rows if r.wijk_id is None or r.wijk_id in plain]
    areas += [Area(w, None, None, dated=False) for w in sorted(plain - dated_wijken)]
    return areas


def works_in(organisation: Organisation, wijk_id: int | None, period: Period) -> bool:
    """Whether the organisation reports for ``wijk_id`` (``None``: stedelijk) in ``period``."""
    return any(a.wijk_id == wijk_id and a.covers(period.start, period.end) for a in areas_of(organisation))


def works_in_ever(organisation: Organisation, wijk_id: int | None) -> bool:
    return any(a.wijk_id == wijk_id for a in areas_of(organisation))


def reports_for(organisation: Organisation, period: Period) -> tuple[set[int], bool]:
    """(wijk ids, city-wide?) the organisation reports for in ``period``."""
    wijk_ids: set[int] = set()
    citywide = False
    for area in areas_of(organisation):
        if area.covers(period.start, period.end):
            if area.wijk_id is None:
                citywide = True
            else:
                wijk_ids.add(area.wijk_id)
    return wijk_ids, citywide


def span_of(organisation: Organisation, wijk_id: int | None) -> str:
    """The dates of an area as Dutch text, for messages ("" when not in the werkgebied)."""
    return ", ".join(a.span for a in areas_of(organisation) if a.wijk_id == wijk_id)


def area_name(wijk: Wijk | None) -> str:
    return wijk.name if wijk is not None else CITYWIDE_NAME


# --- editing (beheerder, accounthouder) ------------------------------------------------------

@dataclass
class AreaInput:
    """What the form sends for one area: worked in?, first and last day."""

    wijk_id: int | None
    selected: bool
    starts_on: date | None
    ends_on: date | None


def _describe(areas: list[tuple[int | None, date | None, date | None]], names: dict[int | None, str]) -> dict:
    return {names.get(w, "?"): Area(w, s, e).span for w, s, e in areas}


def save_werkgebied(organisation: Organisation, inputs: list[AreaInput]) -> None:
    """Replace the organisation's werkgebied; audited; commits.

    :raise DomainError: not a welfare organisation, a last day before the first day, an unknown wijk.
    """
    if organisation.kind != OrganisationKind.WELZIJN:
        raise DomainError("Alleen welzijnsorganisaties hebben een werkgebied voor de opgaven.")
    wijken = {w.id: w for w in db.session.scalars(sa.select(Wijk))}
    names: dict[int | None, str] = {i: w.name for i, w in wijken.items()} | {None: CITYWIDE_NAME}
    chosen = []
    for item in inputs:
        if not item.selected:
            continue
        if item.wijk_id is not None and item.wijk_id not in wijken:
            raise DomainError("Onbekende wijk.")
        if item.starts_on and item.ends_on and item.ends_on < item.starts_on:
            field = f"tot_{item.wijk_id or CITYWIDE_ID}"
            raise DomainError(f"{names[item.wijk_id]}: de laatste dag ligt vóór de eerste dag.", field)
        chosen.append((item.wijk_id, item.starts_on, item.ends_on))
    before = [(a.wijk_id, a.starts_on, a.ends_on) for a in areas_of(organisation)]
    for row in stored_areas(organisation.id):
        db.session.delete(row)
    db.session.flush()
    for wijk_id, starts_on, ends_on in chosen:
        db.session.add(WorkArea(organisation_id=organisation.id, wijk_id=wijk_id,
                                starts_on=starts_on, ends_on=ends_on))
    organisation.wijken = sorted((wijken[w] for w, _, _ in chosen if w is not None), key=lambda w: w.name)
    old, new = _describe(before, names), _describe(chosen, names)
    if old != new:
        audit.record("werkgebied.update", organisation, old=old, new=new,
                     summary=f"Werkgebied {organisation.name} gewijzigd")
    db.session.commit()

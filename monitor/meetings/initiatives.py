"""Buurtinitiatieven: registering them, and their section in the monitorgesprek."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from .. import audit
from ..catalogues import Quality
from ..errors import DomainError
from ..extensions import db
from ..models import Organisation, Period, User, Wijk
from ..registry import Section, Table
from ..timeutil import format_date
from .models import Initiative, InitiativeStatus

INITIATIVE_FIELDS = ("buurt_id", "title", "description", "contact_group", "started_on", "ended_on",
                     "status", "supported_by_id")


def list_initiatives(wijk_ids: set[int] | None, wijk_id: int | None = None) -> list[Initiative]:
    """Initiatives in scope (``None`` = all wijken), optionally of one wijk."""
    from ..models import Buurt

    query = sa.select(Initiative).join(Buurt).order_by(Buurt.name, Initiative.title)
    if wijk_ids is not None:
        query = query.where(Buurt.wijk_id.in_(wijk_ids or {-1}))
    if wijk_id:
        query = query.where(Buurt.wijk_id == wijk_id)
    return list(db.session.scalars(query))


def save_initiative(initiative: Initiative | None, *, buurt_id: int, title: str, description: str,
                    contact_group: str, started_on: date, ended_on: date | None, status: str,
                    supported_by_id: int | None, quality_ids: list[int], by: User) -> Initiative:
    """Create or update a buurtinitiatief.

    :raise DomainError: end before start, unknown buurt or organisation.
    """
    from ..models import Buurt

    if ended_on and ended_on < started_on:
        raise DomainError("De einddatum ligt vóór de startdatum.", "ended_on")
    if db.session.get(Buurt, buurt_id) is None:
        raise DomainError("Kies een bestaande buurt.", "buurt_id")
    if supported_by_id and db.session.get(Organisation, supported_by_id) is None:
        raise DomainError("Kies een bestaande organisatie.", "supported_by_id")
    creating = initiative is None
    if creating:
        initiative = Initiative(created_by_id=by.id)
        db.session.add(initiative)
        old: dict[str, Any] = {}
    else:
        old = audit.snapshot(initiative, INITIATIVE_FIELDS)
    initiative.buurt_id, initiative.title = buurt_id, title.strip()
    initiative.description, initiative.contact_group = description.strip(), contact_group.strip()
    initiative.started_on, initiative.ended_on = started_on, ended_on
    initiative.status = InitiativeStatus(status)
    initiative.supported_by_id = supported_by_id
    initiative.qualities = list(db.session.scalars(sa.select(Quality).where(Quality.id.in_(quality_ids or [-1]))))
    db.session.flush()
    new = audit.snapshot(initiative, INITIATIVE_FIELDS)
    if creating:
        audit.record("initiative.create", initiative, new=new, summary=initiative.title, actor=by)
    else:
        before, after = audit.changes(old, new)
        if after:
            audit.record("initiative.update", initiative, old=before, new=after, summary=initiative.title,
                         actor=by)
    db.session.commit()
    return initiative


def initiatives_in(wijk: Wijk, period: Period) -> list[Initiative]:
    """Initiatives of the wijk's buurten that ran during the period."""
    return [i for i in list_initiatives(None, wijk.id) if i.active_in(period)]


def initiatives_section(wijk: Wijk, period: Period) -> Section:
    """Part 1: the buurtinitiatieven that ran in the period."""
    rows = [[i.buurt.name, i.title, format_date(i.started_on), i.status.label,
             i.supported_by.name if i.supported_by else "—",
             ", ".join(q.name for q in i.qualities) or "—"]
            for i in initiatives_in(wijk, period)]
    return Section(
        key="initiatives", title="Buurt- en inwonersinitiatieven", part=1,
        intro=f"Initiatieven van inwoners in {wijk.name} die liepen in {period.covers}.",
        tables=[Table("Initiatieven in de periode", ["Buurt", "Initiatief", "Sinds", "Status",
                                                     "Ondersteund door", "Kwaliteiten"], rows)] if rows else [],
        empty_text="Er zijn geen initiatieven geregistreerd voor deze periode.",
    )


def initiatives_annual_section(report) -> Section:
    """The initiatives that ran in the year: in the wijk, or those the organisation supported."""
    from ..models import Buurt

    first, last = date(report.year, 1, 1), date(report.year, 12, 31)
    query = (sa.select(Initiative).join(Buurt).where(
        Initiative.started_on <= last, sa.or_(Initiative.ended_on.is_(None), Initiative.ended_on >= first))
        .order_by(Buurt.name, Initiative.title))
    if report.scope == "wijk":
        query = query.where(Buurt.wijk_id == report.wijk_id)
        intro = f"Initiatieven van inwoners in {report.subject} die in {report.year} liepen."
    else:
        query = query.where(Initiative.supported_by_id == report.organisation_id)
        intro = f"Initiatieven van inwoners die {report.subject} in {report.year} ondersteunde."
    rows = [[i.title, i.buurt.wijk.name, i.buurt.name, format_date(i.started_on),
             format_date(i.ended_on) if i.ended_on else "loopt", i.status.label,
             ", ".join(q.name for q in i.qualities) or "—"] for i in db.session.scalars(query)]
    return Section(
        key="initiatives_year", title=f"Buurt- en inwonersinitiatieven in {report.year}", part=1, intro=intro,
        tables=[Table(f"Initiatieven {report.year}", ["Initiatief", "Wijk", "Buurt", "Sinds", "Tot", "Status",
                                                      "Kwaliteiten"], rows)] if rows else [],
        empty_text="Er zijn geen initiatieven geregistreerd voor dit jaar.")

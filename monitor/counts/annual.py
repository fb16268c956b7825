"""What Tellen contributes to the jaarrapportage beyond the year's totals (:mod:`.dossier`).

Hours per specialism, realised against planned, and clients per type of service per
tertial with the year's unique clients. Hours are not counts of persons; clients are,
and come from the publication tables: protected for readers outside the organisation,
exact for the organisation itself and the accounthouder (``report.protected``).
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import Flask

from ..disclosure import LEGEND
from ..extensions import db
from ..models import Period, ServiceType, Specialism
from ..registry import Section, Table, add_annual_section
from ..templating import format_number, format_percent
from .dashboards import (
    Filters,
    _conditions,
    _div,
    clients_totals,
    hours_totals,
    planned_for,
    reported_periods,
)
from .models import CountReturn, ReturnClients, ReturnHours
from .publication import Counts


def register(app: Flask) -> None:
    """Add hours per specialism and clients per service to the annual report."""
    add_annual_section(app, 22, "counts_hours", hours_section)
    add_annual_section(app, 24, "counts_clients", clients_section)


def _year(report) -> list[Period]:
    return list(db.session.scalars(sa.select(Period).where(Period.year == report.year).order_by(Period.tertial)))


def _levels(report) -> dict:
    if report.scope == "wijk":
        return {"wijk_id": report.wijk_id}
    return {"organisation_id": report.organisation_id}


def hours_section(report) -> Section | None:
    """Realised hours per specialism over the year; for an organisation against its budget."""
    periods = _year(report)
    if len(periods) != 3:
        return None
    cond = _conditions(Filters(periods[0], periods[-1], **_levels(report)), None, periods)
    realised = hours_totals(cond, ReturnHours.specialism_id)
    per_tertial = hours_totals(cond, CountReturn.period_id, ReturnHours.specialism_id)
    planned: dict[int, Decimal] = {}
    if report.scope == "organisatie":
        _, _, planned = planned_for(periods, [report.organisation_id], None, reported_periods(cond))
    specs = [s for s in db.session.scalars(sa.select(Specialism).order_by(Specialism.position, Specialism.name))
             if (s.id,) in realised or planned.get(s.id)]
    section = Section(key="counts_hours", title=f"Ureninzet per specialisme in {report.year}", part=1,
                      empty_text="Er zijn geen goedgekeurde opgaven met uren in dit jaar.")
    if not specs:
        return section
    headers = ["Specialisme", *[p.label for p in periods], "Gerealiseerd"]
    numeric = list(range(1, len(headers) + (2 if planned else 0)))
    if planned:
        headers += ["Begroot", "Realisatie"]
    rows = []
    for spec in specs:
        row = [spec.name, *[format_number(per_tertial.get((p.id, spec.id), 0)) for p in periods],
               format_number(realised.get((spec.id,), 0))]
        if planned:
            budget = planned.get(spec.id)
            share = _div(realised.get((spec.id,), 0), budget)
            row += [format_number(round(budget)) if budget else "—",
                    format_percent(float(share)) if share is not None else "—"]
        rows.append(row)
    total = [sum(per_tertial.get((p.id, s.id), 0) for s in specs) for p in periods]
    total_row = ["Totaal", *[format_number(t) for t in total], format_number(sum(total))]
    if planned:
        budget = sum(planned.values(), Decimal(0))
        share = _div(sum(total), budget)
        total_row += [format_number(round(budget)) if budget else "—",
                      format_percent(float(share)) if share is not None else "—"]
    rows.append(total_row)
    section.tables.append(Table(f"Uren per specialisme {report.year} — {report.subject}", headers, rows, numeric))
    if planned:
        section.intro = ("Gerealiseerde uren uit de goedgekeurde opgaven, naast de begrote uren: begrote uren "
                         "per week × het aantal weken van het jaar.")
    else:
        section.intro = "Gerealiseerde uren uit de goedgekeurde opgaven."
        if report.scope == "wijk":
            section.notes.append("Begrote uren gelden voor een hele organisatie en staan daarom niet in een "
                                 "wijkrapportage.")
    return section


def clients_section(report) -> Section | None:
    """Clients per type of service per tertial, and the unique clients of the year."""
    periods = _year(report)
    if len(periods) != 3:
        return None
    cond = _conditions(Filters(periods[0], periods[-1], **_levels(report)), None, periods)
    used = {sid for (sid,) in clients_totals(cond, ReturnClients.service_type_id)}
    returned = {pid for (pid,) in clients_totals(cond, CountReturn.period_id)}
    services = [s for s in db.session.scalars(sa.select(ServiceType).order_by(ServiceType.position,
                                                                               ServiceType.name)) if s.id in used]
    protected = getattr(report, "protected", True)
    counts = Counts(protected=protected)
    levels = {"wijk": report.wijk_id} if report.scope == "wijk" else {"organisation": report.organisation_id}
    section = Section(key="counts_clients", title=f"Cliënten per soort dienstverlening in {report.year}", part=1,
                      empty_text="Er zijn geen goedgekeurde opgaven met cliënten in dit jaar.")
    if not services:
        return section

    def cell(period: Period, service_id=None) -> str:
        if period.id not in returned:
            return "—"
        return counts.get("clienten", report.year, tertial=period.tertial, category=service_id, **levels).text

    rows = [[s.name, *[cell(p, s.id) for p in periods]] for s in services]
    rows.append(["Alle soorten dienstverlening", *[cell(p) for p in periods]])
    unique = counts.get("uniek", report.year, **levels).text if periods[-1].id in returned else "—"
    section.tables.append(Table(f"Cliënten per tertiaal {report.year} — {report.subject}",
                                ["Soort dienstverlening", *[p.label for p in periods]], rows,
                                numeric=[1, 2, 3]))
    section.tables.append(Table(f"Unieke cliënten over {report.year}", ["Cijfer", f"Jaar {report.year}"],
                                [["Unieke cliënten (decemberopgave)", unique]], numeric=[1]))
    section.intro = ("Cliënten per tertiaal tellen niet op tot een jaar: het jaarcijfer is het aantal unieke "
                     "cliënten dat de decemberopgave over het hele jaar telt.")
    if protected:
        section.notes.append(LEGEND)
    return section

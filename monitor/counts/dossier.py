"""What Tellen contributes to the monitorgesprek and the annual report: key figures, protected."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from ..extensions import db
from ..models import Period, Wijk
from ..registry import Section, Table, add_annual_section, add_dossier_section
from ..templating import format_number
from .dashboards import cell
from .key_figures import KeyFigures, key_figures
from .publication import Counts
from .services import completeness


def register(app: Flask) -> None:
    """Add the counts section to the monitorgesprek and to the annual report."""
    # Whose returns are still pending only shows to those /tellen/volledigheid shows it.
    add_dossier_section(app, 20, "counts", counts_section, missing_permission="counts.completeness")
    add_annual_section(app, 20, "counts_year", counts_annual_section)


def _texts(figures: KeyFigures) -> list[tuple[str, str]]:
    """(row label, text) of the key figures, as the dashboard's tables show them."""
    def text(value, kind: str = "number") -> str:
        return cell(value, kind)[1]

    return [
        ("Uren sociaal werk", text(figures.hours)),
        ("Cliënten (alle soorten dienstverlening)", text(figures.clients)),
        ("Nieuwe meldingen", text(figures.meldingen)),
        ("Aandeel meldingen via het Sociaal Plein", text(figures.share_via_sociaal_plein, "share")),
        ("Afgesloten trajecten", text(figures.closed)),
        ("Aandeel afgesloten binnen zes maanden", text(figures.share_closed_within_six_months, "share")),
        ("Gemiddeld aantal uren per afgesloten traject", text(figures.hours_per_closed, "ratio")),
        ("Caseload (cliënten per FTE)", text(figures.caseload, "ratio")),
        ("Actieve vrijwilligers", text(figures.volunteers)),
    ]


def counts_section(wijk: Wijk, period: Period) -> Section:
    """Part 1: the approved returns of the wijk, against the same period last year."""
    last_year = db.session.scalar(sa.select(Period).where(
        Period.year == period.year - 1, Period.tertial == period.tertial))
    now = _texts(key_figures(period, wijk_id=wijk.id))
    before = [text for _, text in _texts(key_figures(last_year, wijk_id=wijk.id))] if last_year \
        else ["—"] * len(now)
    rows = [[label, text, earlier] for (label, text), earlier in zip(now, before, strict=True)]
    matrix = completeness(period, {wijk.id})
    missing = [f"Opgave {org.name} voor {wijk.name}: "
               + (ret.status.label.lower() if ret else "nog niet begonnen")
               for org in matrix.organisations
               for ret in [matrix.cells.get((org.id, wijk.id))]
               if ret is None or not ret.status.approved]
    headers = ["Cijfer", period.label, last_year.label if last_year else "vorig jaar"]
    return Section(
        key="counts", title="Tellen: uren, cliënten en meldingen", part=1,
        intro=f"Uit de goedgekeurde opgaven van de organisaties voor {wijk.name} ({period.covers}), "
              "naast dezelfde periode een jaar eerder. Aantallen personen onder de 5 staan als <5.",
        tables=[Table(f"Kerncijfers {wijk.name}", headers, rows, numeric=[1, 2])],
        notes=["Begrote uren gelden voor een hele organisatie en staan daarom niet per wijk in dit "
               "overzicht; zie het dashboard Tellen per organisatie."],
        missing=missing)


ANNUAL_ROWS = [  # (measure, row label, the year's figure: "som" flows add up, "uniek", or none)
    ("meldingen", "Nieuwe meldingen", "som"),
    ("afgesloten", "Afgesloten trajecten", "som"),
    ("clienten", "Cliënten (per tertiaal; jaar = unieke cliënten)", "uniek"),
    ("vrijwilligers", "Actieve vrijwilligers", None),
]


def counts_annual_section(report) -> Section | None:
    """The year's approved returns of the report's wijk or organisation, per tertial and in total.

    :param report: an annual report (``year``, ``scope`` "wijk" or "organisatie",
        ``wijk_id``, ``organisation_id``, ``subject``). Counts of persons come from the
        protected publication tables (as for every outsider).
    """
    periods = list(db.session.scalars(sa.select(Period).where(Period.year == report.year)
                                      .order_by(Period.tertial)))
    if len(periods) != 3:
        return None
    levels = {"wijk": report.wijk_id} if report.scope == "wijk" else {"organisation": report.organisation_id}
    hours = [key_figures(p, wijk_id=levels.get("wijk"), organisation_id=levels.get("organisation")).hours
             for p in periods]
    counted = any(v is not None for v in hours)
    rows = [["Uren sociaal werk", *["—" if v is None else format_number(v) for v in hours],
             format_number(sum(v for v in hours if v is not None)) if counted else "—"]]
    # Protected unless compiled for the organisation itself and the accounthouder.
    counts = Counts(protected=getattr(report, "protected", True))
    for measure, label, year_figure in ANNUAL_ROWS:
        cells = [counts.get(measure, report.year, tertial=p.tertial, **levels).text if hours[i] is not None
                 else "—" for i, p in enumerate(periods)]
        if year_figure == "som":
            total = counts.get(measure, report.year, **levels).text if counted else "—"
        elif year_figure == "uniek":
            total = counts.get("uniek", report.year, **levels).text if counted else "—"
        else:
            total = "—"
        rows.append([label, *cells, total])
    return Section(
        key="counts_year", title=f"Tellen: de goedgekeurde opgaven van {report.year}", part=1,
        intro="Per tertiaal en over het jaar. Cliënten per tertiaal tellen niet op tot een jaar: "
              "het jaarcijfer is het aantal unieke cliënten uit de decemberopgave. "
              "<5: minder dan 5 personen; ×: afgeschermd zodat een klein aantal elders niet terug te "
              "rekenen is.",
        tables=[Table(f"Opgaven {report.year} — {report.subject}",
                      ["Cijfer", *[p.label for p in periods], f"Jaar {report.year}"], rows,
                      numeric=[1, 2, 3, 4])])

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
from .returns import period_by_ordinal
from .services import completeness


def register(app: Flask) -> None:
    """Add the counts section to the monitorgesprek and to the annual report."""
    # Whose returns are still pending only shows to those /tellen/volledigheid shows it.
    add_dossier_section(app, 20, "counts", counts_section, missing_permission="counts.completeness")
    add_annual_section(app, 20, "counts_year", counts_annual_section)


ROWS = [  # (row label, KeyFigures attribute, kind of figure)
    ("Uren sociaal werk", "hours", "number"),
    ("Cliënten (alle soorten dienstverlening)", "clients", "number"),
    ("Nieuwe meldingen", "meldingen", "number"),
    ("Aandeel meldingen via het Sociaal Plein", "share_via_sociaal_plein", "share"),
    ("Afgesloten trajecten", "closed", "number"),
    ("Aandeel afgesloten binnen zes maanden", "share_closed_within_six_months", "share"),
    ("Gemiddeld aantal uren per afgesloten traject", "hours_per_closed", "ratio"),
    ("Caseload (cliënten per FTE)", "caseload", "ratio"),
    ("Actieve vrijwilligers", "volunteers", "number"),
]
# A figure is an outlier when it differs more than this from the mean of the three periods before.
OUTLIER_DEVIATION = 0.5


def _texts(figures: KeyFigures) -> list[tuple[str, str]]:
    """(row label, text) of the key figures, as the dashboard's tables show them."""
    return [(label, cell(getattr(figures, attr), kind)[1]) for label, attr, kind in ROWS]


def _values(figures: KeyFigures | None) -> list[float | None]:
    """The figures as numbers where the table shows a number (hidden, "<5" and absent: ``None``)."""
    if figures is None:
        return [None] * len(ROWS)
    values = []
    for _, attr, kind in ROWS:
        value = cell(getattr(figures, attr), kind)[0]
        values.append(float(value) if isinstance(value, int | float) else None)
    return values


def _change(now: float | None, before: float | None, kind: str) -> str:
    """How a shown figure moved against a shown earlier one: "+12%", "−3 procentpunt", "gelijk"."""
    if now is None or before is None:
        return "—"
    if kind == "share":  # cell() gives shares as percentages already
        points = now - before
        if round(points) == 0:
            return "gelijk"
        return f"{'+' if points > 0 else '−'}{format_number(abs(points), 0)} procentpunt"
    if before == 0:
        return "nieuw" if now else "gelijk"
    change = (now - before) / before
    if round(change * 100) == 0:
        return "gelijk"
    return f"{'+' if change > 0 else '−'}{format_number(abs(change) * 100, 0)}%"


def _outlier(now: float | None, earlier: list[float | None]) -> str:
    """A figure far from the mean of the periods before it (only figures the tables show)."""
    shown = [e for e in earlier if e is not None]
    if now is None or not shown:
        return ""
    mean = sum(shown) / len(shown)
    if now == 0 and mean > 0:
        return "uitschieter: 0, terwijl er eerder wel activiteit was"
    if mean > 0 and abs(now - mean) > OUTLIER_DEVIATION * mean:
        direction = "boven" if now > mean else "onder"
        return (f"uitschieter: {format_number(abs(now - mean) / mean * 100, 0)}% {direction} het "
                f"gemiddelde van de {len(shown)} periode{'n' if len(shown) > 1 else ''} ervoor")
    return ""


def counts_section(wijk: Wijk, period: Period) -> Section:
    """Part 1: the approved returns of the wijk, against the period before and a year before.

    Every figure comes from :func:`key_figures` (the protected publication tables): a
    change or outlier is computed only from figures the table shows itself, so it never
    gives away a hidden count.
    """
    earlier = [period_by_ordinal(period.ordinal - k) for k in (1, 2, 3)]
    previous, last_year = earlier[0], earlier[2]
    figures = key_figures(period, wijk_id=wijk.id)
    before = {p.id: key_figures(p, wijk_id=wijk.id) for p in earlier if p is not None}
    now_values = _values(figures)
    prev_values = _values(before.get(previous.id) if previous else None)
    year_values = _values(before.get(last_year.id) if last_year else None)
    history = [_values(before.get(p.id) if p else None) for p in earlier]
    prev_texts = [t for _, t in _texts(before[previous.id])] if previous else ["—"] * len(ROWS)
    year_texts = [t for _, t in _texts(before[last_year.id])] if last_year else ["—"] * len(ROWS)
    rows, outliers = [], []
    for i, ((label, text), (_, _, kind)) in enumerate(zip(_texts(figures), ROWS, strict=True)):
        flag = _outlier(now_values[i], [h[i] for h in history])
        rows.append([label, text, prev_texts[i], _change(now_values[i], prev_values[i], kind),
                     year_texts[i], _change(now_values[i], year_values[i], kind), flag or "—"])
        if flag:
            outliers.append(f"{label}: {flag}.")
    matrix = completeness(period, {wijk.id})
    missing = [f"Opgave {org.name} voor {wijk.name}: "
               + (ret.status.label.lower() if ret else "nog niet begonnen")
               for org in matrix.organisations
               if (org.id, wijk.id) in matrix.expected_keys
               for ret in [matrix.cells.get((org.id, wijk.id))]
               if ret is None or not ret.status.approved]
    headers = ["Cijfer", period.label, previous.label if previous else "vorige periode",
               "t.o.v. vorige periode", last_year.label if last_year else "vorig jaar",
               "t.o.v. zelfde periode vorig jaar", "Opvallend"]
    notes = ["Begrote uren gelden voor een hele organisatie en staan daarom niet per wijk in dit "
             "overzicht; zie het dashboard Tellen per organisatie.",
             "Veranderingen en uitschieters (meer dan 50% afwijking van het gemiddelde van de drie "
             "perioden ervoor) zijn alleen berekend uit cijfers die in de tabel staan; bij <5 of × "
             "staat er —. Aandelen veranderen in procentpunten."]
    return Section(
        key="counts", title="Tellen: uren, cliënten en meldingen", part=1,
        intro=f"Uit de goedgekeurde opgaven van de organisaties voor {wijk.name} ({period.covers}), "
              "naast de periode ervoor en dezelfde periode een jaar eerder. Aantallen personen onder "
              "de 5 staan als <5.",
        tables=[Table(f"Kerncijfers {wijk.name}", headers, rows, numeric=[1, 2, 3, 4, 5])],
        items=outliers, notes=notes, missing=missing)


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

"""Sections the other modules contribute to the monitorgesprek (adapters to their services).

Each adapter turns a module's service result into a :class:`Section` of formatted,
suppressed figures; the session, dossier, PDF and Word export render exactly these.
"""

from __future__ import annotations

from flask import Flask

from ..models import Period, Wijk
from ..templating import format_number, format_percent
from .assembly import Section, Table, register_provider


def _stats_text(stats) -> str:
    if stats is None:
        return "geen gegevens"
    if stats.mean is None:  # masked for outsiders: "<5" or "×"
        return str(stats.n)
    return f"{format_number(stats.mean, 1)} (n={stats.n})"


def qim_section(wijk: Wijk, period: Period) -> Section:
    """Part 1: the stakeholders' judgements per quality, per buurt and for the wijk."""
    from ..qim import rounds_lacking_judgements, wijk_results
    from ..qim.results import protect_wijk

    results = wijk_results(wijk.id, period.id)
    protect_wijk(results)  # the dossier goes to everyone at the table
    missing = [
        f"QIM {m.buurt.name}: " + ("nog geen oordeelronde geopend" if m.round is None
                                   else f"{len(m.missing)} combinatie(s) kwaliteit/groep zonder oordeel")
        for m in rounds_lacking_judgements(wijk.id, period.id)]
    section = Section(
        key="qim", title="Kwaliteiten: het oordeel van belanghebbenden", part=1,
        intro="Gemiddeld oordeel (1–10) per kwaliteit, met het aantal oordelen (n).",
        missing=missing, empty_text="Er zijn geen oordelen over kwaliteiten in deze periode.")
    if results is None or not results.qualities:
        return section
    headers = ["Kwaliteit", f"Hele wijk {wijk.name}"] + [f"Buurt {b.name}" for b in results.buurten]
    rows = []
    for row in results.qualities:
        cells = [_stats_text(c.stats) if (c.stats or c.intended) else "—" for c in row.buurten]
        rows.append([row.quality.name, _stats_text(row.overall), *cells])
    section.tables.append(Table(f"Oordelen per kwaliteit, {period.label}", headers, rows,
                                numeric=list(range(1, len(headers)))))
    section.notes.append("<5: minder dan 5 oordelen, niet getoond; ×: niet getoond zodat een kleine "
                         "groep niet uit het wijkcijfer terug te rekenen is. "
                         "'geen gegevens': de kwaliteit is beoogd, maar (nog) niet beoordeeld; "
                         "'—': niet beoogd in deze buurt.")
    return section


def outcomes_section(wijk: Wijk, period: Period) -> Section:
    """Part 1: ZRM and participatieladder outcomes against the 50% targets (suppressed)."""
    from ..qim.outcomes.services import outcomes_for_wijk

    report = outcomes_for_wijk(wijk.id, period, period)
    rows = []
    for indicator in report.indicators:
        cell = indicator.total
        if cell.n == 0 and not cell.hide_n:
            continue
        interval = cell.interval
        share = "—" if cell.share is None else format_percent(cell.share)
        if interval:
            share += f" ({format_percent(interval[0])}–{format_percent(interval[1])})"
        rows.append([indicator.label, cell.n_text, cell.improved_text, share, cell.verdict])
    return Section(
        key="outcomes", title="Uitkomsten voor cliënten: zelfredzaamheid en participatie", part=1,
        intro="Aandeel cliënten dat vooruitging, tegen de streefwaarde van 50%, met het 95%-interval "
              "(Wilson). Aantallen onder de 5 worden getoond als <5.",
        tables=[Table(f"Uitkomsten tegen de streefwaarde, {period.covers}",
                      ["Indicator", "Aantal (n)", "Vooruit", "Aandeel (95%-interval)", "Streefwaarde 50%"],
                      rows, numeric=[1, 2, 3])] if rows else [],
        empty_text="Geen afgeronde metingen in deze periode.")


def story_source(wijk: Wijk, period: Period) -> list[dict]:
    """Published, public stories of the wijk to choose from (newest first).

    Only "openbaar" stories: the dossier goes to everyone at the table, residents included.
    """
    from ..narratives.services import published_stories

    return [{"id": s.id, "title": s.title, "summary": s.summary}
            for s in published_stories(wijk.id, visibilities=["openbaar"])[:100]]


def story_feedback(story_id: int, session_title: str, why: str) -> None:
    """Tell the storyteller, on their private page, why the session chose their story."""
    from ..narratives.services import add_feedback

    add_feedback(story_id, session_title, why)


def register_module_providers(app: Flask) -> None:
    """Register the adapters of the modules this app has."""
    if "narratives" in app.blueprints:
        from ..narratives.services import kept_title, still_published, withdrawn

        app.extensions["session_story_source"] = story_source
        app.extensions["session_story_feedback"] = story_feedback
        # The dossier's audience is everyone at the table: a story narrowed to raad or
        # intern after it was chosen is no longer there for them, as if withdrawn.
        app.extensions["session_story_published"] = lambda ids: still_published(ids, ["openbaar"])
        app.extensions["session_story_withdrawn"] = withdrawn
        app.extensions["session_story_title"] = kept_title
    if "counts" in app.blueprints:
        from .services import register_annual_provider

        register_provider(app, 20, "counts", counts_section)
        register_annual_provider(app, 20, "counts_year", counts_annual_section)
    register_provider(app, 30, "qim", qim_section)
    if "outcomes" in app.blueprints:
        register_provider(app, 40, "outcomes", outcomes_section)


def _chart_value(chart, label: str, series_label: str) -> str:
    """The table text of one series in one row of a counts chart ("—" when absent)."""
    for row_label, cells in chart.table_rows():
        if row_label == label:
            index = [s.label for s in chart.series].index(series_label)
            return cells[index][1]
    return "—"


COUNT_ROWS = [  # (chart id, series label, row label in the session)
    ("uren", "Gerealiseerde uren", "Uren sociaal werk"),
    ("clienten", "Totaal", "Cliënten (alle soorten dienstverlening)"),
    ("aantallen", "Nieuwe meldingen", "Nieuwe meldingen"),
    ("aandelen", "Meldingen via het Sociaal Plein", "Aandeel meldingen via het Sociaal Plein"),
    ("aantallen", "Afgesloten trajecten", "Afgesloten trajecten"),
    ("aandelen", "Trajecten afgesloten binnen zes maanden", "Aandeel afgesloten binnen zes maanden"),
    ("gemiddelden", "Uren per traject", "Gemiddeld aantal uren per afgesloten traject"),
    ("caseload", "Cliënten per FTE", "Caseload (cliënten per FTE)"),
    ("aantallen", "Actieve vrijwilligers", "Actieve vrijwilligers"),
]


def counts_section(wijk: Wijk, period: Period) -> Section:
    """Part 1: the approved returns of the wijk, against the same period last year."""
    import sqlalchemy as sa

    from ..counts import dashboards
    from ..counts.services import completeness
    from ..extensions import db

    last_year = db.session.scalar(sa.select(Period).where(
        Period.year == period.year - 1, Period.tertial == period.tertial))
    first = last_year or period
    dash = dashboards.build_for_outsiders(dashboards.Filters(first, period, wijk_id=wijk.id))
    charts = {c.id: c for c in dash.charts}
    rows = []
    for chart_id, series, label in COUNT_ROWS:
        chart = charts[chart_id]
        rows.append([label, _chart_value(chart, period.label, series),
                     _chart_value(chart, last_year.label, series) if last_year else "—"])
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

    Counts of persons come from the protected publication tables (as for every outsider).
    """
    import sqlalchemy as sa

    from ..counts import dashboards
    from ..counts.publication import Counts
    from ..extensions import db
    from .models import ReportScope

    periods = list(db.session.scalars(sa.select(Period).where(Period.year == report.year)
                                      .order_by(Period.tertial)))
    if len(periods) != 3:
        return None
    filters = dashboards.Filters(periods[0], periods[2])
    levels: dict = {}
    if report.scope == ReportScope.WIJK:
        filters.wijk_id = levels["wijk"] = report.wijk_id
    else:
        filters.organisation_id = levels["organisation"] = report.organisation_id
    dash = dashboards.build_for_outsiders(filters)
    hours = next(s.values for s in {c.id: c for c in dash.charts}["uren"].series
                 if s.label == "Gerealiseerde uren")
    counted = any(v is not None for v in hours)
    rows = [["Uren sociaal werk", *["—" if v is None else format_number(v) for v in hours],
             format_number(sum(v for v in hours if v is not None)) if counted else "—"]]
    counts = Counts(protected=True)
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

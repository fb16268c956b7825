"""Sections the other modules contribute to the monitorgesprek (adapters to their services).

Each adapter turns a module's service result into a :class:`Section` of formatted,
suppressed figures; the session, dossier, PDF and Word export render exactly these.
"""

from __future__ import annotations

from flask import Flask

from ..models import Period, Wijk
from ..privacy import SMALL_CELL
from ..templating import format_number, format_percent
from .assembly import Section, Table, register_provider


def _stats_text(stats) -> str:
    if stats is None:
        return "geen gegevens"
    if stats.n < SMALL_CELL:  # a count of respondents: never shown below 5 outside
        return f"{format_number(stats.mean, 1)} (n<5)*"
    return f"{format_number(stats.mean, 1)} (n={stats.n})"


def qim_section(wijk: Wijk, period: Period) -> Section:
    """Part 1: the stakeholders' judgements per quality, per buurt and for the wijk."""
    from ..qim import rounds_lacking_judgements, wijk_results

    results = wijk_results(wijk.id, period.id)
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
    section.notes.append("* minder dan 5 oordelen: lees dit cijfer met voorzichtigheid. "
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
        if cell.n == 0:
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


def register_module_providers(app: Flask) -> None:
    """Register the adapters of the modules this app has."""
    register_provider(app, 30, "qim", qim_section)
    if "outcomes" in app.blueprints:
        register_provider(app, 40, "outcomes", outcomes_section)

"""Sections the other modules contribute to the monitorgesprek (adapters to their services).

Each adapter turns a module's service result into a :class:`Section` of formatted,
suppressed figures; the session, dossier, PDF and Word export render exactly these.
"""

from __future__ import annotations

from flask import Flask

from ..models import Period, Wijk
from ..privacy import SMALL_CELL
from ..templating import format_number
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


def register_module_providers(app: Flask) -> None:
    """Register the adapters of the modules this app has."""
    register_provider(app, 30, "qim", qim_section)

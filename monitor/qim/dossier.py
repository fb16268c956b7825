"""What QIM contributes to the monitorgesprek: the stakeholders' judgements per quality."""

from __future__ import annotations

from flask import Flask

from ..models import Period, Wijk
from ..registry import Section, Table, add_dossier_section
from ..templating import format_number
from .results import protect_wijk, rounds_lacking_judgements, wijk_results


def register(app: Flask) -> None:
    """Add the QIM section to the monitorgesprek."""
    add_dossier_section(app, 30, "qim", dossier_section)


def _stats_text(stats) -> str:
    if stats is None:
        return "geen gegevens"
    if stats.mean is None:  # masked for outsiders: "<5" or "×"
        return str(stats.n)
    return f"{format_number(stats.mean, 1)} (n={stats.n})"


def dossier_section(wijk: Wijk, period: Period) -> Section:
    """Part 1: the stakeholders' judgements per quality, per buurt and for the wijk."""
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

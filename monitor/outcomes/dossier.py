"""What client outcomes contribute to the monitorgesprek: ZRM and ladder against the targets."""

from __future__ import annotations

from flask import Flask

from ..models import Period, Wijk
from ..registry import Section, Table, add_dossier_section
from ..templating import format_percent
from .services import outcomes_for_wijk


def register(app: Flask) -> None:
    """Add the outcomes section to the monitorgesprek."""
    add_dossier_section(app, 40, "outcomes", outcomes_section)


def outcomes_section(wijk: Wijk, period: Period) -> Section:
    """Part 1: ZRM and participatieladder outcomes against the 50% targets (suppressed)."""
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

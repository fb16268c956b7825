"""What client outcomes contribute to the jaarrapportage: the year against the 50% targets.

Always as outsiders see them (the year's publication tables): the outcomes module shows
unsuppressed figures only to the organisation's own workers, and the report is also read
by the accounthouder.
"""

from __future__ import annotations

from datetime import date

from flask import Flask

from ..registry import Section, Table, add_annual_section
from ..templating import format_percent
from .reports import Filters, build_report, collect_observations


def register(app: Flask) -> None:
    """Add the year's outcomes to the annual report."""
    add_annual_section(app, 40, "outcomes_year", outcomes_annual_section)


def outcomes_annual_section(report) -> Section:
    """ZRM and participatieladder over the year of the report's wijk or organisation."""
    levels = {"wijk_id": report.wijk_id} if report.scope == "wijk" else {"organisation_id": report.organisation_id}
    filters = Filters(first=date(report.year, 1, 1), last=date(report.year, 12, 31), **levels)
    outcome = build_report(collect_observations(filters), filters, "totaal", suppress=True)
    rows = []
    for indicator in outcome.indicators:
        cell = indicator.total
        if cell.n == 0 and not cell.hide_n:
            continue
        interval = cell.interval
        share = "—" if cell.share is None else format_percent(cell.share)
        interval_text = f"{format_percent(interval[0])}–{format_percent(interval[1])}" if interval else "—"
        rows.append([indicator.label, cell.n_text, cell.improved_text, share, interval_text, cell.verdict])
    return Section(
        key="outcomes_year", title=f"Uitkomsten voor cliënten in {report.year}", part=1,
        intro="Aandeel trajecten dat vooruitging, tegen de streefwaarde van 50% (bron 003): bij de "
              "participatieladder minstens één trede, bij de ZRM minstens één punt per domein. Met het "
              "95%-betrouwbaarheidsinterval (Wilson). Aantallen onder de 5 staan als <5; een aandeel "
              "alleen bij 10 of meer metingen.",
        tables=[Table(f"Uitkomsten {report.year} — {report.subject}",
                      ["Indicator", "Aantal (n)", "Vooruit", "Aandeel", "95%-interval", "Streefwaarde 50%"],
                      rows, numeric=[1, 2, 3])] if rows else [],
        notes=[outcome.refusal] if outcome.refusal else [],
        empty_text="Geen afgeronde metingen in dit jaar.")

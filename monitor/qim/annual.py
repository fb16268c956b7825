"""What QIM contributes to the jaarrapportage: the year's judgements per quality and wijk.

Per wijk the report covers, the pooled judgement of its buurten per quality in each
tertial, masked as for every outsider (judgements are the stakeholders', not the
organisation's own figures).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from ..extensions import db
from ..models import Period, Wijk
from ..registry import Section, Table, add_annual_section
from .dossier import stats_text
from .results import protect_wijk, wijk_results


def register(app: Flask) -> None:
    """Add the year's QIM results to the annual report."""
    add_annual_section(app, 30, "qim_year", qim_annual_section)


def qim_annual_section(report) -> Section | None:
    """Mean judgement (n) per quality per tertial, one table per wijk with judgements."""
    periods = list(db.session.scalars(sa.select(Period).where(Period.year == report.year).order_by(Period.tertial)))
    if not periods:
        return None
    wijk_ids = list(getattr(report, "wijk_ids", None) or ([report.wijk_id] if report.wijk_id else []))
    section = Section(key="qim_year", title=f"Kwaliteiten: het oordeel van belanghebbenden in {report.year}",
                      part=1, intro="Gemiddeld oordeel (1–10) per kwaliteit over alle buurten van de wijk, "
                                    "per tertiaal, met het aantal oordelen (n).",
                      empty_text="Er zijn in dit jaar geen oordelen over kwaliteiten gegeven.")
    for wijk in db.session.scalars(sa.select(Wijk).where(Wijk.id.in_(wijk_ids or [-1])).order_by(Wijk.name)):
        per_period = {}
        names: dict[int, str] = {}
        for period in periods:
            results = wijk_results(wijk.id, period.id)
            protect_wijk(results)
            for row in (results.qualities if results else []):
                names[row.quality.id] = row.quality.name
                per_period[(row.quality.id, period.id)] = row.overall
        if not names:
            continue
        rows = [[name, *[stats_text(per_period.get((qid, p.id))) for p in periods]] for qid, name in names.items()]
        section.tables.append(Table(f"Oordelen per kwaliteit {report.year} — {wijk.name}",
                                    ["Kwaliteit", *[p.label for p in periods]], rows,
                                    numeric=list(range(1, len(periods) + 1))))
    if section.tables:
        section.notes.append("<5: minder dan 5 oordelen, niet getoond; ×: niet getoond zodat een kleine groep "
                             "niet terug te rekenen is; 'geen gegevens': niet beoordeeld in dat tertiaal.")
    return section

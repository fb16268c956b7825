"""CSV (Dutch: semicolons, decimal comma, UTF-8 with BOM) and XLSX exports of tables."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import Period, ServiceType, Specialism
from ..spreadsheets import safe_cell, safe_row, xlsx_value
from .dashboards import APPROVED, ORDINAL, Dashboard
from .figures import SCALARS
from .models import CountReturn

Table = tuple[str, list[str], list[list[Any]]]  # title, header, rows


def dashboard_tables(dash: Dashboard) -> list[Table]:
    """The dashboard's tables exactly as shown (suppressed cells stay "<5")."""
    tables = []
    for chart in [*dash.breakdowns, *dash.charts]:
        header = [chart.first_header] + [s.label + (" (%)" if s.kind == "share" else "") for s in chart.series]
        rows = [[label] + [value for value, _ in cells] for label, cells in zip(chart.labels, chart.cells(), strict=True)]
        tables.append((chart.title, header, rows))
    return tables


def raw_returns_table(first: Period, last: Period) -> Table:
    """Every approved (or locked) return in the period range, one row each."""
    lo, hi = sorted((first.ordinal, last.ordinal))
    specs = list(db.session.scalars(sa.select(Specialism).order_by(Specialism.position)))
    types = list(db.session.scalars(sa.select(ServiceType).order_by(ServiceType.position)))
    rets = db.session.scalars(sa.select(CountReturn).join(Period).where(
        CountReturn.status.in_(APPROVED), ORDINAL.between(lo, hi)).order_by(Period.year, Period.tertial, CountReturn.id))
    # People read the export: Dutch column names (the JSON API keeps its machine keys).
    header = (["Organisatie", "Wijk", "Jaar", "Tertiaal", "Status"] + [f.label for f in SCALARS]
              + [f"Uren {s.name}" for s in specs] + [f"Cliënten {s.name}" for s in types] + ["Toelichting"])
    rows = []
    for r in rets:
        hours, clients = r.hours_by_specialism, r.clients_by_service
        rows.append([r.organisation.name, r.area.name, r.period.year, r.period.tertial, r.status.label]
                    + ["niet geregistreerd" if f.key in (r.not_registered or []) else getattr(r, f.key)
                       for f in SCALARS]
                    + [hours.get(s.id) for s in specs] + [clients.get(s.id) for s in types] + [r.explanation])
    return (f"Goedgekeurde opgaven {first.label} – {last.label}", header, rows)


def _csv_value(value: Any) -> str:
    value = safe_cell(value)
    if value is None:
        return ""
    if isinstance(value, float | Decimal):
        return f"{value}".replace(".", ",")
    return str(value)


def to_csv(tables: Sequence[Table]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for index, (title, header, rows) in enumerate(tables):
        if len(tables) > 1:
            if index:
                writer.writerow([])
            writer.writerow(safe_row([title]))
        writer.writerow(safe_row(header))
        for row in rows:
            writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(tables: Sequence[Table]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for index, (title, header, rows) in enumerate(tables, start=1):
        name = "".join(c for c in title if c not in "[]:*?/\\")[:28] or f"Tabel {index}"
        ws = wb.create_sheet(f"{index} {name}"[:31])
        ws.append([xlsx_value(v) for v in header])
        for row in rows:
            ws.append([xlsx_value(v) for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

"""Bar charts of dossier tables as SVG: the same on screen, in print, in the PDF (vector).

A chart is drawn from the *formatted* cells of a :class:`~monitor.registry.Table`, never
from other data: what the table hides ("<5", "×", "—") is a gap in the chart, so chart and
table cannot disagree and a chart never shows a protected figure. No script and no style
attribute (the Content-Security-Policy): colours are SVG presentation attributes.
"""

from __future__ import annotations

import math
import re
from typing import Any

from markupsafe import Markup, escape

PALETTE = ["#01689b", "#e17000", "#39870c", "#a90061", "#42145f", "#8fcae7"]
NUMBER = re.compile(r"^\s*([+−-]?\d{1,3}(?:\.\d{3})*(?:,\d+)?|[+−-]?\d+(?:,\d+)?)")

LABEL_WIDTH, BAR_WIDTH, VALUE_WIDTH = 210, 330, 90
BAR, GAP, TOP = 12, 10, 8


def parse_number(text: Any) -> float | None:
    """The leading Dutch number of a formatted cell ("1.234,5", "7,5 (n=8)", "45%"), else ``None``."""
    match = NUMBER.match(str(text or ""))
    if match is None:
        return None
    return float(match.group(1).replace("−", "-").replace(".", "").replace(",", "."))


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover


def _get(table: Any, name: str, default: Any = None) -> Any:
    return table.get(name, default) if isinstance(table, dict) else getattr(table, name, default)


def chart_svg(table: Any, chart_id: str = "grafiek") -> Markup:
    """An SVG bar chart of ``table`` (a Table or its frozen dict) when it asks for one, else ``""``."""
    kind = _get(table, "chart", "")
    if not kind:
        return Markup("")
    headers, rows = _get(table, "headers", []), _get(table, "rows", [])
    columns = list(_get(table, "chart_columns", []) or _get(table, "numeric", []))
    if kind == "bars":
        columns = columns[:1]
    values = [[parse_number(row[c]) if c < len(row) else None for c in columns] for row in rows]
    shown = [v for line in values for v in line if v is not None]
    if not rows or not columns or not shown:
        return Markup("")
    scale = _nice_max(max(shown))
    group_height = BAR * len(columns) + GAP
    legend_height = 18 if len(columns) > 1 else 0
    height = TOP + legend_height + group_height * len(rows) + 22
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    title_id = f"{chart_id}-titel"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="dossier-chart" role="img" '
             f'aria-labelledby="{escape(title_id)}" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" font-family="DejaVu Sans, Liberation Sans, sans-serif" '
             f'font-size="10">',
             f'<title id="{escape(title_id)}">Grafiek: {escape(_get(table, "caption", ""))} '
             f'(de cijfers staan in de tabel)</title>']
    if legend_height:
        x = LABEL_WIDTH
        for i, c in enumerate(columns):
            parts.append(f'<rect x="{x}" y="{TOP}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>')
            label = str(headers[c]) if c < len(headers) else ""
            parts.append(f'<text x="{x + 14}" y="{TOP + 9}" fill="#222">{escape(label)}</text>')
            x += 24 + 6 * len(label)
    y = TOP + legend_height
    for row, line in zip(rows, values, strict=True):
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR * len(columns) / 2 + 4:.1f}" '
                     f'text-anchor="end" fill="#222">{escape(str(row[0])[:38])}</text>')
        for i, value in enumerate(line):
            top = y + i * BAR
            if value is None:
                parts.append(f'<text x="{LABEL_WIDTH + 2}" y="{top + BAR - 3}" fill="#555">'
                             f'{escape(str(row[columns[i]]))}</text>')
                continue
            length = max(0.0, value) / scale * BAR_WIDTH
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{top + 1}" width="{length:.1f}" height="{BAR - 2}" '
                         f'fill="{PALETTE[i % len(PALETTE)]}"/>')
            parts.append(f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{top + BAR - 3}" fill="#222">'
                         f'{escape(str(row[columns[i]]).split(" (")[0])}</text>')
        y += group_height
    axis = y + 4
    parts.append(f'<line x1="{LABEL_WIDTH}" y1="{TOP + legend_height}" x2="{LABEL_WIDTH}" y2="{axis}" '
                 f'stroke="#555" stroke-width="1"/>')
    for k in range(5):
        tick = scale * k / 4
        x = LABEL_WIDTH + BAR_WIDTH * k / 4
        text = f"{tick:.1f}".rstrip("0").rstrip(".").replace(".", ",")
        parts.append(f'<line x1="{x:.1f}" y1="{axis}" x2="{x:.1f}" y2="{axis + 4}" stroke="#555" stroke-width="1"/>')
        parts.append(f'<text x="{x:.1f}" y="{axis + 15}" text-anchor="middle" fill="#444">{text}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text above is escaped)

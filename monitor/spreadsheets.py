"""Cells for CSV and XLSX exports that a spreadsheet never runs as a formula.

Excel, LibreOffice and Google Sheets evaluate a cell that starts with ``=``, ``+``,
``-`` or ``@`` (and some also after a tab or carriage return) as a formula, so an
explanation typed as ``=HYPERLINK("http://…","klik")`` would become a live link or
worse in the file a municipality employee opens (OWASP "CSV injection"). Every
exporter passes its cell values through :func:`safe_cell`: text that starts with one
of those characters gets a leading apostrophe (shown as text, never evaluated); real
numbers stay numbers, so a negative figure is still a number.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Return ``value`` safe to put in a spreadsheet cell.

    :param value: a cell value; strings are neutralised, numbers, dates and ``None``
        come back unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: list[Any] | tuple[Any, ...]) -> list[Any]:
    """:func:`safe_cell` for every value of a row."""
    return [safe_cell(v) for v in values]


def xlsx_value(value: Any) -> Any:
    """A neutralised cell value for openpyxl (``Decimal`` as ``float``)."""
    value = safe_cell(value)
    return float(value) if isinstance(value, Decimal) else value

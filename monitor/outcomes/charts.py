"""The outcome report's chart: each indicator's share against the 50% target with its 95% interval."""

from __future__ import annotations

from typing import Any

from .instruments import TARGET_SHARE
from .reports import OutcomeReport


def _percent(value: float) -> float:
    return round(value * 100, 1)


def overview_chart(report: OutcomeReport | None) -> dict[str, Any] | None:
    """Chart.js data for the overview (the table beside it holds the same figures).

    A share that is hidden (fewer than 10 measurements, or protected) is a gap, as in the table.
    """
    if report is None or report.refusal or not report.indicators:
        return None
    labels, shares, intervals = [], [], []
    for indicator in report.indicators:
        cell = indicator.total
        labels.append(indicator.label.split(":")[0])
        shares.append(_percent(cell.share) if cell.share is not None else None)
        intervals.append([_percent(cell.interval[0]), _percent(cell.interval[1])] if cell.interval else None)
    return {"labels": labels, "shares": shares, "intervals": intervals, "target": _percent(TARGET_SHARE),
            "title": "Aandeel verbeterd per indicator, met 95%-interval en de streefwaarde van 50%"}

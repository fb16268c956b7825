"""Plausibility warnings for a first return (issue 18): without earlier periods to compare
with, a return is compared with what else is known — the hours one FTE can make and the
organisation's planned hours. Warnings never block saving; submitting needs an explanation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import Organisation, Period, Specialism
from .figures import HOURS_PREFIX, format_decimal, hours_key, weeks_in
from .models import PlannedHours
from .werkgebied import reports_for

# Fewer hours than this per FTE per week is implausible for people paid for that time.
MIN_HOURS_PER_FTE_WEEK = Decimal(8)
# Hours of one specialism more than this factor above (or below its inverse) the planned share.
PLANNED_FACTOR = Decimal(2)


def first_return_warnings(organisation_id: int, period: Period, values: dict[str, Any],
                          errors: dict[str, str]) -> dict[str, str]:
    """Warnings by field for a return that has no earlier periods to compare with."""
    warnings: dict[str, str] = {}
    weeks = weeks_in(period)
    total_hours = sum(v or 0 for k, v in values.items() if k.startswith(HOURS_PREFIX) and k not in errors)
    fte = values.get("fte") if "fte" not in errors else None
    if fte and total_hours and Decimal(total_hours) / (Decimal(fte) * weeks) < MIN_HOURS_PER_FTE_WEEK:
        per_week = (Decimal(total_hours) / (Decimal(fte) * weeks)).quantize(Decimal("0.1"))
        warnings["fte"] = (f"{format_decimal(per_week)} uur per week per FTE is weinig "
                           f"(verwacht: minstens {MIN_HOURS_PER_FTE_WEEK}). Klopt de FTE?")
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        return warnings
    wijk_ids, citywide = reports_for(organisation, period)
    areas = len(wijk_ids) + (1 if citywide else 0)
    if not areas:
        return warnings
    plans = db.session.execute(sa.select(Specialism.code, PlannedHours.hours_per_week).join(
        Specialism, Specialism.id == PlannedHours.specialism_id).where(
        PlannedHours.organisation_id == organisation_id, PlannedHours.year == period.year)).all()
    for code, per_week in plans:
        key = hours_key(code)
        hours = values.get(key)
        if key in errors or hours is None or not per_week:
            continue
        share = Decimal(per_week) * weeks / areas  # the planned hours spread evenly over the werkgebied
        if Decimal(hours) > share * PLANNED_FACTOR or Decimal(hours) < share / PLANNED_FACTOR:
            warnings[key] = (f"Begroot is ongeveer {format_decimal(share.quantize(Decimal('1')))} uur voor deze "
                             f"wijk in deze periode (de begrote uren van de organisatie verdeeld over "
                             f"{areas} gebied{'en' if areas > 1 else ''}). Klopt dit?")
    return warnings

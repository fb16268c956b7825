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
                          errors: dict[str, str], wijk_id: int | None = None) -> dict[str, str]:
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
    split = {}
    if wijk_id is not None:
        from .planned_wijk import for_wijk

        split = {spec: v for (_, spec, _), v in for_wijk(wijk_id, {period.year}, [organisation_id], None).items()}
    spec_ids = dict(db.session.execute(sa.select(Specialism.code, Specialism.id)).all())
    for code, per_week in plans:
        key = hours_key(code)
        hours = values.get(key)
        if key in errors or hours is None or not per_week:
            continue
        in_wijk = split.get(spec_ids.get(code))
        if in_wijk:  # the organisation's own split of its budget over the wijken
            share = Decimal(in_wijk) * weeks
            how = "volgens de verdeling van de begroting per wijk"
        else:
            share = Decimal(per_week) * weeks / areas  # the planned hours spread evenly over the werkgebied
            how = f"de begrote uren van de organisatie verdeeld over {areas} gebied{'en' if areas > 1 else ''}"
        if Decimal(hours) > share * PLANNED_FACTOR or Decimal(hours) < share / PLANNED_FACTOR:
            warnings[key] = (f"Begroot is ongeveer {format_decimal(share.quantize(Decimal('1')))} uur voor deze "
                             f"wijk in deze periode ({how}). Klopt dit?")
    return warnings


# A first return's ratio this many times above (or below its inverse) the other organisations'.
PEER_FACTOR = Decimal(3)
MIN_PEERS = 2  # never compare with one other organisation: the warning would describe its figures
PEER_RATIOS = (
    ("closed_hours", "closed_total", "uren per afgesloten traject"),
    ("closed_contact_moments", "closed_total", "contactmomenten per afgesloten traject"),
)


def peer_warnings(organisation_id: int, wijk_id: int | None, period: Period, values: dict[str, Any],
                  errors: dict[str, str]) -> dict[str, str]:
    """Warnings for a first return that differs strongly from the other organisations that
    report for the same wijk (their submitted or approved returns of this period, else of
    the period before). The message never names another organisation's figure."""
    from .models import CountReturn, ReturnStatus

    if wijk_id is None:
        return {}
    counted = (ReturnStatus.INGEDIEND, ReturnStatus.GOEDGEKEURD, ReturnStatus.VERGRENDELD)
    for ordinal in (period.ordinal, period.ordinal - 1):
        peers = list(db.session.scalars(sa.select(CountReturn).join(Period).where(
            CountReturn.wijk_id == wijk_id, CountReturn.organisation_id != organisation_id,
            CountReturn.status.in_(counted), (Period.year * 3 + Period.tertial - 1) == ordinal)))
        if len(peers) >= MIN_PEERS:
            break
    else:
        return {}
    warnings: dict[str, str] = {}
    for numerator, denominator, label in PEER_RATIOS:
        mine_n, mine_d = values.get(numerator), values.get(denominator)
        if numerator in errors or denominator in errors or not mine_n or not mine_d:
            continue
        ratios = sorted(Decimal(getattr(p, numerator)) / getattr(p, denominator) for p in peers
                        if getattr(p, numerator) and getattr(p, denominator))
        if len(ratios) < MIN_PEERS:
            continue
        median = ratios[len(ratios) // 2] if len(ratios) % 2 else (ratios[len(ratios) // 2 - 1] + ratios[len(ratios) // 2]) / 2
        mine = Decimal(mine_n) / Decimal(mine_d)
        if mine > median * PEER_FACTOR or mine < median / PEER_FACTOR:
            warnings[numerator] = (f"Het aantal {label} ({format_decimal(mine.quantize(Decimal('0.1')))}) wijkt sterk "
                                   "af van wat de andere organisaties in deze wijk opgeven. Klopt het totaal?")
    return warnings

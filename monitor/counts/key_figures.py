"""The key figures of the approved returns of one period, as anyone outside the organisations sees them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .. import disclosure
from ..disclosure import Shown
from ..models import Period
from ..templating import format_number
from .dashboards import Filters, _conditions, _div, clients_totals, hours_totals, scalar_totals
from .models import CountReturn
from .publication import Counts

Ratio = Decimal | Shown | None  # Shown: hidden ("×") because the count of persons under it is


@dataclass
class KeyFigures:
    """Figures of one period for a wijk (all organisations) or an organisation (city-wide).

    ``None`` means no approved return (or no figure). Counts of persons are
    :class:`~monitor.disclosure.Shown` from the protected publication tables
    (``.text`` is the number, "<5" or "×"); shares only over visible counts of 10 or more.
    """

    period: Period
    returns: int  # approved returns counted
    hours: int | None  # realised hours of social work
    clients: Shown | None  # all service types together
    meldingen: Shown | None
    share_via_sociaal_plein: float | None
    closed: Shown | None  # closed trajectories
    share_closed_within_six_months: float | None
    hours_per_closed: Ratio  # hours per closed trajectory
    caseload: Ratio  # clients per FTE
    volunteers: Shown | None


def key_figures(period: Period, *, wijk_id: int | None = None,
                organisation_id: int | None = None) -> KeyFigures:
    """The key figures of ``period`` as outsiders may see them (the same as the dashboard shows them).

    :param wijk_id: one wijk, all organisations together.
    :param organisation_id: one organisation, city-wide.
    """
    cond = _conditions(Filters(period, period, wijk_id=wijk_id, organisation_id=organisation_id),
                       None, [period])
    totals = scalar_totals(cond, CountReturn.period_id).get(period.id)
    counts = Counts(protected=True)

    def c(measure: str, category=None) -> Shown:
        return counts.get(measure, period.year, tertial=period.tertial, category=category,
                          organisation=organisation_id, wijk=wijk_id)

    def ratio(numerator, count: Shown) -> Ratio:
        """A figure per person: hidden (×) when the count of persons is."""
        if count.hidden:
            return Shown(None, disclosure.State.SECONDARY)
        return _div(numerator, count.value)

    clients = c("clienten")
    # As on the dashboard: a hidden client count hides the caseload even without a return.
    caseload = ratio(None, clients) if clients.hidden else None
    if totals is None:
        return KeyFigures(period, 0, None, None, None, None, None, None, None, caseload, None)
    has_clients = bool(clients_totals(cond, CountReturn.period_id))
    if not clients.hidden:
        caseload = _div(clients.value, totals["fte"])
    return KeyFigures(
        period, totals["returns"],
        hours=hours_totals(cond, CountReturn.period_id).get((period.id,), 0),
        clients=clients if has_clients else None,
        meldingen=c("meldingen"),
        share_via_sociaal_plein=disclosure.share(c("meldingen", "sociaal_plein"), c("meldingen")),
        closed=c("afgesloten"),
        share_closed_within_six_months=disclosure.share(c("afgesloten", "binnen_zes_maanden"), c("afgesloten")),
        hours_per_closed=ratio(totals["closed_hours"], c("afgesloten")),
        caseload=caseload,
        volunteers=c("vrijwilligers"),
    )


# The main figures of a wijk for outsiders (the council's start page, a story's page).
MAIN_FIGURES = (
    ("hours", "Uren sociaal werk"),
    ("clients", "Cliënten"),
    ("meldingen", "Nieuwe meldingen"),
    ("closed", "Afgesloten trajecten"),
    ("volunteers", "Actieve vrijwilligers"),
)


def main_figures(figures: KeyFigures) -> list[tuple[str, str, int | None]]:
    """(label, text, comparable value) of the main figures; the value is ``None`` when the
    figure is hidden ("<5", "×") or absent, so no trend is drawn from it."""
    rows = []
    for key, label in MAIN_FIGURES:
        value = getattr(figures, key)
        if isinstance(value, Shown):
            rows.append((label, value.text, None if value.hidden else value.value))
        elif value is None:
            rows.append((label, "—", None))
        else:
            rows.append((label, format_number(value), int(value)))
    return rows

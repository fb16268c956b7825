"""The programme view's figures: results per party, money, derived costs, protected.

Disclosure (docs/privacy.md, "Programma's"): a party's results partition its meldingen
twice — via the Sociaal Plein or not; still running, closed within six months, closed
later — so a party's line is hidden as a whole (``<5``) when any of those parts counts
1–4 persons. When lines are hidden and the total is shown, the hidden lines together must
not give a small count back: for the outsider and for every hidden party (which knows its
own figures) the other hidden lines must be at least two and sum to 0 or at least 5 in
every part; otherwise the smallest visible line is hidden too (``×``), and when none is
left the totals are hidden. Derived figures (hours in total, cost per trajectory) are
shown only where the counts they are made of are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..disclosure import ABSENT, Shown, State, protect_groups, sensitive
from ..disclosure import share as disclosed_share
from .models import Programme, ProgrammeResult, SociaalPleinReview

PARTS = ("via_sp", "not_via_sp", "within", "later", "running")


@dataclass
class Party:
    """One party's results over the whole running time (spans summed)."""

    name: str
    organisation_id: int | None
    first: date
    last: date
    meldingen: int = 0
    via_sp: int | None = 0
    closed: int | None = 0
    within: int | None = 0
    hours: Decimal | None = Decimal(0)  # closed × hours per closed trajectory, summed
    contacts: Decimal | None = Decimal(0)
    spent: Decimal = Decimal(0)
    notes: list[str] = field(default_factory=list)

    def parts(self) -> dict[str, int | None]:
        m, v, c, w = self.meldingen, self.via_sp, self.closed, self.within
        return {"via_sp": v, "not_via_sp": None if v is None else m - v,
                "within": w, "later": None if c is None or w is None else c - w,
                "running": None if c is None else m - c}


@dataclass
class Line:
    """A line of the results table as the reader may see it."""

    name: str
    first: date | None
    last: date | None
    meldingen: Shown
    via_sp: Shown
    closed: Shown
    within: Shown
    later: Shown
    running: Shown
    share_via_sp: float | None
    share_within: float | None
    hours_per_closed: Decimal | None
    hours: Decimal | None
    contacts_per_closed: Decimal | None
    spent: Decimal | None
    cost_per_closed: Decimal | None
    cost_per_hour: Decimal | None
    hidden: bool = False
    partial: bool = False  # a total over the parties that register the figure


def _parties(results: list[ProgrammeResult]) -> list[Party]:
    parties: dict[str, Party] = {}
    for r in results:
        p = parties.get(r.party)
        if p is None:
            p = parties[r.party] = Party(r.party, r.organisation_id, r.date_from, r.date_to)
        p.first, p.last = min(p.first, r.date_from), max(p.last, r.date_to)
        p.meldingen += r.meldingen
        p.via_sp = None if p.via_sp is None or r.via_sociaal_plein is None else p.via_sp + r.via_sociaal_plein
        p.closed = None if p.closed is None or r.closed is None else p.closed + r.closed
        p.within = (None if p.within is None or r.closed_within_six_months is None
                    else p.within + r.closed_within_six_months)
        p.hours = (None if p.hours is None or r.hours_per_closed is None or r.closed is None
                   else p.hours + r.hours_per_closed * r.closed)
        p.contacts = (None if p.contacts is None or r.contacts_per_closed is None or r.closed is None
                      else p.contacts + r.contacts_per_closed * r.closed)
        if r.note:
            p.notes.append(r.note)
    return list(parties.values())


def hidden_parties(parties: list[Party]) -> tuple[set[int], bool]:
    """Which lines to hide, and whether the totals may be shown (see the module docstring)."""
    parts = [p.parts() for p in parties]
    hidden = {i for i, pp in enumerate(parts) if any(sensitive(v) for v in pp.values())}

    def safe() -> bool:
        for attacker in [None, *hidden]:
            others = hidden - {attacker}
            if not others:
                continue
            if len(others) < 2:
                return False
            for key in PARTS:
                if sensitive(sum(parts[i][key] or 0 for i in others)):
                    return False
        return True

    while not safe():
        visible = sorted((parties[i].meldingen, i) for i in range(len(parties))
                         if i not in hidden and parties[i].meldingen)
        if not visible:
            return hidden, False
        hidden.add(visible[0][1])
    return hidden, True


def _div(a: Decimal | int | None, b: Decimal | int | None, places: str = "0.01") -> Decimal | None:
    if a is None or not b:
        return None
    return (Decimal(a) / Decimal(b)).quantize(Decimal(places))


def _line(p: Party, *, hidden: bool, state: State, protected: bool) -> Line:
    def shown(value: int | None) -> Shown:
        if value is None:
            return ABSENT
        return Shown(None, state) if hidden else Shown(value)

    parts = p.parts()
    meldingen, closed = shown(p.meldingen), shown(p.closed)
    via, within = shown(parts["via_sp"]), shown(parts["within"])
    open_counts = not hidden
    hours = p.hours if open_counts and p.hours is not None and p.closed else None
    return Line(
        p.name, p.first, p.last, meldingen, via, closed, within, shown(parts["later"]),
        shown(parts["running"]),
        disclosed_share(via, meldingen, protected), disclosed_share(within, closed, protected),
        _div(hours, p.closed, "0.1") if open_counts else None, hours,
        _div(p.contacts, p.closed, "0.1") if open_counts and p.contacts is not None else None,
        p.spent or None,
        _div(p.spent, p.closed) if open_counts and p.spent else None,
        _div(p.spent, hours) if hours and p.spent else None,
        hidden=hidden)


@dataclass
class ProgrammeFigures:
    lines: list[Line]
    total: Line | None
    protected: bool
    hidden_any: bool
    money_years: list[tuple[int, list, dict[str, Decimal | None]]]
    money_total: dict[str, Decimal | None]
    unassigned_spent: Decimal
    reviews: list[dict]


def _sum(values) -> Decimal | None:
    values = [v for v in values if v is not None]
    return sum(values, Decimal(0)) if values else None


def programme_figures(programme: Programme, *, protected: bool) -> ProgrammeFigures:
    """Everything the programme page shows, protected for readers outside the municipality."""
    parties = _parties(programme.results)
    spent_by_org: dict[int | None, Decimal] = defaultdict(Decimal)
    for m in programme.money:
        spent_by_org[m.organisation_id] += m.spent or Decimal(0)
    for p in parties:
        if p.organisation_id is not None:
            p.spent = spent_by_org.pop(p.organisation_id, Decimal(0))
    hidden, totals_ok = hidden_parties(parties) if protected else (set(), True)
    primary = {i for i, p in enumerate(parties) if any(sensitive(v) for v in p.parts().values())}
    lines = [_line(p, hidden=i in hidden, protected=protected,
                   state=State.PRIMARY if i in primary else State.SECONDARY)
             for i, p in enumerate(parties)]
    total = None
    if parties:
        all_spent = sum((m.spent or Decimal(0) for m in programme.money), Decimal(0))
        def known(attr: str) -> int | Decimal | None:
            values = [getattr(p, attr) for p in parties if getattr(p, attr) is not None]
            return sum(values) if values else None

        summed = Party("Totaal", None, min(p.first for p in parties), max(p.last for p in parties),
                       meldingen=sum(p.meldingen for p in parties), via_sp=known("via_sp"),
                       closed=known("closed"), within=known("within"), hours=known("hours"),
                       contacts=None, spent=all_spent)
        partial = any(getattr(p, a) is None for p in parties for a in ("via_sp", "closed", "within"))
        total = _line(summed, hidden=not totals_ok, state=State.SECONDARY, protected=protected)
        total.partial = partial
        if any(p.closed is None for p in parties):  # the difference would mix in unknowns
            total.running, total.cost_per_closed, total.cost_per_hour = ABSENT, None, None
            total.share_within = total.share_within if all(p.within is not None for p in parties) else None
        if any(p.via_sp is None for p in parties):
            total.share_via_sp = None
    years: dict[int, list] = defaultdict(list)
    for m in programme.money:
        years[m.year].append(m)
    columns = ("budget", "forecast", "substitution", "spent")
    money_years = [(year, lines_, {c: _sum(getattr(m, c) for m in lines_) for c in columns})
                   for year, lines_ in sorted(years.items())]
    money_total = {c: _sum(getattr(m, c) for m in programme.money) for c in columns}
    return ProgrammeFigures(lines, total, protected, bool(hidden) or not totals_ok, money_years,
                            money_total, sum(spent_by_org.values(), Decimal(0)),
                            [review_figures(r, protected=protected) for r in programme.reviews])


REVIEW_OUTCOMES = {
    "combined_offer": "combinatie van ondersteuning op indicatie en in de wijk",
    "not_suitable": "niet geschikt om in de wijk op te pakken",
    "scaled_down_later": "binnen zes maanden afgeschaald naar de wijk",
    "scaled_down_now": "geen nieuwe indicatie, afgeschaald naar de wijk",
}
REVIEW_OTHERS = {
    "reduced_indications": "indicaties naar beneden bijgesteld in uren",
    "wmo_and_wijk": "inzet van Wmo en wijk samen",
    "not_extended": "indicatieperiode niet verlengd",
}


def review_figures(review: SociaalPleinReview, *, protected: bool) -> dict:
    """One review as shown: the outcomes of the discussed meldingen are protected as a
    partition of ``discussed`` (with the rest as "overig"), single counts on their own."""
    outcomes = [(key, getattr(review, key)) for key in REVIEW_OUTCOMES]
    known = [v for _, v in outcomes if v is not None]
    rest = review.discussed - sum(known)
    sizes = [v for _, v in outcomes] + [rest]
    if protected:
        states, pooled = protect_groups(sizes)
    else:
        states, pooled = [State.VISIBLE] * len(sizes), State.VISIBLE

    def shown(value: int | None, state: State) -> Shown:
        return ABSENT if value is None else (Shown(None, state) if state else Shown(value))

    def alone(value: int | None) -> State:
        return State.PRIMARY if protected and sensitive(value) else State.VISIBLE

    # Reviewed minus discussed (not discussed) is a count too: hide "reviewed" when it is small.
    reviewed_state = alone(review.reviewed) or (
        State.SECONDARY if protected and sensitive(review.reviewed - review.discussed) else State.VISIBLE)
    return {
        "review": review,
        "reviewed": shown(review.reviewed, reviewed_state),
        "discussed": shown(review.discussed, pooled),
        "outcomes": [(REVIEW_OUTCOMES[key], shown(value, states[i])) for i, (key, value) in enumerate(outcomes)],
        "rest": shown(rest, states[-1]) if rest else None,
        "others": [(label, shown(getattr(review, key), alone(getattr(review, key))))
                   for key, label in REVIEW_OTHERS.items()],
        "hours_saved": review.hours_saved,
    }

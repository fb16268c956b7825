"""Disclosure control of the outcomes for outsiders (like :mod:`monitor.counts.publication`).

Outsiders get whole tertials or whole years, one organisation, wijk or service type at a
time, and every cell from the year's protected publication table. The report cells are
built from these tables in :mod:`.reports`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .. import disclosure
from ..disclosure import TOTAL, Dim

REFUSAL_RANGE = ("Buiten de eigen organisatie tonen wij uitkomsten per heel tertiaal of per "
                 "heel jaar: kies als begin en eind hetzelfde tertiaal, of januari tot en met "
                 "december van één jaar.")
REFUSAL_COMBINATION = ("Buiten de eigen organisatie tonen wij uitkomsten per wijk, per organisatie of "
                       "per soort dienstverlening, niet voor combinaties daarvan: kies één indeling "
                       "zonder filter op een ander kenmerk.")

DIM_OF_GROUPING = {"wijk": "wijk", "organisatie": "organisatie", "dienst": "dienst"}


def _tertial(day: date) -> int:
    return (day.month - 1) // 4 + 1


def publication_unit(first: date, last: date) -> tuple[int, int | None] | None:
    """(year, tertial or ``None`` for the whole year) when the range is one, else ``None``.

    Outsiders only get whole tertials or whole years: a free range could be subtracted
    from an overlapping one.
    """
    if first.year != last.year or first.day != 1:
        return None
    t1, t2 = _tertial(first), _tertial(last)
    starts = {1: 1, 2: 5, 3: 9}
    ends = {1: date(first.year, 4, 30), 2: date(first.year, 8, 31), 3: date(first.year, 12, 31)}
    if first.month != starts[t1] or last != ends[t2]:
        return None
    if t1 == t2:
        return first.year, t1
    if (t1, t2) == (1, 3):
        return first.year, None
    return None


def _table_key(o: Any) -> tuple:
    return (o.organisation_id, o.wijk_id if o.wijk_id is not None else "onbekend",
            o.service_type_id, _tertial(o.reference_date), "vooruit" if o.improved else "niet_vooruit")


def outsider_cell(key: tuple) -> bool:
    """Outsiders see one organisation, one wijk or one service type at a time."""
    return sum(level is not TOTAL for level in key[:3]) <= 1


def protect_year(year: int, observations: Iterable[Any]) -> dict[str, disclosure.Table]:
    """Per indicator the protected publication table of ``year`` from its observations.

    :param observations: every :class:`~.reports.Observation` of the year.
    """
    atoms: dict[str, dict[tuple, int]] = defaultdict(lambda: defaultdict(int))
    for o in observations:
        atoms[o.indicator][_table_key(o)] += 1
    tables = {}
    for indicator, cells in atoms.items():
        key = (indicator, year, tuple(sorted(cells.items(), key=repr)))
        found = _cache.get(key)
        if found is None:
            leaves = [tuple(sorted({k[i] for k in cells}, key=repr)) for i in range(3)]
            dims = (Dim("organisatie", leaves[0], owner=True), Dim("wijk", leaves[1]),
                    Dim("dienst", leaves[2]),
                    Dim("tertiaal", (1, 2, 3), groups=(frozenset({1, 2}), frozenset({2, 3}))),
                    Dim("uitkomst", ("vooruit", "niet_vooruit")))
            found = disclosure.protect(dims, dict(cells), outsider_cell)
            if len(_cache) > 512:
                _cache.clear()
            _cache[key] = found
        tables[indicator] = found
    return tables


_cache: dict[tuple, disclosure.Table] = {}


@dataclass
class OutsiderSelection:
    """What an outsider's choice of range and grouping may show, or why it is refused."""

    refusal: str = ""
    year: int = 0
    fixed: dict[str, Any] = field(default_factory=dict)
    dim: str | None = None


def outsider_selection(filters: Any, grouping: str) -> OutsiderSelection:
    """The publication unit and fixed levels of ``filters`` (a :class:`~.reports.Filters`)."""
    unit = publication_unit(filters.first, filters.last)
    if unit is None:
        return OutsiderSelection(refusal=REFUSAL_RANGE)
    year, tertial = unit
    fixed = {"organisatie": filters.organisation_id, "wijk": filters.wijk_id,
             "dienst": filters.service_type_id, "tertiaal": tertial}
    dim = DIM_OF_GROUPING.get(grouping)
    used = {k for k in ("organisatie", "wijk", "dienst") if fixed[k] is not None} | ({dim} if dim else set())
    if len(used) > 1:
        return OutsiderSelection(refusal=REFUSAL_COMBINATION)
    return OutsiderSelection(year=year, fixed=fixed, dim=dim)

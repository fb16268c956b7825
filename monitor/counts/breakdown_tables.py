"""The breakdowns as readers see them: exact inside, a protected city table outside.

Outsiders (raad, coordinators) see one publication table per dimension and year: the
city's approved returns, per category, over all organisations — never per organisation or
per wijk. It is protected like the other publication tables (``monitor.disclosure``), with
one more rule: the categories of a dimension that partitions the meldingen add up to
meldingen that other tables publish, so a perturbation that hides a cell may only move
meldingen *between* categories (an ``alt`` pattern), never change their total. Should the
protection need such a move, the whole table is withheld (``×``) instead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from .. import disclosure
from ..disclosure import TOTAL, Dim, Shown
from ..extensions import db
from ..models import Period, Wijk
from .breakdowns import ReturnBreakdown, by_key
from .models import CountReturn
from .publication import APPROVED


def _rows(dimension: str, year: int, organisation_id: int | None = None) -> list[tuple[int, int, str, int]]:
    cond = [CountReturn.status.in_(APPROVED), Period.year == year, ReturnBreakdown.dimension == dimension]
    if organisation_id is not None:
        cond.append(CountReturn.organisation_id == organisation_id)
    query = (sa.select(CountReturn.organisation_id, CountReturn.wijk_id, ReturnBreakdown.category,
                       ReturnBreakdown.count)
             .join(CountReturn, ReturnBreakdown.return_id == CountReturn.id)
             .join(Period, CountReturn.period_id == Period.id).where(*cond))
    return [tuple(r) for r in db.session.execute(query)]


def city_table(dimension: str, year: int) -> disclosure.Table:
    """The protected city table of ``dimension`` in ``year`` (organisation × category)."""
    dim = by_key(dimension)
    atoms: dict[tuple, int] = defaultdict(int)
    for org, _wijk, category, count in _rows(dimension, year):
        atoms[(org, category)] += count
    dims = (Dim("organisatie", tuple(sorted({k[0] for k in atoms})), owner=True),
            Dim("categorie", tuple(c for c, _ in dim.categories), total=not dim.multi))
    table = disclosure.protect(dims, dict(atoms), lambda key: key[0] is TOTAL)
    if not dim.multi and any(cube.patterns[1][0] == "one" for cube in table.cubes):
        table.blocked = True  # the category total would move: withhold rather than leak
    return table


@dataclass
class View:
    """What one reader sees of one dimension in one year."""

    dimension: str
    year: int
    protected: bool
    city: dict[str, Shown]  # category → figure (and None → the total, for partitions)
    wijken: list[Wijk]  # columns for insiders
    by_wijk: dict[tuple[int, str], int]  # (wijk, category) → exact count, insiders only
    organisation_id: int | None  # a worker sees only the own organisation
    wijk_totals: dict[int, int] | None = None


def view(dimension: str, year: int, *, protected: bool, organisation_id: int | None) -> View:
    dim = by_key(dimension)
    codes = [c for c, _ in dim.categories]
    if protected:
        table = city_table(dimension, year)
        city = {c: table.get(categorie=c) for c in codes}
        if not dim.multi:
            city[None] = table.get()
        return View(dimension, year, True, city, [], {}, None)
    rows = _rows(dimension, year, organisation_id)
    by_wijk: dict[tuple[int, str], int] = defaultdict(int)
    totals: dict[str, int] = defaultdict(int)
    for _org, wijk, category, count in rows:
        by_wijk[(wijk, category)] += count
        totals[category] += count
    city = {c: Shown(totals.get(c, 0)) if rows else disclosure.ABSENT for c in codes}
    if not dim.multi:
        city[None] = Shown(sum(totals.values())) if rows else disclosure.ABSENT
    wijk_ids = sorted({w for w, _ in by_wijk})
    wijken = list(db.session.scalars(sa.select(Wijk).where(Wijk.id.in_(wijk_ids)).order_by(Wijk.name))) if wijk_ids else []
    wijk_totals = {w: sum(n for (wk, _), n in by_wijk.items() if wk == w) for w in wijk_ids}
    return View(dimension, year, False, city, wijken, dict(by_wijk), organisation_id, wijk_totals)

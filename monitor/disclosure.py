"""Disclosure control: every count of persons that leaves its organisation passes here.

The method (written out with its reasoning in ``docs/privacy.md``):

1. **Fixed publication tables.** Outsiders never get an arbitrary aggregate. For one
   subject (a measure of the returns, an outcome indicator) and one calendar year there
   is one table: every combination of levels of its dimensions (organisation, wijk,
   tertial, category, …), where a level is one value or the total of the dimension, and
   a predicate says which combinations are published (e.g. never organisation × wijk).
   Every outward figure is a cell of such a table, or a sum of visible cells.
2. **Primary suppression.** A cell is sensitive when it counts 1–4 persons, or when it
   would count 1–4 after an organisation subtracts its own contribution (what a worker
   of that organisation knows); such a cell is shown as ``<5``.
3. **Secondary suppression by the hypercube method.** For each sensitive cell and each
   attacker (an outsider, and every organisation with data in the table) there must be
   a *hypercube*: a perturbation of the underlying data (±1 at its corners) that leaves
   every visible cell unchanged, changes the sensitive cell, is possible (no count goes
   below zero) and touches nothing the attacker knows. Then no combination of visible
   cells — over any number of requests, filters or organisation subsets — determines the
   sensitive cell. Cells hidden only for this are shown as ``×``, never as a false ``<5``.
4. **Shares and ratios** are shown only when every count they are made of is visible.

The pattern depends only on the table's data, so every page, export and API that shows
a cell shows it the same way.
"""

from __future__ import annotations

import enum
import itertools
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

SMALL_CELL = 5
MIN_SHARE_DENOMINATOR = 10
PRIMARY_TEXT = "<5"
SECONDARY_TEXT = "×"
LEGEND = ("<5: minder dan 5 personen (afgeschermd). ×: afgeschermd zodat een klein aantal "
          "elders in de tabel niet is terug te rekenen.")
TOTAL = None  # the level "all values" of a dimension
CANDIDATES_PER_DIM = 4


class State(enum.IntEnum):
    VISIBLE = 0
    PRIMARY = 1  # shown as "<5"
    SECONDARY = 2  # shown as "×"


def sensitive(count: int | None) -> bool:
    """A count of persons that must not be derivable outside its organisation (1–4)."""
    return count is not None and 0 < count < SMALL_CELL


@dataclass(frozen=True)
class Dim:
    """One dimension of a publication table.

    :param leaves: its values, in display order.
    :param total: whether cells with the total of this dimension are published.
    :param owner: the leaves are organisations (each knows its own data).
    :param groups: sets of leaves whose sums an attacker could form from published cells
        (consecutive tertials): protected like cells, though never published themselves.
    """

    name: str
    leaves: tuple[Hashable, ...]
    total: bool = True
    owner: bool = False
    groups: tuple[frozenset, ...] = ()  # never published, but protected (e.g. tertial ranges)


@dataclass(frozen=True)
class Shown:
    """A figure as it may be shown: ``value`` is ``None`` when hidden or absent."""

    value: int | None
    state: State = State.VISIBLE

    @property
    def hidden(self) -> bool:
        return self.state != State.VISIBLE

    @property
    def text(self) -> str:
        if self.state == State.PRIMARY:
            return PRIMARY_TEXT
        if self.state == State.SECONDARY:
            return SECONDARY_TEXT
        return "—" if self.value is None else f"{self.value:,}".replace(",", ".")

    def __str__(self) -> str:
        return self.text


ABSENT = Shown(None)


Key = tuple[Hashable | None, ...]


@dataclass
class Cube:
    """Sparse per-dimension pattern of a hypercube: ('alt', a, b) or ('one', a)."""

    patterns: tuple[tuple, ...]
    _moved: dict[Key, int] | None = field(default=None, repr=False, compare=False)

    def moved(self) -> dict[Key, int]:
        """leaf key → sign of every underlying data cell the perturbation moves (cached)."""
        if self._moved is None:
            self._moved = dict(self.atoms())
        return self._moved

    def atoms(self) -> list[tuple[Key, int]]:
        """(leaf key, sign) of every underlying data cell the perturbation moves."""
        return _signed_product([[(p[1], 1), (p[2], -1)] if p[0] == "alt" else [(p[1], 1)]
                                for p in self.patterns])

    def cells(self) -> list[tuple[Key, int]]:
        """(cell key, sign) of every cell (any level) the perturbation changes."""
        return _signed_product([[(p[1], 1), (p[2], -1)] if p[0] == "alt" else [(p[1], 1), (TOTAL, 1)]
                                for p in self.patterns])


def _signed_product(per_dim: list[list[tuple[Any, int]]]) -> list[tuple[Key, int]]:
    """Every combination of one (level, sign) per dimension, with the product of the signs."""
    result = []
    for combo in itertools.product(*per_dim):
        sign = 1
        for _, s in combo:
            sign *= s
        result.append((tuple(k for k, _ in combo), sign))
    return result


@dataclass
class Table:
    """A protected publication table: look cells up with :meth:`get`."""

    dims: tuple[Dim, ...]
    values: dict[Key, int]
    states: dict[Key, State]
    published: Callable[[Key], bool]
    atoms: dict[Key, int] = field(default_factory=dict)
    blocked: bool = False
    cubes: list[Cube] = field(default_factory=list)

    def key(self, **levels: Any) -> Key:
        unknown = set(levels) - {d.name for d in self.dims}
        if unknown:
            raise KeyError(f"unknown dimension(s) {sorted(unknown)}")
        return tuple(levels.get(d.name, TOTAL) for d in self.dims)

    def get(self, **levels: Any) -> Shown:
        """The cell at these levels (missing dimensions: the total), as it may be shown.

        A combination that is not published answers hidden (×); a cell without data 0.
        """
        key = self.key(**levels)
        for dim, level in zip(self.dims, key, strict=True):
            if level is TOTAL and not dim.total:
                return Shown(None, State.SECONDARY)
        if not self.published(key):
            return Shown(None, State.SECONDARY)
        if self.blocked:
            return Shown(None, State.SECONDARY)
        state = self.states.get(key, State.VISIBLE)
        value = self.values.get(key, 0)
        return Shown(None if state else value, state)

    def exact(self, **levels: Any) -> int:
        """The unprotected sum at any combination of levels (insiders, and tests)."""
        return self._marginals().get(self.key(**levels), 0)

    def _marginals(self) -> dict[Key, int]:
        """Every sum :meth:`exact` can ask for, computed once per (cached) table: an atom
        adds to each key that has, per dimension, its level or the total. A dashboard asks
        hundreds of cells; scanning all atoms for each was most of its time
        (docs/benchmarks.md)."""
        found = self.__dict__.get("_sums")
        if found is None:
            sums: dict[Key, int] = defaultdict(int)
            for k, v in self.atoms.items():
                for key in itertools.product(*[(TOTAL,) if level is TOTAL else (level, TOTAL)
                                               for level in k]):
                    sums[key] += v
            found = self.__dict__["_sums"] = dict(sums)
        return found


def sum_shown(parts: Iterable[Shown]) -> Shown:
    """The sum of shown figures: visible only when every part is (a sum of visible cells)."""
    parts = list(parts)
    if any(p.hidden for p in parts):
        return Shown(None, State.SECONDARY)
    if all(p.value is None for p in parts):
        return ABSENT
    return Shown(sum(p.value or 0 for p in parts))


def share(numerator: Shown, denominator: Shown, protected: bool = True) -> float | None:
    """A share of two shown counts: only when both are visible and, outside the
    organisation (``protected``), the denominator is at least 10."""
    if numerator.hidden or denominator.hidden or numerator.value is None or not denominator.value:
        return None
    if protected and denominator.value < MIN_SHARE_DENOMINATOR:
        return None
    return numerator.value / denominator.value


# --- building and protecting a table ------------------------------------------------------

def _levels(dim: Dim) -> list[Hashable | None]:
    return list(dim.leaves) + ([TOTAL] if dim.total else [])


def protect(dims: Sequence[Dim], atoms: dict[Key, int],
            published: Callable[[Key], bool] = lambda key: True) -> Table:
    """Build and protect the publication table of ``atoms`` (leaf key → count of persons).

    :param dims: the dimensions; at most one has ``owner=True`` (organisations).
    :param atoms: the data at the finest level; absent keys are zero.
    :param published: which cells (keys with leaves or ``TOTAL``) outsiders may see.
    """
    dims = tuple(dims)
    outward = published

    def published(key: Key) -> bool:  # noqa: F811  (sets of values are never published)
        return not any(isinstance(level, frozenset) for level in key) and outward(key)

    owner = next((i for i, d in enumerate(dims) if d.owner), None)
    atoms = {k: int(v) for k, v in atoms.items()}
    values: dict[Key, int] = defaultdict(int)
    contributions: dict[Key, dict[Hashable, int]] = defaultdict(lambda: defaultdict(int))
    masks = [m for m in itertools.product((False, True), repeat=len(dims))
             if not any(t and not dims[i].total for i, t in enumerate(m))]
    # Every combination of levels, published or not: an unpublished one (organisation ×
    # wijk) may still be derivable by combining published ones, so it is protected too.
    members: dict[Key, list[Key]] = defaultdict(list)
    for key, value in atoms.items():
        for mask in masks:
            cell = tuple(TOTAL if m else k for k, m in zip(key, mask, strict=True))
            values[cell] += value
            members[cell].append(key)
            if owner is not None:
                contributions[cell][key[owner]] += value
    for i, dim in enumerate(dims):
        for group in dim.groups:
            for cell in [c for c in values if c[i] in group and not isinstance(c[i], frozenset)]:
                target = cell[:i] + (group,) + cell[i + 1:]
                values[target] += values[cell]
                members[target].extend(members[cell])
                if owner is not None:
                    for org, v in contributions[cell].items():
                        contributions[target][org] += v
    table = Table(dims, dict(values), {}, published, atoms)
    organisations = list(dims[owner].leaves) if owner is not None else []

    def remainder(cell: Key, attacker: Hashable | None) -> int:
        value = values.get(cell, 0)
        if attacker is None or owner is None:
            return value
        return value - contributions.get(cell, {}).get(attacker, 0)

    # Each sensitive cell with the attackers it must be protected against: outsiders
    # when the count itself is 1-4, and every organisation for which what is left after
    # subtracting its own contribution is 1-4 (its own data it knows anyway).
    needs: dict[Key, list[Hashable | None]] = {}
    for cell in list(values):
        against = [a for a in [None, *organisations] if sensitive(remainder(cell, a))]
        if against:
            needs[cell] = against
    if owner is not None:
        _organisation_subsets(values, contributions, owner, organisations, needs, published)
    # "<5" only where it is true; a cell sensitive only for an insider (what is left after
    # one organisation's own part is 1-4) is hidden as "×", like the complements.
    states: dict[Key, State] = {c: State.PRIMARY if sensitive(values.get(c, 0)) else State.SECONDARY
                                for c in needs if published(c)}
    table.states = states
    def hidden(cell: Key) -> bool:
        return cell in states

    def moves(cube: Cube) -> set[Hashable]:
        if owner is None:
            return set()
        return {k[owner] for k in cube.moved()}

    def inside_of(cell: Key) -> list[Key]:
        if cell in members:
            return members[cell]
        # a set of values (organisation subset, tertial range): the members of the cell
        # with the total there that fall inside the set
        i = next((i for i, level in enumerate(cell) if isinstance(level, frozenset)), None)
        if i is None:
            return []
        parent = cell[:i] + (TOTAL,) + cell[i + 1:]
        found = [k for k in inside_of(parent) if _inside(k, cell)] if dims[i].total else []
        members[cell] = found
        return found

    def through(cube: Cube, cell: Key) -> bool:
        """The perturbation changes ``cell`` and moves a person (not only empty cells) in it."""
        moved = cube.moved()
        inside = [(k, moved[k]) for k in inside_of(cell) if k in moved]
        if not inside or sum(sign for _, sign in inside) == 0:
            return False
        if not any(atoms.get(k, 0) >= 1 for k, _ in inside):
            return False
        return _feasible(list(moved.items()), atoms)

    def valid(cube: Cube, cell: Key, attacker: Hashable | None, strict: bool) -> bool:
        if attacker is not None and attacker in moves(cube):
            return False
        if not through(cube, cell):
            return False
        if strict:
            changed = [c for c, _ in cube.cells() if published(c)]
            for i, p in enumerate(cube.patterns):
                if p[0] != "alt":
                    continue
                for c in changed:
                    if c[i] != p[1]:
                        continue
                    other = c[:i] + (p[2],) + c[i + 1:]
                    if published(other) and sensitive(remainder(c, attacker) + remainder(other, attacker)):
                        return False
        return True

    chosen: list[Cube] = []
    by_atom: dict[Key, list[int]] = defaultdict(list)  # atom → indexes of chosen cubes moving it
    for cell in sorted(needs, key=lambda c: (values.get(c, 0), repr(c))):
        nearby = sorted({i for k in inside_of(cell) for i in by_atom.get(k, ())})
        mine = [chosen[i] for i in nearby if through(chosen[i], cell)]
        for attacker in needs[cell]:
            if any(attacker is None or attacker not in moves(c) for c in mine):
                continue
            cube = _search(dims, cell, attacker, owner, atoms, published, hidden, values, valid,
                           inside_of)
            if cube is None:
                table.blocked = True
                return table
            for k in cube.moved():
                by_atom[k].append(len(chosen))
            chosen.append(cube)
            mine.append(cube)
            for c, _ in cube.cells():
                if published(c) and c not in states:
                    states[c] = State.SECONDARY
    table.cubes = chosen
    return table


MAX_SUBSET_CONTRIBUTORS = 8


def _organisation_subsets(values, contributions, owner, organisations, needs, published) -> None:
    """Sums over several (not all) organisations of a published cell: a reader who adds up
    or subtracts per-organisation figures could reach them, so small ones are protected
    (against outsiders and every organisation outside the subset).

    All subsets for cells with at most ``MAX_SUBSET_CONTRIBUTORS`` contributing
    organisations; beyond that, pairs and triples.
    """
    import itertools as it

    for cell in [c for c in values if c[owner] is TOTAL and published(c)]:
        contributors = sorted(contributions[cell], key=repr)
        if len(contributors) < 2:
            continue
        largest = len(contributors) - 1 if len(contributors) <= MAX_SUBSET_CONTRIBUTORS else 3
        for size in range(2, largest + 1):
            for subset in it.combinations(contributors, size):
                total = sum(contributions[cell][o] for o in subset)
                if not sensitive(total):
                    continue
                key = cell[:owner] + (frozenset(subset),) + cell[owner + 1:]
                values[key] = total
                needs[key] = [None, *(o for o in organisations if o not in subset)]


def _inside(atom: Key, cell: Key) -> bool:
    return all(level is TOTAL or level == leaf or (isinstance(level, frozenset) and leaf in level)
               for leaf, level in zip(atom, cell, strict=True))


def _feasible(moved: list[tuple[Key, int]], atoms: dict[Key, int]) -> bool:
    """Whether the perturbation (or its opposite) is possible: it moves only data that
    exist (a count in a return that was not made would show), none below zero."""
    if any(k not in atoms for k, _ in moved):
        return False
    return (all(atoms[k] >= 1 for k, s in moved if s < 0)
            or all(atoms[k] >= 1 for k, s in moved if s > 0))


def _search(dims, cell, attacker, owner, atoms, published, hidden, values, valid, inside_of) -> Cube | None:
    """The cheapest valid hypercube through ``cell`` for ``attacker`` (fewest new cells hidden)."""
    mass: list[dict[Hashable, int]] = []
    for i, dim in enumerate(dims):
        line: dict[Hashable, int] = defaultdict(int)
        if dim.total:
            for k in inside_of(cell[:i] + (TOTAL,) + cell[i + 1:]):
                line[k[i]] += atoms[k] + 1
        mass.append(line)
    options = []
    for i, (dim, level) in enumerate(zip(dims, cell, strict=True)):
        leaves = [leaf for leaf in dim.leaves if not (i == owner and leaf == attacker)]
        if level is TOTAL:
            ranked = sorted(leaves, key=lambda leaf: -mass[i].get(leaf, 0))[:CANDIDATES_PER_DIM]
            options.append([("one", leaf) for leaf in ranked])
            continue
        if isinstance(level, frozenset):
            inner = [leaf for leaf in leaves if leaf in level]
            outer = [leaf for leaf in leaves if leaf not in level]
            group_options: list[tuple] = [("one", a) for a in inner]
            group_options += [("alt", a, b) for a in inner for b in outer]
            options.append(group_options)
            continue
        if i == owner and level == attacker:
            options.append([])
            continue
        dim_options: list[tuple] = []
        if not dim.total or len(dim.leaves) == 1:
            dim_options.append(("one", level))  # the dimension's total is never published
        others = sorted((leaf for leaf in leaves if leaf != level), key=lambda leaf: -mass[i].get(leaf, 0))
        dim_options += [("alt", level, other) for other in others[:CANDIDATES_PER_DIM]]
        if dim.total and len(dim.leaves) > 1:
            dim_options.append(("one", level))
        options.append(dim_options)
    best, best_cost = None, None
    for strict in (True, False):
        for patterns in itertools.product(*options):
            cube = Cube(tuple(patterns))
            if not valid(cube, cell, attacker, strict):
                continue
            new = [c for c, _ in cube.cells() if published(c) and not hidden(c)]
            cost = (len(new), sum(values.get(c, 0) for c in new))
            if best_cost is None or cost < best_cost:
                best, best_cost = cube, cost
                if cost == (0, 0):
                    return best
        if best is not None:
            return best
    return None


# --- small groups of judgements (QIM) -------------------------------------------------------

def protect_groups(sizes: Sequence[int | None], total_shown: bool = True
                   ) -> tuple[list[State], State]:
    """Which groups of a line to hide when each group's figures (mean, median, …) reveal it.

    A group with 1–4 members is hidden (``PRIMARY``). When the line's pooled figure is
    shown, the hidden groups together must have at least 5 members and there must be two
    of them (else the pooled figure minus the visible groups gives them back): the
    smallest visible groups are hidden as well (``SECONDARY``); when that is not possible
    the pooled figure is hidden instead.

    :return: the state of each group and of the pooled figure.
    """
    states = [State.PRIMARY if sensitive(s) else State.VISIBLE for s in sizes]
    pooled = State.PRIMARY if sensitive(sum(s or 0 for s in sizes)) else State.VISIBLE
    if not total_shown or pooled:
        return states, pooled
    while True:
        hidden = [i for i, s in enumerate(states) if s]
        if not hidden:
            return states, pooled
        if len(hidden) >= 2 and sum(sizes[i] or 0 for i in hidden) >= SMALL_CELL:
            return states, pooled
        visible = sorted((sizes[i] or 0, i) for i, s in enumerate(states) if not s and sizes[i])
        if not visible:
            return states, State.SECONDARY
        states[visible[0][1]] = State.SECONDARY

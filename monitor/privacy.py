"""Small-cell suppression for anyone outside the owning organisation.

Rules (DOMAIN.md, privacy): a count of persons below 5 is shown as "<5"; when a total
is shown, complementary cells are suppressed too so a hidden cell cannot be recovered
by subtraction; a share is only shown over a denominator of at least 10.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SMALL_CELL = 5
MIN_SHARE_DENOMINATOR = 10
SUPPRESSED_TEXT = "<5"


@dataclass(frozen=True)
class Cell:
    """A count as it may be shown: ``value`` is ``None`` when suppressed."""

    value: int | None
    suppressed: bool

    def __str__(self) -> str:
        return SUPPRESSED_TEXT if self.suppressed else str(self.value)


def is_small(count: int | None, threshold: int = SMALL_CELL) -> bool:
    """A count of persons that must not be shown outside the owning organisation."""
    return count is not None and count < threshold


def suppress_group(
    counts: Sequence[int | None], total_shown: bool = True, threshold: int = SMALL_CELL
) -> list[Cell]:
    """Suppress small cells of one group (a row or column that adds up to a shown total).

    When exactly one cell is suppressed and the total is shown, the smallest other
    visible cell is suppressed as well, so neither can be derived by subtraction.

    :param counts: the cells of the group; ``None`` means no data (never suppressed).
    :param total_shown: whether the group's total is published next to it.
    """
    hidden = [is_small(c, threshold) for c in counts]
    if total_shown and sum(hidden) == 1:
        candidates = [
            (c, i) for i, c in enumerate(counts) if c is not None and not hidden[i]
        ]
        if candidates:
            hidden[min(candidates)[1]] = True
    return [Cell(None if h else c, h) for c, h in zip(counts, hidden, strict=True)]


def suppress_table(rows: Sequence[Sequence[int | None]], threshold: int = SMALL_CELL) -> list[list[Cell]]:
    """Suppress a table whose row and column totals are both shown.

    Repeats row-wise and column-wise complementary suppression until stable.
    """
    hidden = [[is_small(c, threshold) for c in row] for row in rows]
    changed = True
    while changed:
        changed = False
        lines = [[(r, c) for c in range(len(rows[r]))] for r in range(len(rows))]
        width = max((len(r) for r in rows), default=0)
        lines += [[(r, c) for r in range(len(rows)) if c < len(rows[r])] for c in range(width)]
        for line in lines:
            flags = [hidden[r][c] for r, c in line]
            if sum(flags) == 1:
                visible = [(rows[r][c], r, c) for r, c in line
                           if not hidden[r][c] and rows[r][c] is not None]
                if visible:
                    _, r, c = min(visible)
                    hidden[r][c] = True
                    changed = True
    return [[Cell(None if hidden[r][c] else rows[r][c], hidden[r][c])
             for c in range(len(rows[r]))] for r in range(len(rows))]


def share(numerator: int, denominator: int, suppress: bool) -> float | None:
    """A share, or ``None`` when it must not be shown (denominator below 10 outside the org)."""
    if denominator <= 0:
        return None
    if suppress and denominator < MIN_SHARE_DENOMINATOR:
        return None
    return numerator / denominator

"""An attacker's toolkit: which counts can be derived exactly from published figures.

Each published figure is a linear equation over the underlying data cells ("atoms").
A quantity is derivable exactly iff its vector lies in the row space of the published
equations (after the attacker subtracts what they know: their own organisation's data).
This is the test's own linear algebra (numpy), independent of ``monitor.disclosure``.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Sequence

import numpy as np

Atom = tuple[Hashable, ...]


class Attack:
    """Published equations over atoms; asks what an attacker can derive."""

    def __init__(self, atoms: dict[Atom, int], owner_index: int | None = 0) -> None:
        # Every existing data cell is unknown, zeros included; cells that do not exist
        # (no return) are known to be empty.
        self.atoms = dict(atoms)
        self.keys = sorted(self.atoms, key=repr)
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.owner_index = owner_index
        self.rows: list[np.ndarray] = []
        self.values: list[float] = []

    def vector(self, atoms: Iterable[Atom]) -> np.ndarray:
        v = np.zeros(len(self.keys))
        for a in atoms:
            if a in self.index:
                v[self.index[a]] += 1
        return v

    def publish(self, atoms: Iterable[Atom], value: float) -> None:
        """The attacker saw ``value`` as the sum of ``atoms`` (a visible figure)."""
        vec = self.vector(atoms)
        truth = float(vec @ np.array([self.atoms[k] for k in self.keys])) if len(self.keys) else 0.0
        assert abs(truth - value) < 1e-6, f"published {value} but the data say {truth}"
        self.rows.append(vec)
        self.values.append(value)

    def _basis(self, unknown: np.ndarray) -> np.ndarray:
        if not self.rows:
            return np.zeros((0, int(unknown.sum())))
        matrix = np.array(self.rows)[:, unknown]
        if matrix.size == 0:
            return np.zeros((0, matrix.shape[1]))
        _, s, vt = np.linalg.svd(matrix, full_matrices=False)
        rank = int((s > 1e-9 * max(1.0, s[0] if len(s) else 1.0)).sum())
        return vt[:rank]

    def derived_small(self, targets: Iterable[Iterable[Atom]],
                      attacker: Hashable | None = None) -> list[tuple[list[Atom], int]]:
        """Targets whose (unknown to the attacker) value is 1–4 and exactly derivable."""
        own = np.array([self.owner_index is not None and attacker is not None
                        and k[self.owner_index] == attacker for k in self.keys], dtype=bool)
        unknown = ~own
        basis = self._basis(unknown)
        values = np.array([self.atoms[k] for k in self.keys])
        found = []
        for target in targets:
            target = list(target)
            vec = self.vector(target)[unknown]
            if not vec.any():
                continue
            value = int(round(float(vec @ values[unknown])))
            if not 0 < value < 5:
                continue
            residual = vec - basis.T @ (basis @ vec) if len(basis) else vec
            if np.linalg.norm(residual) < 1e-6:
                found.append((target, value))
        return found


def boxes(dims: Sequence[Sequence[Hashable]], atoms: Iterable[Atom], max_subset: int = 4,
          ranges: Sequence[int] = (), single: Sequence[int] = ()) -> list[list[Atom]]:
    """Attack targets: every box of subsets of values (up to ``max_subset`` values per
    dimension, consecutive ranges for the dimensions in ``ranges``, one value or all for
    those in ``single``), as atom lists."""
    choices = []
    for i, leaves in enumerate(dims):
        leaves = list(leaves)
        if i in single:
            subsets = [(leaf,) for leaf in leaves] + [tuple(leaves)]
        elif i in ranges:
            subsets = [tuple(leaves[a:b]) for a in range(len(leaves)) for b in range(a + 1, len(leaves) + 1)]
        else:
            subsets = [c for r in range(1, min(max_subset, len(leaves)) + 1)
                       for c in itertools.combinations(leaves, r)]
        choices.append(subsets)
    atoms = list(atoms)
    result = []
    for combo in itertools.product(*choices):
        sets = [set(c) for c in combo]
        result.append([a for a in atoms if all(a[i] in s for i, s in enumerate(sets))])
    return result

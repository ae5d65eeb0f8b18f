"""The analyst of the disclosure tests: an attacker who knows which units lie in which published
cell and reads every published sum (count, n·mean, the sum of squares from sd, …) as often as
they like, and solves the linear system.

Written independently of ``survey.stats.linked`` (dense exact elimination over the units, no
atoms, brute force over small sets of units), so that the tests do not check the protection
with its own reasoning.

- :meth:`Analyst.determined` — is a combination of the units' values (e.g. a hidden cell's
  sum) a linear combination of the published sums?
- :meth:`Analyst.small_disclosure` — a set of fewer than k units (one unit, a pair, …) some
  nonzero combination of whose values is determined: with sums and sums of squares that is
  enough to recover both scores of a pair, for instance.
- :meth:`Analyst.value` — the exact value of a determined combination, from the published sums.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from itertools import combinations


def _rref(rows: list[list[Fraction]], width: int) -> tuple[list[list[Fraction]], list[int]]:
    matrix = [list(r) for r in rows]
    pivots: list[int] = []
    r = 0
    for c in range(width):
        p = next((i for i in range(r, len(matrix)) if matrix[i][c] != 0), None)
        if p is None:
            continue
        matrix[r], matrix[p] = matrix[p], matrix[r]
        lead = matrix[r][c]
        matrix[r] = [x / lead for x in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][c] != 0:
                f = matrix[i][c]
                matrix[i] = [x - f * y for x, y in zip(matrix[i], matrix[r], strict=True)]
        pivots.append(c)
        r += 1
    return matrix[:r], pivots


def _int_rank(rows: list[list[int]]) -> int:
    """Exact rank of a small integer matrix (fraction-free elimination)."""
    m = [list(r) for r in rows]
    rank, width = 0, len(m[0]) if m else 0
    for c in range(width):
        p = next((i for i in range(rank, len(m)) if m[i][c] != 0), None)
        if p is None:
            continue
        m[rank], m[p] = m[p], m[rank]
        for i in range(rank + 1, len(m)):
            if m[i][c]:
                a, b = m[rank][c], m[i][c]
                m[i] = [a * x - b * y for x, y in zip(m[i], m[rank], strict=True)]
        rank += 1
    return rank


class Analyst:
    def __init__(self, published: Sequence[Iterable[int]], variables: Sequence[int]):
        """``published``: the cells the analyst reads, each the variables (units) it adds up."""
        self.variables = list(variables)
        self.index = {v: i for i, v in enumerate(self.variables)}
        width = len(self.variables)
        rows = []
        self.cells = [frozenset(c) for c in published]
        for cell in self.cells:
            row = [Fraction(0)] * width
            for v in cell:
                row[self.index[v]] = Fraction(1)
            rows.append(row)
        self.rref, self.pivots = _rref(rows, width)
        # integer kernel basis: one vector per free variable
        free = [c for c in range(width) if c not in self.pivots]
        kernel = []
        for f in free:
            vec = [Fraction(0)] * width
            vec[f] = Fraction(1)
            for i, c in enumerate(self.pivots):
                vec[c] = -self.rref[i][f]
            scale = 1
            for x in vec:
                scale = scale * x.denominator // _gcd(scale, x.denominator)
            kernel.append([int(x * scale) for x in vec])
        # rows of the kernel basis, per variable
        self.kernel_rows = [[vec[i] for vec in kernel] for i in range(width)]

    def determined(self, target: Mapping[int, int | Fraction]) -> bool:
        """Whether sum(target[v] * value[v]) follows from the published sums."""
        for j in range(len(self.kernel_rows[0]) if self.kernel_rows else 0):
            if sum(Fraction(c) * self.kernel_rows[self.index[v]][j] for v, c in target.items()):
                return False
        return True

    def small_disclosure(
        self, *, k: int, unit_of: Mapping[int, int] | None = None
    ) -> tuple[int, ...] | None:
        """Variables of fewer than ``k`` units with a determined nonzero combination, or None."""
        unit_of = unit_of or {v: v for v in self.variables}
        width = len(self.variables)
        if not self.kernel_rows or not self.kernel_rows[0]:
            return tuple(self.variables[:1]) if width else None  # everything is determined
        for size in range(1, k):
            for subset in combinations(range(width), size):
                if len({unit_of[self.variables[i]] for i in subset}) >= k:
                    continue
                if _int_rank([self.kernel_rows[i] for i in subset]) < size:
                    return tuple(self.variables[i] for i in subset)
        return None

    def value(self, target: Mapping[int, int | Fraction], sums: Sequence[Fraction]) -> Fraction:
        """The determined combination's value, given each published cell's sum (same order)."""
        width = len(self.variables)
        rows = []
        for cell, total in zip(self.cells, sums, strict=True):
            row = [Fraction(0)] * (width + 1)
            for v in cell:
                row[self.index[v]] = Fraction(1)
            row[width] = Fraction(total)
            rows.append(row)
        reduced, pivots = _rref(rows, width)
        # any solution: free variables 0
        solution = [Fraction(0)] * width
        for i, c in enumerate(pivots):
            solution[c] = reduced[i][width]
        return sum((Fraction(c) * solution[self.index[v]] for v, c in target.items()), Fraction(0))


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


class FloatAnalyst:
    """The same attack as an analyst with numpy would run it on a data set of hundreds of units:
    the null space of the published cells by SVD. A variable is determined when its row of the
    null-space basis vanishes, a pair when their rows are parallel, a hidden cell when its
    indicator is orthogonal to the null space (tolerance 1e-9 on a 0/1 system)."""

    TOL = 1e-9

    def __init__(self, published: Sequence[Iterable[int]], variables: Sequence[int]):
        import numpy as np

        self.variables = list(variables)
        self.index = {v: i for i, v in enumerate(self.variables)}
        rows = {frozenset(c) for c in published}
        matrix = np.zeros((max(len(rows), 1), len(self.variables)))
        for r, cell in enumerate(rows):
            for v in cell:
                matrix[r, self.index[v]] = 1.0
        _, s, vt = np.linalg.svd(matrix)
        rank = int((s > self.TOL * max(1.0, float(s.max(initial=0.0)))).sum())
        self.kernel = vt[rank:].T  # variables × null-space dimension

    def determined(self, target: Mapping[int, float]) -> bool:
        import numpy as np

        vector = np.zeros(len(self.variables))
        for v, c in target.items():
            vector[self.index[v]] = c
        return bool(np.abs(vector @ self.kernel).max(initial=0.0) < self.TOL)

    def units_or_pairs(
        self, *, k: int, unit_of: Mapping[int, int] | None = None
    ) -> list[tuple[int, ...]]:
        import numpy as np

        unit_of = unit_of or {v: v for v in self.variables}
        norms = np.linalg.norm(self.kernel, axis=1)
        found: list[tuple[int, ...]] = [
            (self.variables[i],) for i in np.flatnonzero(norms < self.TOL).tolist()
        ]
        live = np.flatnonzero(norms >= self.TOL)
        unit = self.kernel[live] / norms[live, None]
        cosine = np.abs(unit @ unit.T)
        for a, b in zip(*np.nonzero(np.triu(cosine > 1 - self.TOL, 1)), strict=True):
            va, vb = self.variables[live[a]], self.variables[live[b]]
            if len({unit_of[va], unit_of[vb]}) < k:
                found.append((va, vb))
        return found

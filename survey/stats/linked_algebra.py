"""Exact linear algebra for the linked-table audit (:mod:`survey.stats.linked`): fraction-free
Gaussian elimination over Python integers, reduced row echelon form and rank over the rationals,
and a left null vector. Rows are sparse: atom -> coefficient, with their provenance (published
row -> coefficient) carried along. No floating point, no tolerance."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import gcd

Row = dict[int, int]  # atom -> integer coefficient (fraction-free)
Prov = dict[int, int]  # published-row index -> integer coefficient
#: Reduced rows over the rationals: (pivot atom, row, provenance) per row.
Basis = list[tuple[int, dict[int, Fraction], dict[int, Fraction]]]


def normalise(row: Row, prov: Prov) -> None:
    g = 0
    for value in row.values():
        g = gcd(g, value)
        if g == 1:
            return
    for value in prov.values():
        g = gcd(g, value)
        if g == 1:
            return
    if g > 1:
        for key in row:
            row[key] //= g
        for key in prov:
            prov[key] //= g


def combine(a: dict[int, int], fa: int, b: dict[int, int], fb: int) -> dict[int, int]:
    """fa * a - fb * b, without zeros."""
    out = {key: fa * value for key, value in a.items()} if fa != 1 else dict(a)
    for key, value in b.items():
        new = out.get(key, 0) - fb * value
        if new:
            out[key] = new
        else:
            out.pop(key, None)
    return out


@dataclass
class Echelon:
    """Rows after eliminating the large atoms: pivot rows (with a large-atom pivot, in the order
    eliminated) and the rest (small atoms only)."""

    pivots: list[tuple[int, Row]]
    rest: list[tuple[Row, Prov]]


def eliminate(rows: list[Row], large: set[int], *, track: bool) -> Echelon:
    """Gaussian elimination (fraction-free, exact) of the ``large`` atoms, sparsest first."""
    live: dict[int, tuple[Row, Prov]] = {
        i: (dict(row), {i: 1} if track else {}) for i, row in enumerate(rows)
    }
    by_atom: dict[int, set[int]] = {}
    for i, (row, _) in live.items():
        for atom in row:
            if atom in large:
                by_atom.setdefault(atom, set()).add(i)
    pivots: list[tuple[int, Row]] = []
    while by_atom:
        atom = min(by_atom, key=lambda a: (len(by_atom[a]), a))
        holders = by_atom.pop(atom)
        if not holders:
            continue
        p = min(holders, key=lambda i: (len(live[i][0]), i))
        prow, pprov = live.pop(p)
        for other in prow:
            if other != atom and other in by_atom:
                by_atom[other].discard(p)
        pivots.append((atom, prow))
        pv = prow[atom]
        for i in holders:
            if i == p:
                continue
            row, prov = live[i]
            rv = row[atom]
            g = gcd(pv, rv)
            fa, fb = pv // g, rv // g
            before = set(row)
            row = combine(row, fa, prow, fb)
            prov = combine(prov, fa, pprov, fb) if track else prov
            normalise(row, prov)
            after = set(row)
            for gone in before - after:
                if gone in by_atom:
                    by_atom[gone].discard(i)
            for new in after - before:
                if new in large and new in by_atom:
                    by_atom[new].add(i)
            if row:
                live[i] = (row, prov)
            else:
                live.pop(i)
                for other in before:
                    if other in by_atom:
                        by_atom[other].discard(i)
    return Echelon(pivots, [live[i] for i in sorted(live)])


def rref(
    rows: list[tuple[Row, Prov]],
) -> Basis:
    """Reduced row echelon form over the rationals: (pivot atom, row, provenance) per row."""
    work = [
        ({a: Fraction(v) for a, v in row.items()}, {r: Fraction(v) for r, v in prov.items()})
        for row, prov in rows
    ]
    basis: list[tuple[int, dict[int, Fraction], dict[int, Fraction]]] = []
    for row, prov in work:
        for pivot, brow, bprov in basis:
            factor = row.get(pivot)
            if factor:
                row = fsub(row, factor, brow)
                prov = fsub(prov, factor, bprov)
        if not row:
            continue
        pivot = min(row)
        scale = row[pivot]
        row = {a: v / scale for a, v in row.items()}
        prov = {r: v / scale for r, v in prov.items()}
        reduced = []
        for bp, brow, bprov in basis:
            factor = brow.get(pivot)
            if factor:
                brow = fsub(brow, factor, row)
                bprov = fsub(bprov, factor, prov)
            reduced.append((bp, brow, bprov))
        basis = [*reduced, (pivot, row, prov)]
    return basis


def fsub(a: dict[int, Fraction], factor: Fraction, b: dict[int, Fraction]) -> dict[int, Fraction]:
    out = dict(a)
    for key, value in b.items():
        new = out.get(key, 0) - factor * value
        if new:
            out[key] = new
        else:
            out.pop(key, None)
    return out


def rank_of(vectors: list[list[Fraction]]) -> int:
    rows = [list(v) for v in vectors]
    rank = 0
    width = len(rows[0]) if rows else 0
    for col in range(width):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(rank + 1, len(rows)):
            if rows[r][col]:
                f = rows[r][col] / rows[rank][col]
                rows[r] = [x - f * y for x, y in zip(rows[r], rows[rank], strict=True)]
        rank += 1
        if rank == len(rows):
            break
    return rank


def left_null(rows: list[dict[int, Fraction]], columns: list[int]) -> list[Fraction]:
    """A nonzero c with sum(c[i] * rows[i][a]) == 0 for every a in ``columns`` (exists by the
    caller's rank check)."""
    n = len(rows)
    # Solve M^T c = 0 where M is rows x columns: RREF of the columns' system.
    system = [[rows[i].get(a, Fraction(0)) for i in range(n)] for a in columns]
    pivot_cols: list[int] = []
    r = 0
    for col in range(n):
        pivot = next((j for j in range(r, len(system)) if system[j][col] != 0), None)
        if pivot is None:
            continue
        system[r], system[pivot] = system[pivot], system[r]
        lead = system[r][col]
        system[r] = [x / lead for x in system[r]]
        for j in range(len(system)):
            if j != r and system[j][col]:
                f = system[j][col]
                system[j] = [x - f * y for x, y in zip(system[j], system[r], strict=True)]
        pivot_cols.append(col)
        r += 1
    free = next(col for col in range(n) if col not in pivot_cols)
    c = [Fraction(0)] * n
    c[free] = Fraction(1)
    for j, col in enumerate(pivot_cols):
        c[col] = -system[j][free]
    return c

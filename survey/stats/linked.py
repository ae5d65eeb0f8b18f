"""Joint protection of linked tables: an exact audit of everything published, and extension of
the suppression pattern until the audit finds nothing (README: "Disclosure control").

The model (Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, ch. 4.3 on linked
and hierarchical tables; the ESSnet *Handbook on SDC*, "secondary cell suppression"):

- Each published cell is a set of *variables* (one per unit and release: a unit whose data did
  not change between two releases keeps its variable). For every additive statistic — the
  count, the sum, the sum of squares, the number below a floor — the reader learns
  ``sum(y[v] for v in cell)`` for every published cell, and therefore every linear combination of
  those sums. Nothing else is assumed about the reader: the audit holds for any additive
  statistic at once, because it looks only at which variables each cell holds.
- *Atoms* are the classes of variables that lie in exactly the same published cells. Every
  derivable combination is constant on atoms, so the audit works on atoms (hundreds) instead of
  units (thousands).
- A combination is a disclosure when it is nonzero and involves fewer than ``k`` distinct units
  (one unit's value, the difference of two, the sum of a hidden pair, …). Only atoms with fewer
  than ``k`` units can carry one, so the question is whether the row space of the published
  cells meets the coordinate space of those *small* atoms in a vector of small support. Gaussian
  elimination over the rationals (Python integers, fraction-free: no floating-point tolerance)
  eliminates the other atoms first; what remains spans exactly the derivable combinations of
  small atoms. Their minimal supports are searched within connected components (the fundamental
  circuits of an echelon basis), so no subset of atoms is ever enumerated blindly.
- Where the audit finds a disclosure, one more cell is hidden: the smallest cell (by units)
  of those the derivation used, among the cells that may still change (cells of an earlier
  release are fixed). Hiding never makes more combinations derivable, so the loop ends; in the
  worst case everything new is hidden.
- Hidden cells that are derivable anyway (and not small) are shown: hiding them protects
  nothing, and an identical set of units must not be hidden in one place and shown in another.

Pure Python (integers and fractions); no database, no web.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations
from math import gcd

from survey.stats.linked_algebra import (
    Basis,
    Echelon,
    Prov,
    Row,
    combine,
    eliminate,
    fsub,
    left_null,
    normalise,
    rank_of,
    rref,
)


@dataclass(frozen=True)
class Cell:
    """One cell of a table to publish: the variables it adds up."""

    key: Hashable
    members: frozenset[int]
    #: Decided earlier (a cell of an earlier release): its state cannot change.
    fixed: bool = False
    #: Hidden from the start: a fixed hidden cell, or a primary one (too few units or
    #: respondents, decided by the caller).
    hidden: bool = False


@dataclass
class Audit:
    """What one audit of a publication found."""

    atoms: int = 0
    small_atoms: int = 0
    rank: int = 0
    #: Dimension of the derivable combinations of small atoms (0: nothing small is derivable).
    derivable_small: int = 0
    #: One disclosing combination (atom -> coefficient) and the published rows behind it.
    violation: dict[int, Fraction] | None = None
    used_rows: dict[int, Fraction] = field(default_factory=dict)


@dataclass
class Protection:
    hidden: set[Hashable]
    #: Cells hidden to protect others (not primary), in the order they were chosen.
    secondary: list[Hashable]
    #: Cells shown although hidden at first, because their sums were derivable anyway.
    shown_derivable: list[Hashable]
    iterations: int
    last_audit: Audit


def _connected_subsets(adjacent: dict[int, set[int]], limit: int) -> Iterator[tuple[int, ...]]:
    """Every connected set of at most ``limit`` nodes, once each (as sorted tuples)."""
    seen: set[tuple[int, ...]] = set()
    frontier: list[tuple[int, ...]] = [(n,) for n in sorted(adjacent)]
    while frontier:
        nxt: list[tuple[int, ...]] = []
        for subset in frontier:
            if subset in seen:
                continue
            seen.add(subset)
            yield subset
            if len(subset) < limit:
                grow = set().union(*(adjacent[n] for n in subset)) - set(subset)
                nxt.extend(tuple(sorted((*subset, n))) for n in grow)
        frontier = nxt


def _components(adjacent: dict[int, set[int]]) -> list[list[int]]:
    seen: set[int] = set()
    out = []
    for start in sorted(adjacent):
        if start in seen:
            continue
        stack, part = [start], []
        seen.add(start)
        while stack:
            node = stack.pop()
            part.append(node)
            for nxt in adjacent[node]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        out.append(sorted(part))
    return out


Found = tuple[dict[int, Fraction], dict[int, Fraction]]


def _small_supports(
    basis: Basis, weight: dict[int, frozenset[int]], k: int, limit: int, budget: int
) -> list[Found]:
    """Nonzero vectors of the span of ``basis`` (RREF rows) whose atoms hold fewer than ``k``
    units, each with its provenance: at most one per connected component of the rows (rows
    are connected when they share a non-pivot atom; a minimal such vector lies within one).
    Empty when there is none. A component whose search exceeds ``budget`` candidate checks is
    reported with its first row, as if it held one (never a false "safe")."""

    def units(atoms: Iterable[int]) -> int:
        return len(frozenset().union(*(weight[a] for a in atoms)))

    pivots = {p for p, _, _ in basis}
    by_column: dict[int, list[int]] = {}
    for i, (_, row, _) in enumerate(basis):
        for atom in row:
            if atom not in pivots:
                by_column.setdefault(atom, []).append(i)
    adjacent: dict[int, set[int]] = {i: set() for i in range(len(basis))}
    for holders in by_column.values():
        for i in holders:
            adjacent[i].update(h for h in holders if h != i)
    found: list[Found] = []
    for component in _components(adjacent):
        local = {i: adjacent[i] for i in component}
        hit = _search(basis, local, pivots, units, k, limit, budget)
        if hit is not None:
            found.append(hit)
    return found


def _search(
    basis: Basis,
    adjacent: dict[int, set[int]],
    pivots: set[int],
    units: Callable[[Iterable[int]], int],
    k: int,
    limit: int,
    budget: int,
) -> Found | None:
    checks = 0
    for subset in _connected_subsets(adjacent, limit):
        own = [basis[i][0] for i in subset]
        spare = k - 1 - units(own)
        if spare < 0:
            continue
        rows = [basis[i][1] for i in subset]
        if len(subset) == 1:
            if units(rows[0]) < k:
                return rows[0], basis[subset[0]][2]
            continue
        others = sorted({a for row in rows for a in row if a not in pivots})
        columns = {a: [row.get(a, Fraction(0)) for row in rows] for a in others}
        for size in range(0, min(spare, len(others)) + 1):
            for kept in combinations(others, size):
                checks += 1
                if checks > budget:
                    first = min(adjacent)
                    return basis[first][1], basis[first][2]
                if units([*own, *kept]) >= k:
                    continue
                rest = [columns[a] for a in others if a not in kept]
                if rest and rank_of([list(c) for c in zip(*rest, strict=True)]) == len(subset):
                    continue
                coefficients = left_null(rows, [a for a in others if a not in kept])
                vector: dict[int, Fraction] = {}
                prov: dict[int, Fraction] = {}
                for c, i in zip(coefficients, subset, strict=True):
                    if c:
                        vector = fsub(vector, -c, basis[i][1])
                        prov = fsub(prov, -c, basis[i][2])
                return vector, prov
    return None


@dataclass
class _State:
    """One audit's working data, kept for the final pass over hidden cells."""

    echelon: Echelon
    rest: Basis
    atom_of: dict[int, int]
    atom_size: list[int]


def audit(
    cells: Sequence[Cell],
    hidden: set[Hashable],
    *,
    unit_of: Sequence[int],
    k: int,
    budget: int = 20_000,
) -> tuple[Audit, list[dict[int, Fraction]], _State]:
    """Audit the publication where the ``hidden`` cells are hidden and every other cell is
    shown: the report, and for each disclosure found the published cells its derivation
    uses (row -> coefficient)."""
    published = [i for i, c in enumerate(cells) if c.key not in hidden and c.members]
    signature: dict[int, list[int]] = {}
    for position, i in enumerate(published):
        for v in cells[i].members:
            signature.setdefault(v, []).append(position)
    atom_of_signature: dict[tuple[int, ...], int] = {}
    atom_of: dict[int, int] = {}
    atom_vars: list[list[int]] = []
    for v, sig in signature.items():
        key = tuple(sig)
        atom = atom_of_signature.get(key)
        if atom is None:
            atom = atom_of_signature[key] = len(atom_vars)
            atom_vars.append([])
        atom_vars[atom].append(v)
        atom_of[v] = atom
    weight = {a: frozenset(unit_of[v] for v in vs) for a, vs in enumerate(atom_vars)}
    small = {a for a, w in weight.items() if len(w) < k}
    report = Audit(atoms=len(atom_vars), small_atoms=len(small))
    rows: list[Row] = []
    row_cell: list[int] = []
    seen: set[frozenset[int]] = set()
    for i in published:
        atoms = frozenset(atom_of[v] for v in cells[i].members)
        if atoms in seen:
            continue
        seen.add(atoms)
        rows.append(dict.fromkeys(atoms, 1))
        row_cell.append(i)
    large = set(range(len(atom_vars))) - small
    echelon = eliminate(rows, large, track=bool(small))
    rest: Basis = rref(echelon.rest) if echelon.rest else []
    report.derivable_small = len(rest)
    report.rank = len(echelon.pivots) + len(rest)
    versions = max((len(vs) for vs in _by_unit(unit_of).values()), default=1)
    uses: list[dict[int, Fraction]] = []
    if small and rest:
        for vector, prov in _small_supports(rest, weight, k, (k - 1) * versions, budget):
            uses.append({row_cell[r]: c for r, c in prov.items() if c})
            if report.violation is None:
                report.violation = vector
                report.used_rows = uses[-1]
    state = _State(echelon, rest, atom_of, [len(vs) for vs in atom_vars])
    return report, uses, state


def _by_unit(unit_of: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for v, u in enumerate(unit_of):
        out.setdefault(u, []).append(v)
    return out


def protect(
    cells: Sequence[Cell], *, unit_of: Sequence[int], k: int, budget: int = 20_000
) -> Protection:
    """The cells to hide so that nothing the audit looks for can be derived (see the module).

    ``unit_of[v]`` is the unit of variable ``v``; cells with fewer than ``k`` units that may
    still change are hidden first (primary suppression)."""
    sizes = [len({unit_of[v] for v in c.members}) for c in cells]
    same: dict[frozenset[int], list[int]] = {}
    for i, c in enumerate(cells):
        same.setdefault(c.members, []).append(i)
    hidden: set[Hashable] = {c.key for c in cells if c.hidden}
    hidden |= {c.key for c, n in zip(cells, sizes, strict=True) if not c.fixed and 0 < n < k}
    primary = set(hidden)
    secondary: list[Hashable] = []
    iterations = 0
    while True:
        iterations += 1
        report, uses, state = audit(cells, hidden, unit_of=unit_of, k=k, budget=budget)
        if not uses:
            break
        chosen: set[int] = set()
        for used in uses:
            candidates = [i for i in used if not cells[i].fixed and cells[i].key not in hidden]
            if not candidates:  # only fixed cells derive it: hide every changeable cell
                candidates = [i for i, c in enumerate(cells) if not c.fixed and c.key not in hidden]
                if not candidates:
                    raise RuntimeError("an earlier release discloses a small group by itself")
            chosen.add(min(candidates, key=lambda i: (sizes[i], str(cells[i].key))))
        for choice in sorted(chosen):
            for twin in same[cells[choice].members]:  # the same units, hidden everywhere
                if not cells[twin].fixed and cells[twin].key not in hidden:
                    hidden.add(cells[twin].key)
                    secondary.append(cells[twin].key)
    shown: list[Hashable] = []
    for i, cell in enumerate(cells):
        if cell.key not in hidden or cell.fixed or sizes[i] < k or cell.key in primary:
            continue
        if _derivable(cell, state):
            shown.append(cell.key)
    hidden -= set(shown)
    return Protection(hidden, secondary, shown, iterations, report)


def _derivable(cell: Cell, state: _State) -> bool:
    """Whether the cell's sum is a combination of the published cells' sums."""
    atoms: dict[int, int] = {}
    for v in cell.members:
        atom = state.atom_of.get(v)
        if atom is None:
            return False  # a variable in no published cell
        atoms[atom] = atoms.get(atom, 0) + 1
    if any(state.atom_size[a] != n for a, n in atoms.items()):
        return False  # part of an atom: not constant on atoms
    row: Row = dict.fromkeys(atoms, 1)
    empty: Prov = {}
    for pivot, prow in state.echelon.pivots:
        value = row.get(pivot)
        if value:
            g = gcd(prow[pivot], value)
            row = combine(row, prow[pivot] // g, prow, value // g)
            normalise(row, empty)
    reduced = {a: Fraction(v) for a, v in row.items()}
    for pivot, brow, _ in state.rest:
        factor = reduced.get(pivot)
        if factor:
            reduced = fsub(reduced, factor, brow)
    return not reduced

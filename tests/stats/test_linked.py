"""Linked-table protection (``survey.stats.linked``) against the analyst of ``tests/analyst.py``.

Each test builds tables whose cells are sets of units, lets ``protect`` choose what to hide, and
then lets the analyst — an independent, brute-force implementation of the linear-system attack —
try to derive any hidden cell or any combination of fewer than k units from everything
published (several tables, several releases). The analyst must recover nothing.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.stats.linked import Cell, protect
from tests.analyst import Analyst

DIMENSIONS = ("region", "type", "form", "organiser")
FAMILY: tuple[tuple[str, ...], ...] = (
    (),
    *((d,) for d in DIMENSIONS),
    *combinations(DIMENSIONS, 2),
)


def tables(units: Sequence[dict[str, object]]) -> list[Cell]:
    """Every cell of the nation, each one-way and each two-way breakdown."""
    groups: dict[Hashable, set[int]] = {}
    for v, unit in enumerate(units):
        for columns in FAMILY:
            groups.setdefault((columns, tuple(unit[c] for c in columns)), set()).add(v)
    return [Cell(key, frozenset(members)) for key, members in groups.items()]


def check_safe(cells: Sequence[Cell], hidden: set[Hashable], n: int, k: int) -> None:
    published = [c.members for c in cells if c.key not in hidden]
    analyst = Analyst(published, list(range(n)))
    found = analyst.small_disclosure(k=k)
    assert found is None, f"units {found}: a combination of fewer than {k} units is derivable"
    for cell in cells:
        if cell.key in hidden:
            assert not analyst.determined(dict.fromkeys(cell.members, 1)), (
                f"hidden cell {cell.key} can be derived from the published ones"
            )
        if 0 < len(cell.members) < k:
            assert cell.key in hidden, f"{cell.key} has {len(cell.members)} < {k} units"
    by_members: dict[frozenset[int], set[bool]] = {}
    for cell in cells:
        by_members.setdefault(cell.members, set()).add(cell.key in hidden)
    assert all(len(states) == 1 for states in by_members.values()), "same units shown and hidden"


def test_a_single_sensitive_cell_of_a_two_way_table_gets_a_rectangle() -> None:
    """Hundepool et al., *Statistical Disclosure Control* (Wiley 2012), §4.2: in a two-way
    table with published margins a single suppressed cell can be recalculated from its row or
    column, so at least three more cells must be hidden, at least two in every row and column
    that has one."""
    counts = {
        ("a", "x"): 1, ("a", "y"): 3, ("a", "z"): 4,
        ("b", "x"): 3, ("b", "y"): 4, ("b", "z"): 5,
        ("c", "x"): 6, ("c", "y"): 6, ("c", "z"): 7,
    }  # fmt: skip
    units = [{"row": r, "col": c} for (r, c), n in counts.items() for _ in range(n)]
    groups: dict[Hashable, set[int]] = {}
    for v, u in enumerate(units):
        for key in (("total",), ("row", u["row"]), ("col", u["col"]), ("cell", u["row"], u["col"])):
            groups.setdefault(key, set()).add(v)
    cells = [Cell(key, frozenset(m)) for key, m in groups.items()]
    protection = protect(cells, unit_of=list(range(len(units))), k=3)
    interior = {key for key in protection.hidden if key[0] == "cell"}
    assert ("cell", "a", "x") in interior
    assert len(interior) >= 4
    for axis in (1, 2):
        lines: dict[object, int] = {}
        for key in interior:
            lines[key[axis]] = lines.get(key[axis], 0) + 1
        assert all(n >= 2 for n in lines.values()), f"a line with one hidden cell: {lines}"
    assert ("total",) not in protection.hidden
    check_safe(cells, protection.hidden, len(units), 3)


def test_nothing_is_hidden_when_every_atom_is_large() -> None:
    units = [{"region": r, "type": "m", "form": f, "organiser": r} for r in "ab" for f in "xy"] * 6
    cells = tables(units)
    assert protect(cells, unit_of=list(range(len(units))), k=5).hidden == set()


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[dict[str, object]], int]:
    """Organisers (each in one region, of one type) and their schools of some form."""
    n_org = draw(st.integers(2, 6))
    organisers = [
        (draw(st.sampled_from("ABC")), draw(st.sampled_from(["mun", "ind"]))) for _ in range(n_org)
    ]
    n = draw(st.integers(6, 22))
    units = []
    for _ in range(n):
        o = draw(st.integers(0, n_org - 1))
        form = draw(st.sampled_from(["grund", "gym", "anp"]))
        units.append(
            {"region": organisers[o][0], "type": organisers[o][1], "form": form, "organiser": o}
        )
    return units, draw(st.integers(3, 5))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds())
def test_linked_tables_disclose_nothing(world: tuple[list[dict[str, object]], int]) -> None:
    units, k = world
    cells = tables(units)
    protection = protect(cells, unit_of=list(range(len(units))), k=k)
    check_safe(cells, protection.hidden, len(units), k)


def _release(units: Sequence[dict[str, object]], variables: Sequence[int], tag: str) -> list[Cell]:
    groups: dict[Hashable, set[int]] = {}
    for v, unit in zip(variables, units, strict=True):
        for columns in FAMILY:
            groups.setdefault((tag, columns, tuple(unit[c] for c in columns)), set()).add(v)
    return [Cell(key, frozenset(m)) for key, m in groups.items()]


def test_a_second_release_one_unit_larger_publishes_nothing_new_about_it() -> None:
    """Two releases of a round: the second has one more unit. Each release alone is safe (every
    cell has at least k units), but the difference of the two nations is that unit."""
    units = [
        {"region": r, "type": "mun", "form": f, "organiser": r}
        for r in "AB"
        for f in ("grund", "gym")
        for _ in range(6)
    ]
    first = _release(units, range(len(units)), "r1")
    p1 = protect(first, unit_of=list(range(len(units))), k=5)
    assert p1.hidden == set()
    later = [*units, {"region": "A", "type": "mun", "form": "grund", "organiser": "A"}]
    variables = list(range(len(later)))  # the old units keep their variables
    alone = _release(later, variables, "r2")
    assert protect(alone, unit_of=variables, k=5).hidden == set()
    naive = Analyst([c.members for c in first + alone], variables)
    assert naive.small_disclosure(k=5) == (len(units),), "the new unit is exposed"
    fixed = [Cell(c.key, c.members, fixed=True, hidden=c.key in p1.hidden) for c in first]
    p2 = protect(fixed + alone, unit_of=variables, k=5)
    published = [c.members for c in fixed + alone if c.key not in p2.hidden]
    assert Analyst(published, variables).small_disclosure(k=5) is None
    # cells without the new unit are the same sets as before, and stay published
    assert ("r2", ("region",), ("B",)) not in p2.hidden


def test_a_reopened_unit_is_a_new_variable_and_its_change_stays_hidden() -> None:
    """A unit whose answers changed between releases has a new variable for the same unit:
    the difference of the two values is a combination of one unit."""
    units = [
        {"region": r, "type": "mun", "form": f, "organiser": r}
        for r in "AB"
        for f in ("grund", "gym")
        for _ in range(6)
    ]
    n = len(units)
    first = _release(units, range(n), "r1")
    variables = [*range(n - 1), n]  # the last unit changed: variable n, still unit n - 1
    unit_of = [*range(n), n - 1]
    second = _release(units, variables, "r2")
    naive = Analyst([c.members for c in first + second], list(range(n + 1)))
    found = naive.small_disclosure(k=5, unit_of=dict(enumerate(unit_of)))
    assert found is not None and set(found) == {n - 1, n}
    fixed = [Cell(c.key, c.members, fixed=True) for c in first]
    p = protect(fixed + second, unit_of=unit_of, k=5)
    assert ("r2", (), ()) in p.hidden  # the nation's difference would be that unit's change
    published = [c.members for c in fixed + second if c.key not in p.hidden]
    analyst = Analyst(published, list(range(n + 1)))
    assert analyst.small_disclosure(k=5, unit_of=dict(enumerate(unit_of))) is None


def test_the_analyst_breaks_primary_suppression_alone() -> None:
    """Without secondary suppression a hidden cell comes back by subtraction: the analyst above
    is not toothless."""
    units = (
        [{"region": "A", "type": "mun", "form": "grund", "organiser": 1}] * 2
        + [{"region": "A", "type": "mun", "form": "gym", "organiser": 1}] * 7
        + [{"region": "B", "type": "mun", "form": "grund", "organiser": 2}] * 8
    )
    cells = tables(units)
    primary_only = {c.key for c in cells if 0 < len(c.members) < 5}
    published = [c.members for c in cells if c.key not in primary_only]
    analyst = Analyst(published, list(range(len(units))))
    assert analyst.determined({0: 1, 1: 1})  # the two grund schools of region A, together
    sums = [len(m) * 10 + sum(m) for m in published]  # any values: value v is 10 + v
    assert analyst.value({0: 1, 1: 1}, sums) == (10 + 0) + (10 + 1)
    protection = protect(cells, unit_of=list(range(len(units))), k=5)
    check_safe(cells, protection.hidden, len(units), 5)

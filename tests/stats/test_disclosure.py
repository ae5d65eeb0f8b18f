"""Disclosure control: no cell below k carries a number, and no hidden cell can be recovered by
subtracting published cells from a published margin (DESIGN.md §5), in random tables."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from survey.stats.disclosure import Tables, line_ok, suppress


def build(units: list[tuple[str, str]]) -> Tables:
    """Units as (region, organiser type): a nation total, two one-way and one two-way table."""
    tables = Tables()
    tables.counts[("nation", "")] = len(units)
    tables.add_one_way("region", Counter(r for r, _ in units), ("nation", ""))
    tables.add_one_way("type", Counter(t for _, t in units), ("nation", ""))
    tables.add_two_way("region,type", Counter(units), rows="region", columns="type")
    return tables


def check(tables: Tables, hidden: set, k: int) -> None:  # type: ignore[type-arg]
    for cell, n in tables.counts.items():
        if n < k:
            assert cell in hidden, f"{cell} has {n} < {k} units but is published"
    for line in tables.lines:
        hidden_counts = [
            tables.counts[c] for c in line.cells if c in hidden and tables.counts[c] > 0
        ]
        margin_hidden = line.margin in hidden
        assert line_ok(hidden_counts, k) or margin_hidden, (
            f"line {line.cells} → {line.margin}: hidden {hidden_counts} can be recovered"
        )


unit = st.tuples(
    st.sampled_from(["01", "03", "12", "14", "25"]),
    st.sampled_from(["municipal", "independent", "state"]),
)


@settings(max_examples=300, deadline=None)
@given(units=st.lists(unit, min_size=0, max_size=60), k=st.integers(min_value=2, max_value=7))
def test_every_published_table_is_safe(units: list[tuple[str, str]], k: int) -> None:
    tables = build(units)
    check(tables, suppress(tables, k), k)


def test_single_small_cell_gets_a_partner() -> None:
    # Regions 01: 12 units, 03: 9 units, 12: 3 units. Hiding only "12" would let anyone compute
    # it as 24 − 12 − 9; the next smallest cell ("03") is hidden too.
    tables = Tables()
    tables.counts[("nation", "")] = 24
    tables.add_one_way("region", {"01": 12, "03": 9, "12": 3}, ("nation", ""))
    hidden = suppress(tables, 5)
    assert hidden == {("region", "12"), ("region", "03")}


def test_two_small_cells_that_together_are_too_few() -> None:
    # 2 + 2 < 5: the hidden pair's total would still be disclosed, so a third cell is hidden.
    tables = Tables()
    tables.counts[("nation", "")] = 24
    tables.add_one_way("region", {"01": 12, "03": 8, "12": 2, "14": 2}, ("nation", ""))
    assert suppress(tables, 5) == {("region", "12"), ("region", "14"), ("region", "03")}


def test_nothing_hidden_when_every_cell_is_large() -> None:
    tables = Tables()
    tables.counts[("nation", "")] = 30
    tables.add_one_way("region", {"01": 10, "03": 20}, ("nation", ""))
    assert suppress(tables, 5) == set()

"""Small-cell suppression for published tables (DESIGN.md §5), primary and secondary.

A *line* is a set of cells whose counts add up to a published margin: a one-way breakdown
(its cells add up to the total), or a row or column of a two-way breakdown (its cells add up to
the matching cell of a one-way breakdown). A hidden value must never be recoverable by
subtracting published cells from a published margin, so in every line the hidden cells are
either none, or at least two that together hold at least ``k`` units. Where a line breaks the
rule, its smallest published cell is hidden too; where every cell of a line is hidden and the
rule still fails, the margin is hidden. This repeats until nothing changes.

Pure functions over plain mappings; no statistics are computed here, only which cells to hide.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

Cell = tuple[str, Hashable]  # (table name, key within the table)


@dataclass
class Line:
    """Cells that add up to ``margin`` (None: the margin is the table's own total, always hidden
    or published with the rule applied to the line itself)."""

    cells: list[Cell]
    margin: Cell | None


@dataclass
class Tables:
    """Counts of every cell, and the lines that tie them together."""

    counts: dict[Cell, int] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)

    def add_one_way(self, name: str, counts: Mapping[Hashable, int], total: Cell | None) -> None:
        """A breakdown ``name`` whose cells add up to ``total`` (e.g. the nation's cell)."""
        for key, n in counts.items():
            self.counts[(name, key)] = int(n)
        self.lines.append(Line([(name, key) for key in counts], total))

    def add_two_way(
        self,
        name: str,
        counts: Mapping[tuple[Hashable, Hashable], int],
        rows: str,
        columns: str,
    ) -> None:
        """A two-way breakdown whose rows add up to one-way table ``rows`` and columns to
        ``columns`` (cell keys are (row value, column value))."""
        for key, n in counts.items():
            self.counts[(name, key)] = int(n)
        by_row: dict[Hashable, list[Cell]] = {}
        by_col: dict[Hashable, list[Cell]] = {}
        for a, b in counts:
            by_row.setdefault(a, []).append((name, (a, b)))
            by_col.setdefault(b, []).append((name, (a, b)))
        for a, cells in by_row.items():
            self.lines.append(Line(cells, (rows, a)))
        for b, cells in by_col.items():
            self.lines.append(Line(cells, (columns, b)))


def line_ok(hidden: Iterable[int], k: int) -> bool:
    """The rule for one line, given the counts of its hidden cells."""
    counts = list(hidden)
    return not counts or (len(counts) >= 2 and sum(counts) >= k)


def suppress(tables: Tables, k: int, *, primary: Iterable[Cell] = ()) -> set[Cell]:
    """Every cell to hide: below ``k`` units (primary, plus any cell in ``primary``, e.g. too
    few respondents), and the secondary cells that keep every line safe."""
    hidden = {cell for cell, n in tables.counts.items() if n < k}
    hidden |= {cell for cell in primary if cell in tables.counts}
    changed = True
    while changed:
        changed = False
        for line in tables.lines:
            cells = [c for c in line.cells if tables.counts[c] > 0]
            margin_hidden = line.margin is not None and line.margin in hidden
            if margin_hidden:
                continue  # nothing can be subtracted from a hidden margin
            if line_ok((tables.counts[c] for c in cells if c in hidden), k):
                continue
            shown = sorted(
                (c for c in cells if c not in hidden), key=lambda c: (tables.counts[c], str(c))
            )
            if shown:
                hidden.add(shown[0])
            elif line.margin is not None and line.margin in tables.counts:
                hidden.add(line.margin)
            else:
                continue  # a table's own total: nothing above it to protect
            changed = True
    return hidden

"""What a release of a round publishes, and which of its cells are hidden (README: "Disclosure
control").

Pure functions over the units of each release (their ids, attributes and scores per scope):

- :func:`hidden_cells` — for each scope, the cells of the new release to hide: every breakdown
  of the family, protected jointly with all earlier releases of the round
  (:func:`survey.stats.linked.protect`). Within a scope a unit's value is one variable across
  releases while it stays the same; a unit whose value changed gets a new variable (the
  difference of the two is then a combination of one unit, which the audit keeps hidden).
- :func:`small_cell` — the second threshold: order statistics and dispersion only for cells
  of at least ``k_detail`` units.
- :func:`paired_tables` — change between two releases of two rounds (units in both), per
  breakdown and scope, with the Wilcoxon signed-rank test, protected the same way.

Scopes whose cells hold the same sets of variables share one audit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from survey.stats.linked import Cell, protect
from survey.stats.signedrank import wilcoxon

SEPARATOR = "\x1f"
DETAIL_FIELDS = ("median", "q1", "q3", "min", "max", "sd", "gini", "theil")
TREND_FIELDS = ("n_pairs", "improved", "unchanged", "declined", "wilcoxon_statistic", "wilcoxon_p")

CellKey = tuple[int, str, str]  # (release position, breakdown, group label)


@dataclass(frozen=True)
class Units:
    """The units of one release: ``scores[s, i]`` is unit ``ids[i]``'s score in scope ``s``
    (NaN: none), ``attributes[d][i]`` its value of dimension ``d`` (None or "": none)."""

    ids: npt.NDArray[np.int64]
    attributes: dict[str, list[str | None]]
    scores: npt.NDArray[np.float64]
    respondents: npt.NDArray[np.int64]

    def labels(self, columns: Sequence[str]) -> list[str | None]:
        """Per unit its group label in the breakdown ``columns`` ("" for the nation)."""
        if not columns:
            return [""] * len(self.ids)
        values = [self.attributes[c] for c in columns]
        out: list[str | None] = []
        for i in range(len(self.ids)):
            parts = [v[i] for v in values]
            out.append(None if any(p in (None, "") for p in parts) else SEPARATOR.join(parts))  # type: ignore[arg-type]
        return out


def breakdown_name(columns: Sequence[str]) -> str:
    return ",".join(columns)


def _variables(releases: Sequence[Units], scope: int) -> list[npt.NDArray[np.int64]]:
    """Per release, per unit: its variable in ``scope`` (-1: no score). A unit keeps its
    variable from one release to the next while its score stays the same."""
    known: dict[tuple[int, float], int] = {}
    out = []
    for units in releases:
        values = units.scores[scope]
        var = np.full(len(units.ids), -1, dtype=np.int64)
        for i, (uid, value) in enumerate(zip(units.ids.tolist(), values.tolist(), strict=True)):
            if not math.isnan(value):
                var[i] = known.setdefault((uid, value), len(known))
        out.append(var)
    return out


def _canonical(variables: list[npt.NDArray[np.int64]]) -> bytes:
    """The same bytes for two scopes whose cells hold the same sets of variables (up to names)."""
    rename: dict[int, int] = {}
    parts = []
    for var in variables:
        renamed = np.array(
            [-1 if v < 0 else rename.setdefault(v, len(rename)) for v in var.tolist()],
            dtype=np.int64,
        )
        parts.append(renamed.tobytes() + b"|")
    return b"".join(parts)


def hidden_cells(
    releases: Sequence[Units],
    earlier_hidden: Sequence[dict[int, set[tuple[str, str]]]],
    *,
    family: Sequence[Sequence[str]],
    n_scopes: int,
    k: int,
    individual: bool,
    progress: Callable[[str], None] | None = None,
) -> tuple[dict[int, set[tuple[str, str]]], dict[str, Any]]:
    """Per scope, the (breakdown, group) cells of the last release to hide. ``earlier_hidden``:
    per earlier release, per scope, its hidden cells (they stay as they are).

    Returns the hidden cells and what the audits found (for the release's method notes)."""
    say = progress or (lambda message: None)
    labels = [[units.labels(columns) for columns in family] for units in releases]
    names = [breakdown_name(columns) for columns in family]
    unit_of_cache: dict[bytes, set[tuple[str, str]]] = {}
    summary: dict[str, Any] = {"audits": 0, "iterations": 0, "atoms": 0, "secondary": 0,
                               "primary": 0, "shown_derivable": 0}  # fmt: skip
    last = len(releases) - 1
    out: dict[int, set[tuple[str, str]]] = {}
    for scope in range(n_scopes):
        variables = _variables(releases, scope)
        key = _canonical(variables)
        if key not in unit_of_cache:
            cells, unit_of = _cells(
                releases, labels, names, variables, earlier_hidden, scope, k, individual
            )
            protection = protect(cells, unit_of=unit_of, k=k)
            found: set[tuple[str, str]] = set()
            for cell in protection.hidden:
                assert isinstance(cell, tuple)
                if cell[0] == last:
                    found.add((str(cell[1]), str(cell[2])))
            unit_of_cache[key] = found
            summary["audits"] += 1
            summary["iterations"] += protection.iterations
            summary["atoms"] = max(summary["atoms"], protection.last_audit.atoms)
            summary["secondary"] += len(
                [c for c in protection.secondary if c[0] == last]  # type: ignore[index]
            )
            summary["shown_derivable"] += len(protection.shown_derivable)
            summary["primary"] += sum(
                1 for c in cells if not c.fixed and (c.hidden or 0 < len(c.members) < k)
            )
        out[scope] = unit_of_cache[key]
        say(f"scope {scope + 1} of {n_scopes} protected")
    return out, summary


def _cells(
    releases: Sequence[Units],
    labels: list[list[list[str | None]]],
    names: list[str],
    variables: list[npt.NDArray[np.int64]],
    earlier_hidden: Sequence[dict[int, set[tuple[str, str]]]],
    scope: int,
    k: int,
    individual: bool,
) -> tuple[list[Cell], list[int]]:
    unit_of: dict[int, int] = {}
    cells: list[Cell] = []
    last = len(releases) - 1
    for r, units in enumerate(releases):
        var = variables[r]
        for v, uid in zip(var.tolist(), units.ids.tolist(), strict=True):
            if v >= 0:
                unit_of[v] = uid
        for b, name in enumerate(names):
            members: dict[str, list[int]] = {}
            respondents: dict[str, int] = {}
            for i, label in enumerate(labels[r][b]):
                if label is None or var[i] < 0:
                    continue
                members.setdefault(label, []).append(int(var[i]))
                respondents[label] = respondents.get(label, 0) + int(units.respondents[i])
            for label, vs in members.items():
                fixed = r < last
                hidden = (
                    (name, label) in earlier_hidden[r].get(scope, set())
                    if fixed
                    else individual and respondents[label] < k
                )
                key: Hashable = (r, name, label)
                cells.append(Cell(key, frozenset(vs), fixed=fixed, hidden=hidden))
    dense = [unit_of.get(v, -1) for v in range(max(unit_of, default=-1) + 1)]
    return cells, dense


def small_cell(row: dict[str, Any], k_detail: int) -> dict[str, Any]:
    """The row with its order statistics and dispersion withheld below ``k_detail`` units:
    in a cell of five, the quartiles and median are three units' scores, and the mean and sd
    give the other two."""
    n = int(row.get("n_units") or 0)
    if n >= k_detail:
        return row
    return {**row, **dict.fromkeys((f for f in DETAIL_FIELDS if f in row), None)}


# ------------------------------------------------------------------------------- paired trends


def paired_tables(
    earlier: Units,
    later: Units,
    *,
    family: Sequence[Sequence[str]],
    scopes: Sequence[tuple[str, str]],
    later_hidden: dict[int, set[tuple[str, str]]],
    k: int,
) -> list[dict[str, Any]]:
    """Units with a score in both releases, per breakdown (attributes of ``later``) and scope:
    n_pairs, improved / unchanged / declined, and the Wilcoxon signed-rank test of the change.
    A cell is shown only when the linked audit over all breakdowns of the scope lets it, and
    never where ``later``'s publication hides the same group."""
    position = {uid: i for i, uid in enumerate(earlier.ids.tolist())}
    both_later = np.array([i for i, uid in enumerate(later.ids.tolist()) if uid in position])
    if both_later.size == 0:
        return []
    both_earlier = np.array([position[uid] for uid in later.ids[both_later].tolist()])
    rows: list[dict[str, Any]] = []
    names = [breakdown_name(c) for c in family]
    labels = [later.labels(c) for c in family]
    for s, (scope_type, scope_id) in enumerate(scopes):
        d = later.scores[s, both_later] - earlier.scores[s, both_earlier]
        ok = ~np.isnan(d)
        units = both_later[ok]
        diffs = d[ok]
        cells = []
        stats: dict[tuple[str, str], dict[str, Any]] = {}
        for b, name in enumerate(names):
            groups = [labels[b][i] for i in units.tolist()]
            present = sorted({g for g in groups if g is not None})
            index = {g: j for j, g in enumerate(present)}
            seg = np.array([index.get(g, -1) if g is not None else -1 for g in groups])
            keep = seg >= 0
            w = wilcoxon(seg[keep], diffs[keep], max(len(present), 1))
            for g, label in enumerate(present):
                members = frozenset(units[keep][seg[keep] == g].tolist())
                primary = (name, label) in later_hidden.get(s, set())
                cells.append(Cell((name, label), members, hidden=primary))
                stats[(name, label)] = {
                    "n_pairs": int(w.n_pairs[g]), "improved": int(w.improved[g]),
                    "unchanged": int(w.unchanged[g]), "declined": int(w.declined[g]),
                    "wilcoxon_statistic": _num(w.statistic[g]), "wilcoxon_p": _num(w.p[g]),
                }  # fmt: skip
        hidden: set[Hashable] = (
            protect(cells, unit_of=list(range(len(later.ids))), k=k).hidden if cells else set()
        )
        for cell in cells:
            name, label = cell.key  # type: ignore[misc]
            is_hidden = cell.key in hidden
            row: dict[str, Any] = {
                "by": name,
                "group": label,
                "scope_type": scope_type,
                "scope_id": scope_id,
            }
            row |= {f: None if is_hidden else stats[cell.key][f] for f in TREND_FIELDS}  # type: ignore[index]
            row["suppressed"] = is_hidden
            rows.append(row)
    return rows


def _num(value: float) -> float | None:
    return None if math.isnan(value) else float(value)

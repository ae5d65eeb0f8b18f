"""Turn raw answer columns into a :class:`survey.stats.AnswerTable`, or list every problem.

Problems: empty ids, unknown unit ids (not in the units file), unknown item ids, values outside
the scale, duplicate rows (same round, unit, respondent and item), and, for a unit-level
questionnaire, a second respondent for a unit in a round. Each names the file and line.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from survey.analysis.reading import InputError, InputProblem, IntArray, RawColumns
from survey.questionnaire import Questionnaire
from survey.stats import VALUE_DK, VALUE_NA, VALUE_UNANSWERED, AnswerTable, duplicate_rows

MAX_PER_KIND = 1000  # problem lines listed per kind of problem; the rest are counted
INVALID = -100
EMPTY = -2
UNKNOWN = -1


def value_code(text: str, n_levels: int) -> int:
    t = text.strip()
    if not t:
        return VALUE_UNANSWERED
    if t.upper() in {"NA", "N/A"}:
        return VALUE_NA
    if t.upper() == "DK":
        return VALUE_DK
    try:
        number = float(t)
    except ValueError:
        return INVALID
    if number.is_integer() and 1 <= number <= n_levels:
        return int(number)
    return INVALID


def _entries(raw: RawColumns, name: str, code: Callable[[str], int]) -> IntArray:
    """``code`` of each distinct value, plus a last entry for null (read as "")."""
    values = raw.values[name] or []
    return np.array([code(v) for v in values] + [code("")], dtype=np.int64)


def _id_code(index: dict[str, int]) -> Callable[[str], int]:
    def code(text: str) -> int:
        t = text.strip()
        return EMPTY if not t else index.get(t, UNKNOWN)

    return code


class _Report:
    def __init__(self, raw: RawColumns):
        self.raw = raw
        self.problems: list[InputProblem] = []

    def rows(self, rows: IntArray, message: Callable[[int], str], kind: str) -> None:
        lines = self.raw.line_of(rows[:MAX_PER_KIND])
        for row, line in zip(rows[:MAX_PER_KIND].tolist(), lines.tolist(), strict=True):
            self.problems.append(InputProblem(self.raw.label, line, message(row), self.raw.parquet))
        if rows.size > MAX_PER_KIND:
            more = f"... and {rows.size - MAX_PER_KIND:,} more rows with {kind}"
            self.problems.append(InputProblem(self.raw.label, None, more, self.raw.parquet))


def encode_answers(
    raw: RawColumns, q: Questionnaire, unit_ids: list[str], units_label: str
) -> AnswerTable:
    """The answer table, or InputError listing every problem (file and line).

    Codes are looked up once per distinct value; rows are only scanned for problems when some
    distinct value is bad, so clean input costs one gather per column.
    """
    n_levels = q.scale.size
    round_labels = sorted({v.strip() for v in raw.values["round"] or []} - {""})
    entries = {
        "round": _entries(raw, "round", _id_code({r: i for i, r in enumerate(round_labels)})),
        "unit_id": _entries(raw, "unit_id", _id_code({u: i for i, u in enumerate(unit_ids)})),
        "item_id": _entries(raw, "item_id", _id_code({it.id: i for i, it in enumerate(q.items)})),
        "value": _entries(raw, "value", lambda t: value_code(t, n_levels)),
    }
    dtypes = {"round": np.int16, "unit_id": np.int32, "item_id": np.int16, "value": np.int8}
    report = _Report(raw)
    resp = raw.index("respondent_id")
    if raw.has_nulls("respondent_id"):  # null respondent ids (Parquet): one more id
        resp = np.where(resp < 0, resp.max() + 1, resp)
    used = {  # the null entry counts only when the column has nulls
        n: e if raw.has_nulls(n) else e[:-1] for n, e in entries.items()
    }
    clean = all(used[n].min(initial=0) >= 0 for n in ("round", "unit_id", "item_id"))
    clean = clean and used["value"].min(initial=0) != INVALID
    good: IntArray | None = None
    if clean:
        codes = {n: raw.gather(n, entries[n].astype(dtypes[n])) for n in entries}
    else:
        codes = {n: raw.gather(n, entries[n]) for n in entries}
        good = _bad_rows(report, raw, codes, q, units_label)
        codes = {n: codes[n][good].astype(dtypes[n]) for n in codes}
        resp = resp[good]
    answers = AnswerTable(
        round=codes["round"], unit=codes["unit_id"], respondent=resp, item=codes["item_id"],
        value=codes["value"], round_labels=round_labels,
    )  # fmt: skip
    _duplicates(report, answers, good, len(q.items))
    if not q.is_individual:
        _extra_respondents(report, answers, good, unit_ids)
    if report.problems:
        raise InputError(sorted(report.problems, key=lambda p: (p.line is None, p.line or 0)))
    return answers


def _constant(message: str) -> Callable[[int], str]:
    return lambda row: message


def _bad_rows(
    report: _Report,
    raw: RawColumns,
    codes: dict[str, IntArray],
    q: Questionnaire,
    units_label: str,
) -> IntArray:
    """Report every bad row; return the good rows (blank lines are skipped silently)."""
    rnd, unit, item, value = (codes[n] for n in ("round", "unit_id", "item_id", "value"))
    blank = (unit == EMPTY) & (item == EMPTY) & (rnd == EMPTY) & (value == VALUE_UNANSWERED)
    text = {n: raw.values[n] or [] for n in ("unit_id", "item_id", "value")}

    def shown(name: str, row: int) -> str:
        index = raw.index(name)[row]
        return repr(text[name][index] if index >= 0 else "")

    for name in ("round", "unit_id", "item_id"):
        empty = np.flatnonzero((codes[name] == EMPTY) & ~blank)
        report.rows(empty, _constant(f"empty {name}"), f"an empty {name}")
    report.rows(np.flatnonzero(unit == UNKNOWN),
                lambda r: f"unit_id {shown('unit_id', r)} is not in {units_label}",
                "unknown unit ids")  # fmt: skip
    report.rows(np.flatnonzero(item == UNKNOWN),
                lambda r: f"item_id {shown('item_id', r)} is not in questionnaire {q.key}",
                "unknown item ids")  # fmt: skip
    report.rows(np.flatnonzero(value == INVALID),
                lambda r: f"value {shown('value', r)} is not on the scale "
                          f"(1..{q.scale.size}, NA, DK or empty)",
                "values outside the scale")  # fmt: skip
    return np.flatnonzero((unit >= 0) & (item >= 0) & (rnd >= 0) & (value != INVALID))


def _duplicates(report: _Report, answers: AnswerTable, good: IntArray | None, n_items: int) -> None:
    repeat, first = duplicate_rows(answers, n_items)
    if repeat.size:
        good = good if good is not None else np.arange(len(answers))
        order = np.argsort(good[repeat], kind="stable")
        repeat, first = good[repeat[order]], good[first[order]]
        first_line = dict(zip(repeat.tolist(), report.raw.line_of(first).tolist(), strict=True))
        where = "line" if not report.raw.parquet else "row"
        report.rows(repeat, lambda r: f"duplicate of {where} {first_line[r]} (same round, unit, "
                    "respondent and item)", "duplicates")  # fmt: skip


def _extra_respondents(
    report: _Report, answers: AnswerTable, good: IntArray | None, unit_ids: list[str]
) -> None:
    """A unit-level questionnaire has one respondent per unit and round."""
    sets = answers.sets
    n_units = len(unit_ids)
    ur = sets.round * n_units + sets.unit
    first_row = np.full(sets.count, np.iinfo(np.int64).max)
    np.minimum.at(first_row, sets.of_row, np.arange(len(answers)))
    order = np.lexsort((first_row, ur))
    later = np.zeros(order.size, dtype=bool)
    later[1:] = ur[order][1:] == ur[order][:-1]
    extra = order[later]
    if extra.size:
        good = good if good is not None else np.arange(len(answers))
        rows = np.sort(good[first_row[extra]])
        labels = answers.round_labels
        by_row = dict(zip(good[first_row[extra]].tolist(), extra.tolist(), strict=True))

        def message(row: int) -> str:
            s = by_row[row]
            return (f"a second respondent for unit {unit_ids[int(sets.unit[s])]!r} in round "
                    f"{labels[int(sets.round[s])]!r}; the questionnaire is unit-level "
                    "(one respondent per unit and round)")  # fmt: skip

        report.rows(rows, message, "extra respondents")

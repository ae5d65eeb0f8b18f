"""The bridge from the database to the statistics engine: build its input tables, run it.

Every number a page or the API shows comes from :func:`survey.stats.analyze` through here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Integer, String, any_, bindparam, cast, func
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, col, select

from survey.models import Answer, Assessment, Respondent
from survey.questionnaire import Questionnaire
from survey.stats import VALUE_DK, VALUE_NA, Analysis, AnswerTable, UnitTable, analyze


@dataclass(frozen=True)
class AnswerRow:
    round_id: int
    unit_id: int
    respondent_id: int
    item_id: str
    kind: str
    value: int | None


def value_code(kind: str, value: int | None) -> int:
    if kind == "level" and value is not None:
        return int(value)
    return {"na": VALUE_NA, "dk": VALUE_DK}.get(kind, 0)


def answer_rows(
    session: Session,
    *,
    assessment_ids: Sequence[int],
    submitted_only: bool,
    released_only: bool = False,
) -> list[AnswerRow]:
    """Answers of the given assessments (only submitted answer sets when asked; only released
    anonymous respondents with ``released_only``)."""
    if not assessment_ids:
        return []
    query = _answer_query(assessment_ids, submitted_only, released_only=released_only)
    return [AnswerRow(*row) for row in session.exec(query)]


def unit_and_answer_tables(
    questionnaire: Questionnaire,
    *,
    units: dict[int, dict[str, str | None]],
    rows: Iterable[AnswerRow],
    columns: Sequence[str],
) -> tuple[UnitTable, AnswerTable]:
    """The engine's input tables. ``units`` maps unit id → attributes (``columns`` of them)."""
    unit_ids = sorted(units)
    unit_index = {uid: i for i, uid in enumerate(unit_ids)}
    table = UnitTable(
        ids=[str(uid) for uid in unit_ids],
        columns={name: [units[uid].get(name) for uid in unit_ids] for name in columns},
    )
    item_index = {item.id: i for i, item in enumerate(questionnaire.items)}
    kept = [r for r in rows if r.item_id in item_index and r.unit_id in unit_index]
    round_ids = sorted({r.round_id for r in kept})
    round_index = {rid: i for i, rid in enumerate(round_ids)}
    answers = AnswerTable(
        round=np.fromiter((round_index[r.round_id] for r in kept), np.int64, len(kept)),
        unit=np.fromiter((unit_index[r.unit_id] for r in kept), np.int64, len(kept)),
        respondent=np.fromiter((r.respondent_id for r in kept), np.int64, len(kept)),
        item=np.fromiter((item_index[r.item_id] for r in kept), np.int64, len(kept)),
        value=np.fromiter((value_code(r.kind, r.value) for r in kept), np.int64, len(kept)),
        round_labels=round_ids,
    )
    return table, answers


def run_analysis(
    questionnaire: Questionnaire,
    *,
    units: dict[int, dict[str, str | None]],
    rows: Iterable[AnswerRow],
    group_by: str = "parent_id",
    compare_by: Sequence[str] = (),
) -> Analysis:
    """Analyse DB answers. ``units`` maps unit id → attributes (must include ``group_by``)."""
    table, answers = unit_and_answer_tables(
        questionnaire, units=units, rows=rows, columns=list(dict.fromkeys([group_by, *compare_by]))
    )
    return analyze(questionnaire, table, answers, group_by=group_by, compare_by=list(compare_by))


def rows_by_scope(
    analysis: Analysis, *, unit_id: int, round_id: int
) -> dict[tuple[str, str], dict[str, Any]]:
    """One unit's result rows keyed by (scope_type, scope_id)."""
    return {
        (row["scope_type"], row["scope_id"]): row
        for row in analysis.units
        if row["unit_id"] == str(unit_id) and str(row["round"]) == str(round_id)
    }


# ----------------------------------------------------------------- answers as columns (bulk)


@dataclass(frozen=True)
class AnswerColumns:
    """Answers as numpy columns, one entry per answer to an item of the questionnaire: what
    :func:`analyse_columns` needs, without a Python object per answer (rounds with thousands of
    respondents have hundreds of thousands of answers)."""

    round_id: np.ndarray
    unit_id: np.ndarray
    respondent_id: np.ndarray
    item: np.ndarray  # index into ``item_ids`` (the questionnaire's items)
    value: np.ndarray  # the engine's code: 1..L, VALUE_NA, VALUE_DK, 0 = unanswered
    item_ids: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.item.size)

    def rows(self) -> list[AnswerRow]:
        """The same answers as :class:`AnswerRow` (``kind`` from the code: level, na, dk, none)."""
        kinds = {VALUE_NA: ("na", None), VALUE_DK: ("dk", None), 0: ("none", None)}
        return [
            AnswerRow(r, u, p, self.item_ids[i], *kinds.get(v, ("level", v)))
            for r, u, p, i, v in zip(
                self.round_id.tolist(), self.unit_id.tolist(), self.respondent_id.tolist(),
                self.item.tolist(), self.value.tolist(), strict=True,
            )
        ]  # fmt: skip


def one_of(column: Any, values: Sequence[Any], dialect: str) -> Any:
    """``column IN (values)``; on PostgreSQL ``column = ANY(%(array)s)``, one parameter however
    many values (psycopg re-parses long statements with many placeholders on every call)."""
    if dialect == "postgresql":
        element = Integer() if all(isinstance(v, int) for v in values) else String()
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(element)))
    return column.in_(values)


def _answer_query(
    assessment_ids: Sequence[int],
    submitted_only: bool,
    dialect: str = "",
    *,
    released_only: bool = False,
) -> Any:
    query = (
        select(
            Assessment.round_id,
            Assessment.unit_id,
            Answer.respondent_id,
            Answer.item_id,
            Answer.kind,
            Answer.value,
        )
        .join(Respondent, Respondent.id == Answer.respondent_id)
        .join(Assessment, Assessment.id == Respondent.assessment_id)
        .where(one_of(Assessment.id, assessment_ids, dialect))
    )
    if submitted_only:
        query = query.where(Respondent.state == "submitted")
    if released_only:
        query = query.where(col(Respondent.release_batch).is_not(None))
    return query


def _fetch_packed(session: Session, query: Any) -> dict[str, Any] | None:
    """The query's rows as one text value (tab-separated lines, aggregated by the database) read
    by Arrow's CSV reader: one value to transfer and one pass in C, instead of a Python tuple
    per answer. Item ids are limited to the questionnaire's (``[A-Za-z0-9._-]``), kinds are
    fixed words and the rest are integers, so neither tabs nor newlines occur in a field."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    sub = query.subquery()
    text = String()
    line = (
        cast(sub.c.round_id, text) + "\t" + cast(sub.c.unit_id, text) + "\t"
        + cast(sub.c.respondent_id, text) + "\t" + sub.c.item_id + "\t" + sub.c.kind + "\t"
        + func.coalesce(cast(sub.c.value, text), "")
    )  # fmt: skip
    packed = session.execute(select(func.aggregate_strings(line, "\n"))).scalar()
    if not packed:
        return None
    names = ["round_id", "unit_id", "respondent_id", "item_id", "kind", "value"]
    data = packed.encode("utf-8")
    words = pa.dictionary(pa.int32(), pa.string())
    table = pacsv.read_csv(
        pa.py_buffer(data),
        # one block, one thread: a few MB parse fastest in one go, one dictionary per column
        read_options=pacsv.ReadOptions(
            column_names=names, use_threads=False, block_size=len(data) + 1
        ),
        parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False),
        convert_options=pacsv.ConvertOptions(
            column_types={
                "round_id": pa.int64(),
                "unit_id": pa.int64(),
                "respondent_id": pa.int64(),
                "item_id": words,
                "kind": words,
                "value": pa.int64(),
            },
            strings_can_be_null=False,
        ),
    ).unify_dictionaries()
    out: dict[str, Any] = {}
    for name in ("round_id", "unit_id", "respondent_id"):
        out[name] = table.column(name).to_numpy()
    for name in ("item_id", "kind"):
        chunks = table.column(name).chunks
        indices = [chunk.indices.to_numpy(zero_copy_only=False) for chunk in chunks]
        out[name] = (np.concatenate(indices), [str(v) for v in chunks[0].dictionary.to_pylist()])
    value = table.column("value")
    out["value"] = value.fill_null(0).to_numpy()
    out["has_value"] = value.is_valid().to_numpy(zero_copy_only=False)
    return out


def submitted_fingerprint(
    session: Session, assessment_ids: Sequence[int], *, released_only: bool = False
) -> tuple[Any, ...]:
    """What the submitted answers of these assessments depend on, from the respondents alone
    (a few thousand rows at most, not their hundreds of thousands of answers).

    A submitted respondent's answers cannot change (:func:`survey.services.assessments.
    ensure_editable`): they change only after a reopening, which takes the respondent out of
    the submitted set, and come back with a new ``submitted_at`` that is later than every
    earlier one. So the count, the sum of the ids and the earliest and latest submission time
    of the submitted respondents change whenever the submitted answers do."""
    dialect = session.connection().dialect.name
    query = select(
        func.count(),
        func.sum(Respondent.id),
        func.min(Respondent.submitted_at),
        func.max(Respondent.submitted_at),
    ).where(
        one_of(Respondent.assessment_id, assessment_ids, dialect),
        Respondent.state == "submitted",
    )
    if released_only:
        query = query.where(col(Respondent.release_batch).is_not(None))
    return tuple(session.execute(query).one())


_ANSWERS: OrderedDict[tuple[Any, ...], AnswerColumns] = OrderedDict()
_ANSWERS_MAX_ROWS = 4_000_000  # about 160 MB of columns over all entries
_ANSWERS_LOCK = threading.Lock()


def _database_key(session: Session) -> str:
    bind = session.get_bind()
    return bind.url.render_as_string(hide_password=True)  # type: ignore[union-attr]


def answer_columns(
    session: Session,
    *,
    q: Questionnaire,
    assessment_ids: Sequence[int],
    submitted_only: bool,
    released_only: bool = False,
) -> AnswerColumns:
    """Like :func:`answer_rows` (answers to items ``q`` does not have are left out), as columns.

    Submitted answers are kept in memory between requests, keyed by the database, the items,
    the assessments and :func:`submitted_fingerprint` (one small query instead of reading the
    answers again); entries are dropped oldest first beyond a few million answers in all."""
    if not submitted_only or not assessment_ids:
        return _answer_columns(session, q, assessment_ids, submitted_only, released_only)
    key = (
        _database_key(session),
        tuple(item.id for item in q.items),
        tuple(sorted(assessment_ids)),
        released_only,
        submitted_fingerprint(session, assessment_ids, released_only=released_only),
    )
    with _ANSWERS_LOCK:
        cached = _ANSWERS.get(key)
        if cached is not None:
            _ANSWERS.move_to_end(key)
            return cached
    fetched = _answer_columns(session, q, assessment_ids, submitted_only, released_only)
    with _ANSWERS_LOCK:
        _ANSWERS[key] = fetched
        while len(_ANSWERS) > 1 and sum(len(a) for a in _ANSWERS.values()) > _ANSWERS_MAX_ROWS:
            _ANSWERS.popitem(last=False)
    return fetched


def _answer_columns(
    session: Session,
    q: Questionnaire,
    assessment_ids: Sequence[int],
    submitted_only: bool,
    released_only: bool = False,
) -> AnswerColumns:
    item_ids = tuple(item.id for item in q.items)
    empty = np.zeros(0, dtype=np.int64)
    fetched = None
    if assessment_ids and item_ids:
        dialect = session.connection().dialect.name
        query = _answer_query(
            assessment_ids, submitted_only, dialect, released_only=released_only
        ).where(one_of(Answer.item_id, item_ids, dialect))
        fetched = _fetch_packed(session, query)
    if fetched is None:
        return AnswerColumns(empty, empty, empty, empty, empty, item_ids)
    item_index = {item_id: i for i, item_id in enumerate(item_ids)}
    codes, labels = fetched["item_id"]
    item = np.array([item_index.get(t, -1) for t in labels], dtype=np.int64)[codes]
    codes, labels = fetched["kind"]
    # value_code, vectorised over the few distinct kinds: the level where there is one, NA,
    # DK, else 0 (unanswered)
    is_level = np.array([label == "level" for label in labels], dtype=bool)
    other = np.array([{"na": VALUE_NA, "dk": VALUE_DK}.get(t, 0) for t in labels], dtype=np.int64)
    level = is_level[codes] & fetched["has_value"]
    value = np.where(level, fetched["value"], other[codes]).astype(np.int64)
    keep = item >= 0
    columns = [
        fetched["round_id"][keep].astype(np.int64),
        fetched["unit_id"][keep].astype(np.int64),
        fetched["respondent_id"][keep].astype(np.int64),
        item[keep],
        value[keep],
    ]
    for column in columns:  # shared between requests through the cache: read-only
        column.flags.writeable = False
    return AnswerColumns(*columns, item_ids)


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, element-wise (uint64, wrapping)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def answers_fingerprint(answers: AnswerColumns) -> tuple[int, int, int]:
    """A 128-bit fingerprint of the answers as a multiset (row order does not matter): two
    sums of independently mixed row hashes, and the count (computed once per columns)."""
    known = answers.__dict__.get("_fingerprint")
    if known is None:
        known = _fingerprint(answers)
        object.__setattr__(answers, "_fingerprint", known)
    return known  # type: ignore[no-any-return]


def _fingerprint(answers: AnswerColumns) -> tuple[int, int, int]:
    h = np.zeros(len(answers), dtype=np.uint64)
    for column in (answers.round_id, answers.unit_id, answers.respondent_id, answers.item,
                   answers.value):  # fmt: skip
        h = _mix(h ^ column.astype(np.int64).view(np.uint64))
    second = _mix(h ^ np.uint64(0x9E3779B97F4A7C15))
    return len(answers), int(h.sum(dtype=np.uint64)), int(second.sum(dtype=np.uint64))


_ANALYSES: OrderedDict[tuple[Any, ...], Analysis] = OrderedDict()
_ANALYSES_SIZE = 8
_ANALYSES_LOCK = threading.Lock()


def analyse_columns(
    questionnaire: Questionnaire,
    *,
    units: dict[int, dict[str, str | None]],
    answers: AnswerColumns,
    group_by: str = "parent_id",
    compare_by: Sequence[str] = (),
) -> Analysis:
    """:func:`run_analysis` on :class:`AnswerColumns` (same tables, built with numpy).

    The engine is a pure function of its input, so the last few analyses are kept, keyed by
    everything that goes in (the questionnaire's content and items, the units' attributes, the
    grouping, and a fingerprint of the answers): a page, its API twin and its exports each ask
    for the same analysis. The database is still read every time; only the computation is
    reused. Every call gets its own row dicts.
    """
    columns = list(dict.fromkeys([group_by, *compare_by]))
    key = (
        questionnaire.checksum,
        tuple(item.id for item in questionnaire.items),
        group_by,
        tuple(compare_by),
        tuple((uid, tuple(units[uid].get(c) for c in columns)) for uid in sorted(units)),
        answers_fingerprint(answers),
    )
    with _ANALYSES_LOCK:
        cached = _ANALYSES.get(key)
        if cached is not None:
            _ANALYSES.move_to_end(key)
    if cached is None:
        cached = _analyse_columns(questionnaire, units, answers, group_by, compare_by, columns)
        with _ANALYSES_LOCK:
            _ANALYSES[key] = cached
            while len(_ANALYSES) > _ANALYSES_SIZE:
                _ANALYSES.popitem(last=False)
    fresh = Analysis(
        dict(cached.questionnaire),
        cached.unit_columns,
        [dict(row) for row in cached.groups],
        [dict(row) for row in cached.comparisons],
    )
    fresh.__dict__["units"] = [dict(row) for row in cached.units]  # the cached_property
    return fresh


def _analyse_columns(
    questionnaire: Questionnaire,
    units: dict[int, dict[str, str | None]],
    answers: AnswerColumns,
    group_by: str,
    compare_by: Sequence[str],
    columns: list[str],
) -> Analysis:
    table, table_answers = column_tables(units=units, answers=answers, columns=columns)
    return analyze(
        questionnaire, table, table_answers, group_by=group_by, compare_by=list(compare_by)
    )


def column_tables(
    *, units: dict[int, dict[str, str | None]], answers: AnswerColumns, columns: Sequence[str]
) -> tuple[UnitTable, AnswerTable]:
    """The engine's input tables from :class:`AnswerColumns` (what :func:`unit_and_answer_tables`
    builds from rows): answers of units not in ``units`` are left out."""
    unit_ids = np.array(sorted(units), dtype=np.int64)
    table = UnitTable(
        ids=[str(uid) for uid in unit_ids.tolist()],
        columns={name: [units[uid].get(name) for uid in unit_ids.tolist()] for name in columns},
    )
    position = np.searchsorted(unit_ids, answers.unit_id)
    inside = position < unit_ids.size
    known = inside.copy()
    known[inside] = unit_ids[position[inside]] == answers.unit_id[inside]
    round_ids = np.unique(answers.round_id[known])
    table_answers = AnswerTable(
        round=np.searchsorted(round_ids, answers.round_id[known]).astype(np.int64),
        unit=position[known].astype(np.int64),
        respondent=answers.respondent_id[known],
        item=answers.item[known],
        value=answers.value[known],
        round_labels=[int(r) for r in round_ids.tolist()],
    )
    return table, table_answers

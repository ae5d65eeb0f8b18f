"""The bridge from the database to the statistics engine: build its input tables, run it.

Every number a page or the API shows comes from :func:`survey.stats.analyze` through here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import sqlalchemy
from sqlalchemy import Integer, String, any_, bindparam, cast, func
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, col, select

from survey.cache import Memo, database_key
from survey.models import Answer, Assessment, Respondent
from survey.questionnaire import Questionnaire
from survey.stats import VALUE_DK, VALUE_NA, Analysis, AnswerTable, UnitTable, analyze


def rows_by_scope(
    analysis: Analysis, *, unit_id: int, round_id: int
) -> dict[tuple[str, str], dict[str, Any]]:
    """One unit's result rows keyed by (scope_type, scope_id)."""
    return {
        (row["scope_type"], row["scope_id"]): row
        for row in analysis.units
        if row["unit_id"] == str(unit_id) and str(row["round"]) == str(round_id)
    }


@dataclass(frozen=True)
class AnswerColumns:
    """Answers as numpy columns, one entry per answer to an item of the questionnaire: what
    :func:`analyse` needs, without a Python object per answer (rounds with thousands of
    respondents have hundreds of thousands of answers)."""

    round_id: np.ndarray
    unit_id: np.ndarray
    respondent_id: np.ndarray
    item: np.ndarray  # index into ``item_ids`` (the questionnaire's items)
    value: np.ndarray  # the engine's code: 1..L, VALUE_NA, VALUE_DK, 0 = unanswered
    item_ids: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.item.size)

    def of_respondent(self, respondent_id: int) -> AnswerColumns:
        """One respondent's answers (a unit's own answer set before it is submitted)."""
        keep = self.respondent_id == respondent_id
        return AnswerColumns(
            self.round_id[keep], self.unit_id[keep], self.respondent_id[keep], self.item[keep],
            self.value[keep], self.item_ids,
        )  # fmt: skip

    @property
    def n_respondents(self) -> int:
        return int(np.unique(self.respondent_id).size)

    @cached_property
    def fingerprint(self) -> tuple[int, int, int]:
        """A 128-bit fingerprint of the answers as a multiset (row order does not matter): two
        sums of independently mixed row hashes, and the count."""
        h = np.zeros(len(self), dtype=np.uint64)
        for column in (self.round_id, self.unit_id, self.respondent_id, self.item, self.value):
            h = _mix(h ^ column.astype(np.int64).view(np.uint64))
        second = _mix(h ^ np.uint64(0x9E3779B97F4A7C15))
        return len(self), int(h.sum(dtype=np.uint64)), int(second.sum(dtype=np.uint64))


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
    # Six columns: more than sqlmodel's select is typed for, so SQLAlchemy's own.
    query = (
        sqlalchemy.select(
            col(Assessment.round_id),
            col(Assessment.unit_id),
            col(Answer.respondent_id),
            col(Answer.item_id),
            col(Answer.kind),
            col(Answer.value),
        )
        .join(Respondent, col(Respondent.id) == Answer.respondent_id)
        .join(Assessment, col(Assessment.id) == Respondent.assessment_id)
        .where(one_of(Assessment.id, assessment_ids, dialect))
    )
    if submitted_only:
        query = query.where(col(Respondent.state) == "submitted")
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


#: Submitted answers between requests, weighed by answers: about 160 MB of columns in all.
_ANSWERS: Memo[AnswerColumns] = Memo("answer columns", max_weight=4_000_000, weight=len)


def answer_columns(
    session: Session,
    *,
    q: Questionnaire,
    assessment_ids: Sequence[int],
    submitted_only: bool,
    released_only: bool = False,
    item_map: Mapping[str, str] | None = None,
) -> AnswerColumns:
    """Answers of the given assessments to the items of ``q`` (only submitted answer sets when
    asked; only released anonymous respondents with ``released_only``).

    ``item_map`` (stored item id → item id of ``q``) reads answers given to another version of
    the questionnaire as answers to ``q``'s items: only the mapped items are read (a
    crosswalk's comparable items, :mod:`survey.questionnaire.crosswalk`).

    Submitted answers are kept in memory between requests, keyed by the database, the items,
    the assessments and :func:`submitted_fingerprint` (one small query instead of reading the
    answers again); entries are dropped oldest first beyond a few million answers in all."""
    mapping = tuple(sorted(item_map.items())) if item_map is not None else None
    if not submitted_only or not assessment_ids:
        return _answer_columns(session, q, assessment_ids, submitted_only, released_only, mapping)
    key = (
        database_key(session),
        tuple(item.id for item in q.items),
        mapping,
        tuple(sorted(assessment_ids)),
        released_only,
        submitted_fingerprint(session, assessment_ids, released_only=released_only),
    )
    return _ANSWERS.get_or_make(
        key,
        lambda: _answer_columns(session, q, assessment_ids, submitted_only, released_only, mapping),
    )


def _answer_columns(
    session: Session,
    q: Questionnaire,
    assessment_ids: Sequence[int],
    submitted_only: bool,
    released_only: bool = False,
    mapping: tuple[tuple[str, str], ...] | None = None,
) -> AnswerColumns:
    item_ids = tuple(item.id for item in q.items)
    item_index = {item_id: i for i, item_id in enumerate(item_ids)}
    if mapping is not None:
        # stored ids of another version → the index of the item of q they count as
        item_index = {old: item_index[new] for old, new in mapping if new in item_index}
    stored_ids = tuple(item_index)
    empty = np.zeros(0, dtype=np.int64)
    fetched = None
    if assessment_ids and stored_ids:
        dialect = session.connection().dialect.name
        query = _answer_query(
            assessment_ids, submitted_only, dialect, released_only=released_only
        ).where(one_of(Answer.item_id, stored_ids, dialect))
        fetched = _fetch_packed(session, query)
    if fetched is None:
        return AnswerColumns(empty, empty, empty, empty, empty, item_ids)
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
    answers = AnswerColumns(
        round_id=fetched["round_id"][keep].astype(np.int64),
        unit_id=fetched["unit_id"][keep].astype(np.int64),
        respondent_id=fetched["respondent_id"][keep].astype(np.int64),
        item=item[keep],
        value=value[keep],
        item_ids=item_ids,
    )
    # shared between requests through the cache: read-only
    for column in (
        answers.round_id,
        answers.unit_id,
        answers.respondent_id,
        answers.item,
        answers.value,
    ):
        column.flags.writeable = False
    return answers


def concat_answers(parts: Sequence[AnswerColumns]) -> AnswerColumns:
    """Answer columns of several reads (of the same items) as one."""
    item_ids = parts[0].item_ids
    assert all(p.item_ids == item_ids for p in parts)

    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts]).astype(np.int64)

    return AnswerColumns(
        joined("round_id"), joined("unit_id"), joined("respondent_id"), joined("item"),
        joined("value"), item_ids,
    )  # fmt: skip


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, element-wise (uint64, wrapping)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


#: The last analyses: a page, its API twin and its exports each ask for the same one.
_ANALYSES: Memo[Analysis] = Memo("analyses", max_weight=8)


def analyse(
    questionnaire: Questionnaire,
    *,
    units: dict[int, dict[str, str | None]],
    answers: AnswerColumns,
    group_by: str = "parent_id",
    compare_by: Sequence[str] = (),
    keep: bool = True,
) -> Analysis:
    """The statistics engine on these units and answers. ``units`` maps unit id → attributes
    (``group_by`` and ``compare_by`` among them); answers of other units are left out.

    The engine is a pure function of its input, so with ``keep`` the last few analyses are
    kept, keyed by everything that goes in (the questionnaire's content and items, the units'
    attributes, the grouping, and the answers' fingerprint). The database is still read every
    time; only the computation is reused. Every call gets its own row dicts. One unit's own
    answers (a summary, a submit check) are not kept: they would push out a round's analysis.
    """
    columns = list(dict.fromkeys([group_by, *compare_by]))
    key = (
        questionnaire.checksum,
        tuple(item.id for item in questionnaire.items),
        group_by,
        tuple(compare_by),
        tuple((uid, tuple(units[uid].get(c) for c in columns)) for uid in sorted(units)),
        answers.fingerprint,
    )

    def make() -> Analysis:
        return _analyse(questionnaire, units, answers, group_by, compare_by, columns)

    return (_ANALYSES.get_or_make(key, make) if keep else make()).copy()


def _analyse(
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
    """The engine's input tables from :class:`AnswerColumns`: answers of units not in ``units``
    are left out."""
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

"""The bridge from the database to the statistics engine: build its input tables, run it.

Every number a page or the API shows comes from :func:`survey.stats.analyze` through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlmodel import Session, select

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
) -> list[AnswerRow]:
    """Answers of the given assessments (only submitted answer sets when asked)."""
    if not assessment_ids:
        return []
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
        .where(Assessment.id.in_(assessment_ids))  # type: ignore[union-attr]
    )
    if submitted_only:
        query = query.where(Respondent.state == "submitted")
    return [AnswerRow(*row) for row in session.exec(query)]


def run_analysis(
    questionnaire: Questionnaire,
    *,
    units: dict[int, dict[str, str | None]],
    rows: Iterable[AnswerRow],
    group_by: str = "parent_id",
    compare_by: Sequence[str] = (),
) -> Analysis:
    """Analyse DB answers. ``units`` maps unit id → attributes (must include ``group_by``)."""
    unit_ids = sorted(units)
    unit_index = {uid: i for i, uid in enumerate(unit_ids)}
    columns: dict[str, list[str | None]] = {}
    for name in {group_by, *compare_by}:
        columns[name] = [units[uid].get(name) for uid in unit_ids]
    table = UnitTable(ids=[str(uid) for uid in unit_ids], columns=columns)
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

"""The summary (sammanställning) of one assessment, computed by the statistics engine."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlmodel import Session, col, select

from survey.models import Assessment, QuestionnaireVersion, Respondent, Round, id_of
from survey.questionnaire import Questionnaire
from survey.services.access import AssessmentContext
from survey.services.engine import analyse, answer_columns, rows_by_scope
from survey.stats import VALUE_DK, VALUE_NA


@dataclass(frozen=True)
class ScopeResult:
    scope_type: str
    scope_id: str
    row: dict[str, Any]
    previous: dict[str, Any] | None

    @property
    def change(self) -> float | None:
        if self.previous is None or self.previous.get("index") is None:
            return None
        if self.row.get("index") is None:
            return None
        return float(self.row["index"] - self.previous["index"])


@dataclass
class Summary:
    areas: list[ScopeResult] = field(default_factory=list)
    subgoals: list[ScopeResult] = field(default_factory=list)
    total: ScopeResult | None = None
    distribution: list[tuple[str, int]] = field(default_factory=list)
    n_respondents: int = 0
    suppressed: bool = False
    previous_round: Round | None = None
    preliminary: bool = False


def _previous(session: Session, *, ctx: AssessmentContext, key: str) -> Assessment | None:
    """The unit's latest submitted assessment of the same questionnaire in an earlier round."""
    return session.exec(
        select(Assessment)
        .join(Round, col(Round.id) == Assessment.round_id)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == Round.questionnaire_id)
        .where(
            Assessment.unit_id == ctx.unit.id,
            QuestionnaireVersion.key == key,
            Round.opens < ctx.round.opens,
            Assessment.state == "submitted",
        )
        .order_by(col(Round.opens).desc())
    ).first()


def build_summary(
    session: Session,
    *,
    ctx: AssessmentContext,
    q: Questionnaire,
    min_group_size: int,
) -> Summary:
    individual = q.is_individual
    # An individual questionnaire's answers leave the respondents only in released batches of
    # at least k (survey.services.assessments.batches): never one more teacher at a time.
    answers = answer_columns(
        session,
        q=q,
        assessment_ids=[id_of(ctx.assessment)],
        submitted_only=individual,
        released_only=individual,
    )
    summary = Summary(preliminary=not individual and ctx.assessment.state != "submitted")
    if individual:
        summary.n_respondents = answers.n_respondents
        if summary.n_respondents < min_group_size:
            summary.suppressed = True
            return summary
    unit_id = id_of(ctx.unit)
    units: dict[int, dict[str, str | None]] = {unit_id: {"parent_id": str(ctx.unit.parent_id)}}
    current = rows_by_scope(
        analyse(q, units=units, answers=answers, keep=False),
        unit_id=unit_id,
        round_id=id_of(ctx.round),
    )
    previous: dict[tuple[str, str], dict[str, Any]] = {}
    earlier = None if individual else _previous(session, ctx=ctx, key=q.key)
    if earlier is not None:
        old = answer_columns(
            session,
            q=q,
            assessment_ids=[id_of(earlier)],
            submitted_only=False,
        )
        previous = rows_by_scope(
            analyse(q, units=units, answers=old, keep=False),
            unit_id=unit_id,
            round_id=earlier.round_id,
        )
        summary.previous_round = session.get(Round, earlier.round_id)

    def result(scope_type: str, scope_id: str) -> ScopeResult:
        row = current.get(
            (scope_type, scope_id), {"score": None, "index": None, "level": None, "coverage": 0.0}
        )
        return ScopeResult(scope_type, scope_id, row, previous.get((scope_type, scope_id)))

    summary.areas = [result("area", a) for a in q.area_ids]
    summary.subgoals = [result("subgoal", s) for s in q.subgoal_ids]
    summary.total = result("total", "total")
    counts: Counter[str] = Counter()
    names = {VALUE_NA: "na", VALUE_DK: "dk", 0: "none"}
    values, occurrences = np.unique(answers.value, return_counts=True)
    for value, n in zip(values.tolist(), occurrences.tolist(), strict=True):
        counts[names.get(value, str(value))] += n
    # One answer per respondent and item (the upsert's key): the rest are unanswered.
    sets = max(1, answers.n_respondents) if individual else 1
    counts["none"] += len(q.items) * sets - len(answers)
    summary.distribution = [(str(v), counts[str(v)]) for v in q.scale.values]
    summary.distribution += [(k, counts[k]) for k in ("na", "dk", "none") if counts[k]]
    if not individual:
        summary.n_respondents = 1
    return summary


def respondent_total(session: Session, *, assessment_id: int) -> int:
    return len(
        session.exec(
            select(Respondent.id).where(
                Respondent.assessment_id == assessment_id, Respondent.state == "submitted"
            )
        ).all()
    )

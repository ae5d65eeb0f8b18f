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
from survey.services.engine import AnswerColumns, analyse, answer_columns, rows_by_scope
from survey.services.questionnaires import version_link
from survey.stats import VALUE_DK, VALUE_NA


@dataclass(frozen=True)
class ScopeResult:
    scope_type: str
    scope_id: str
    row: dict[str, Any]
    previous: dict[str, Any] | None
    #: the previous round answered another version: this round's row on the comparable items
    #: only (the change is measured from it), and (comparable items, items in the scope)
    basis: dict[str, Any] | None = None
    comparable: tuple[int, int] | None = None

    @property
    def change(self) -> float | None:
        if self.previous is None or self.previous.get("index") is None:
            return None
        now = self.basis if self.basis is not None else self.row
        if now.get("index") is None:
            return None
        return float(now["index"] - self.previous["index"])


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
    #: the previous round answered another version of the questionnaire (else None)
    previous_version: str | None = None
    #: that version has no valid crosswalk to this one: no change is shown
    no_crosswalk: bool = False


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
    basis: dict[tuple[str, str], dict[str, Any]] | None = None
    comparable: dict[tuple[str, str], tuple[int, int]] = {}
    earlier = None if individual else _previous(session, ctx=ctx, key=q.key)
    if earlier is not None:
        summary.previous_round = session.get(Round, earlier.round_id)
        assert summary.previous_round is not None
        link = version_link(
            session, q=q, earlier_questionnaire_id=summary.previous_round.questionnaire_id
        )
        common, item_map = q, None
        if link is not None:
            summary.previous_version = link.old_version
            summary.no_crosswalk = link.comparison is None
            if link.comparison is not None:
                # both rounds on the items the crosswalk calls comparable
                common, item_map = link.comparison.common, link.comparison.old_to_new
                comparable = link.comparison.counts
                basis = rows_by_scope(
                    analyse(common, units=units, answers=_on(answers, common), keep=False),
                    unit_id=unit_id,
                    round_id=id_of(ctx.round),
                )
        if not summary.no_crosswalk:
            old = answer_columns(
                session,
                q=common,
                assessment_ids=[id_of(earlier)],
                submitted_only=False,
                item_map=item_map,
            )
            previous = rows_by_scope(
                analyse(common, units=units, answers=old, keep=False),
                unit_id=unit_id,
                round_id=earlier.round_id,
            )

    def result(scope_type: str, scope_id: str) -> ScopeResult:
        row = current.get(
            (scope_type, scope_id), {"score": None, "index": None, "level": None, "coverage": 0.0}
        )
        scope = (scope_type, scope_id)
        if basis is None:
            return ScopeResult(scope_type, scope_id, row, previous.get(scope))
        return ScopeResult(
            scope_type, scope_id, row, previous.get(scope), basis.get(scope), comparable.get(scope)
        )

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


def _on(answers: AnswerColumns, common: Questionnaire) -> AnswerColumns:
    """The answers to the items of ``common`` (a subset of the answered questionnaire's)."""
    index = {item_id: i for i, item_id in enumerate(tuple(item.id for item in common.items))}
    remap = np.array([index.get(item_id, -1) for item_id in answers.item_ids], dtype=np.int64)
    new = remap[answers.item] if len(answers) else answers.item
    keep = new >= 0
    return AnswerColumns(
        answers.round_id[keep], answers.unit_id[keep], answers.respondent_id[keep], new[keep],
        answers.value[keep], tuple(item.id for item in common.items),
    )  # fmt: skip


def respondent_total(session: Session, *, assessment_id: int) -> int:
    return len(
        session.exec(
            select(Respondent.id).where(
                Respondent.assessment_id == assessment_id, Respondent.state == "submitted"
            )
        ).all()
    )

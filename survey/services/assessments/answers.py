"""Answering an assessment: saving answers, progress, submit, reopen, share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from survey.clock import utcnow
from survey.errors import Conflict, InvalidInput
from survey.models import Answer, Assessment, Respondent, id_of
from survey.parsing import ascii_int
from survey.questionnaire import Item, Questionnaire
from survey.services.access import Actor, AssessmentContext
from survey.services.audit import record_assessment
from survey.services.engine import analyse, answer_columns, rows_by_scope
from survey.services.plan.actions import sync_plan


class ReadOnly(Conflict):
    """The answers were submitted; they can no longer change."""


class StaleForm(Conflict):
    """A full-form save based on an old version of the assessment."""


@dataclass(frozen=True)
class Choice:
    kind: str  # level | na | dk | none
    value: int | None


def parse_choice(item: Item, q: Questionnaire, raw: str | None) -> Choice | None:
    """A submitted radio value → Choice; None when nothing was chosen."""
    if raw is None or raw == "":
        return None
    if raw == "na":
        if not item.allow_not_applicable:
            raise InvalidInput("err.answer.na_not_allowed", item=item.id)
        return Choice("na", None)
    if raw == "dk":
        if not q.scale.allow_dont_know:
            raise InvalidInput("err.answer.dk_not_allowed", item=item.id)
        return Choice("dk", None)
    level = ascii_int(raw, maximum=99)
    if level is not None and level in q.scale.values:
        return Choice("level", level)
    raise InvalidInput("err.answer.not_a_level", item=item.id, value=raw)


_ANSWERS = Answer.__table__  # type: ignore[attr-defined]
_ANSWER_STATE = sa_select(
    _ANSWERS.c.item_id,
    _ANSWERS.c.kind,
    _ANSWERS.c.value,
    _ANSWERS.c.comment,
    _ANSWERS.c.answered_by,
    _ANSWERS.c.updated_at,
).where(_ANSWERS.c.respondent_id == bindparam("respondent"))


def answers_of(session: Session, *, respondent_id: int) -> dict[str, Any]:
    """An answer set's answers by item: rows with ``item_id, kind, value, comment, answered_by,
    updated_at``
    (plain rows, not ORM objects: the form reads them on every autosave)."""
    rows = session.execute(_ANSWER_STATE, {"respondent": respondent_id})
    return {row.item_id: row for row in rows}


@dataclass
class Progress:
    per_area: dict[str, tuple[int, int]] = field(default_factory=dict)
    answered: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0


def progress_of(q: Questionnaire, answers: Mapping[str, Answer]) -> Progress:
    """Items with a level, not-applicable or don't-know count as answered."""
    result = Progress()
    for area in q.area_ids:
        items = q.items_in("area", area)
        done = sum(1 for i in items if i.id in answers and answers[i.id].kind != "none")
        result.per_area[area] = (done, len(items))
        result.answered += done
        result.total += len(items)
    return result


def _upsert_statement(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(_ANSWERS)
    return stmt.on_conflict_do_update(
        index_elements=["respondent_id", "item_id"],
        set_={k: stmt.excluded[k] for k in ("kind", "value", "comment", "answered_by",
                                              "updated_at")},  # fmt: skip
    ).returning(
        _ANSWERS.c.item_id, _ANSWERS.c.kind, _ANSWERS.c.value, _ANSWERS.c.comment,
        _ANSWERS.c.answered_by, _ANSWERS.c.updated_at,
    )  # fmt: skip


_UPSERTS = {dialect: _upsert_statement(dialect) for dialect in ("postgresql", "sqlite")}
_ASSESSMENTS = Assessment.__table__  # type: ignore[attr-defined]
_BUMP = (
    update(_ASSESSMENTS)
    .where(_ASSESSMENTS.c.id == bindparam("assessment"))
    .values(version=_ASSESSMENTS.c.version + 1, updated_at=bindparam("now"))
    .returning(_ASSESSMENTS.c.version)
)


def _upsert(session: Session, values: dict[str, object]) -> Any:
    """Insert or update one answer; the stored row comes back in the same statement (a Core
    statement built once: this is the busiest write of the product)."""
    return session.execute(_UPSERTS[session.get_bind().dialect.name], values).one()


def _bump(session: Session, assessment: Assessment, now: datetime) -> None:
    """The optimistic lock of a unit's answers: a full-form save based on an older version is
    refused. The new version comes back in the same statement (no reload)."""
    version = session.execute(_BUMP, {"assessment": assessment.id, "now": now}).scalar_one()
    set_committed_value(assessment, "version", version)
    set_committed_value(assessment, "updated_at", now)


def ensure_editable(ctx: AssessmentContext, respondent: Respondent) -> None:
    if (
        respondent.token_hash is not None
        and respondent.state != "submitted"
        and (ctx.assessment.state == "submitted")
    ):
        raise ReadOnly("err.answer.collection_closed")
    if ctx.assessment.state == "submitted" or respondent.state == "submitted":
        raise ReadOnly("err.answer.submitted")
    if ctx.round.state == "closed":
        raise ReadOnly("err.answer.round_closed")


def save_answer(
    session: Session,
    *,
    ctx: AssessmentContext,
    q: Questionnaire,
    respondent: Respondent,
    item_id: str,
    choice_raw: str | None,
    comment: str | None,
    user_id: int | None,
) -> Answer | None:
    """Save one item (the later save of the same item wins). Returns the stored answer."""
    ensure_editable(ctx, respondent)
    item = q.item_by_id.get(item_id)
    if item is None:
        raise InvalidInput("err.answer.unknown_item", item=item_id)
    choice = parse_choice(item, q, choice_raw)
    # The stored answer is needed only to keep its comment or level when the request does not
    # give them (the htmx autosave gives both: one statement less on the busiest path).
    existing = (
        session.exec(
            select(Answer).where(Answer.respondent_id == respondent.id, Answer.item_id == item_id)
        ).first()
        if comment is None or choice is None
        else None
    )
    if comment is None and existing is not None:
        comment = existing.comment
    comment = (comment or "").strip()[:4000] or None
    now = utcnow()
    # A unit's answer set carries the version of the full-form save; an anonymous respondent's
    # does not (its full-form save takes no version), so its saves never touch the assessment
    # row that all the unit's respondents share.
    versioned = respondent.token_hash is None
    if choice is None and comment is None:
        if existing is not None:
            session.delete(existing)
            session.flush()
            if versioned:
                _bump(session, ctx.assessment, now)
        return None
    if choice is None:
        choice = Choice(existing.kind, existing.value) if existing else Choice("none", None)
    saved = _upsert(
        session,
        {
            "respondent_id": respondent.id,
            "item_id": item_id,
            "kind": choice.kind,
            "value": choice.value,
            "comment": comment,
            "answered_by": user_id,
            "updated_at": now,
        },
    )
    if versioned:
        _bump(session, ctx.assessment, now)
    return saved


def save_area(
    session: Session,
    *,
    ctx: AssessmentContext,
    q: Questionnaire,
    respondent: Respondent,
    area: str,
    given: Mapping[str, tuple[str | None, str | None]],
    version: int | None,
    user_id: int | None,
) -> int:
    """The no-JavaScript save of a whole area: ``given`` maps each item to its chosen level
    (or na/dk) and comment as sent; refused when someone saved in between."""
    ensure_editable(ctx, respondent)
    if version is not None and version != ctx.assessment.version:
        raise StaleForm("err.answer.stale_form")
    changed = 0
    current = answers_of(session, respondent_id=id_of(respondent))
    for item in q.items_in("area", area):
        raw, comment = given.get(item.id, (None, None))
        old = current.get(item.id)
        old_choice = None
        if old is not None and old.kind != "none":
            old_choice = "na" if old.kind == "na" else "dk" if old.kind == "dk" else str(old.value)
        old_comment = (old.comment if old else None) or ""
        if (raw or None) == old_choice and (comment or "").strip() == old_comment:
            continue
        save_answer(
            session,
            ctx=ctx,
            q=q,
            respondent=respondent,
            item_id=item.id,
            choice_raw=raw,
            comment=comment or "",
            user_id=user_id,
        )
        changed += 1
    return changed


@dataclass
class SubmitCheck:
    unanswered: list[Item]
    lacking: list[tuple[str, str]]  # (scope_type, scope_id) without a score

    @property
    def can_submit(self) -> bool:
        return not self.lacking


def check_submit(
    session: Session, *, ctx: AssessmentContext, q: Questionnaire, respondent: Respondent
) -> SubmitCheck:
    """Which items are unanswered, and which sub-goals/areas would get no score."""
    respondent_id = id_of(respondent)
    answers = answers_of(session, respondent_id=respondent_id)
    unanswered = [i for i in q.items if i.id not in answers or answers[i.id].kind == "none"]
    own = answer_columns(
        session,
        q=q,
        assessment_ids=[id_of(ctx.assessment)],
        submitted_only=False,
    ).of_respondent(respondent_id)
    unit_id = id_of(ctx.unit)
    analysis = analyse(
        q,
        units={unit_id: {"parent_id": str(ctx.unit.parent_id)}},
        answers=own,
        keep=False,
    )
    by_scope = rows_by_scope(analysis, unit_id=unit_id, round_id=id_of(ctx.round))
    lacking = []
    for scope_type, ids in (("subgoal", q.subgoal_ids), ("area", q.area_ids)):
        for scope_id in ids:
            row = by_scope.get((scope_type, scope_id))
            if row is None or row["score"] is None:
                lacking.append((scope_type, scope_id))
    return SubmitCheck(unanswered=unanswered, lacking=lacking)


def submit(
    session: Session,
    *,
    ctx: AssessmentContext,
    q: Questionnaire,
    respondent: Respondent,
    actor: Actor | None,
    ip: str | None = None,
) -> None:
    """Submit the unit's answers (or one anonymous respondent's)."""
    ensure_editable(ctx, respondent)
    check = check_submit(session, ctx=ctx, q=q, respondent=respondent)
    if not check.can_submit:
        names = ", ".join(scope_id for _, scope_id in check.lacking)
        raise InvalidInput("err.answer.too_few", scopes=names)
    now = utcnow()
    respondent.state = "submitted"
    respondent.submitted_at = now
    session.add(respondent)
    if not q.is_individual:
        assessment = ctx.assessment
        assessment.state = "submitted"
        assessment.submitted_at = now
        assessment.submitted_by = actor.id if actor else None
        if ctx.round.kind == "national" or ctx.round.sharing_mandatory:
            assessment.shared = True
        session.add(assessment)
        _bump(session, assessment, now)
        answers = answers_of(session, respondent_id=id_of(respondent))
        sync_plan(session, ctx=ctx, q=q, answers=answers)
        record_assessment(
            session,
            "assessment.submit",
            assessment=assessment,
            user_id=actor.id if actor else None,
            ip=ip,
        )
    session.flush()


def reopen(session: Session, *, ctx: AssessmentContext, actor: Actor, ip: str | None) -> None:
    if ctx.assessment.state != "submitted":
        raise Conflict("err.assessment.reopen_not_submitted")
    ctx.assessment.state = "reopened"
    for respondent in session.exec(
        select(Respondent).where(
            Respondent.assessment_id == ctx.assessment.id,
            col(Respondent.token_hash).is_(None),
        )
    ):
        respondent.state = "open"
        session.add(respondent)
    _bump(session, ctx.assessment, utcnow())
    ctx.assessment.state = "reopened"
    session.add(ctx.assessment)
    record_assessment(
        session,
        "assessment.reopen",
        assessment=ctx.assessment,
        user_id=actor.id,
        ip=ip,
    )
    session.flush()


def set_shared(
    session: Session, *, ctx: AssessmentContext, shared: bool, actor: Actor, ip: str | None
) -> None:
    if ctx.assessment.state != "submitted":
        raise Conflict("err.assessment.share_not_submitted")
    if not shared and (ctx.round.kind == "national" or ctx.round.sharing_mandatory):
        raise Conflict("err.assessment.sharing_mandatory")
    ctx.assessment.shared = shared
    session.add(ctx.assessment)
    record_assessment(
        session,
        "assessment.share" if shared else "assessment.unshare",
        assessment=ctx.assessment,
        user_id=actor.id,
        ip=ip,
    )
    session.flush()

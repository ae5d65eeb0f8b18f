"""The national rounds of the national data set: assessments, answer sets and answers in bulk."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from sqlmodel import Session

from survey.bulk import BulkLoader, table_of
from survey.demo.national.answers import ANSWER_COLUMNS, Maturity, answer_rows
from survey.demo.national.units import Tree
from survey.models import (
    ActionPlanRow,
    Answer,
    Assessment,
    QuestionnaireVersion,
    Respondent,
    Round,
    id_of,
)
from survey.questionnaire import Questionnaire
from survey.services.audit import record
from survey.services.plan.actions import generated_rows


@dataclass
class Context:
    session: Session
    loader: BulkLoader
    maturity: Maturity
    rng: np.random.Generator
    tree: Tree
    national_user: int
    principal: int
    strategist: int
    next_assessment: int
    next_respondent: int
    answer_count: int = 0
    plans: int = 0


def afternoon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 14, tzinfo=UTC)


def _new_round(
    ctx: Context,
    *,
    stored: QuestionnaireVersion,
    title: str,
    opens: date,
    closes: date,
    state: str,
    targets: dict[str, Any],
    units: int,
) -> Round:
    rnd = Round(
        questionnaire_id=id_of(stored),
        owner_unit_id=ctx.tree.start,  # the nation
        kind="national",
        title=title,
        opens=opens,
        closes=closes,
        state=state,
        sharing_mandatory=True,
        targets=targets,
        created_by=ctx.national_user,
    )
    ctx.session.add(rnd)
    ctx.session.flush()
    record(
        ctx.session,
        action="round.create",
        object_type="round",
        object_id=rnd.id,
        unit_id=ctx.tree.start,
        user_id=ctx.national_user,
        detail={"units": units, "title": title},
    )
    return rnd


def unit_round(
    ctx: Context,
    *,
    q: Questionnaire,
    stored: QuestionnaireVersion,
    title: str,
    units: list[int],
    year: int,
    later: bool,
    submitted_share: float,
    keep_draft: int | None = None,
    targets: dict[str, Any],
) -> None:
    """A national round of a unit-level questionnaire: about ``submitted_share`` submitted,
    some started drafts, the rest not started."""
    opens = date(year, 9, 1)
    closes = date(year, 11, 30) if year < 2026 else date(2026, 12, 18)
    rnd = _new_round(
        ctx, stored=stored, title=title, opens=opens, closes=closes,
        state="closed" if year < 2026 else "open", targets=targets, units=len(units),
    )  # fmt: skip
    at = afternoon(date(year, 10, 20))
    unit_ids = np.array(units)
    roll = ctx.rng.random(len(units))
    draft = roll >= submitted_share
    started = roll < submitted_share + 0.07
    completeness = np.where(draft, 0.7, 0.97)
    if keep_draft is not None:
        i = units.index(keep_draft)
        draft[i], started[i], completeness[i] = True, True, 0.4
    assessment_ids = np.arange(len(units)) + ctx.next_assessment
    respondent_ids = np.arange(len(units)) + ctx.next_respondent
    ctx.next_assessment += len(units)
    ctx.next_respondent += len(units)
    loader, a_table, r_table = ctx.loader, table_of(Assessment), table_of(Respondent)
    user = ctx.strategist if stored.key == "huvudman" else ctx.principal
    stamp = loader.value(a_table, "updated_at", at)
    when = loader.moments(
        a_table, "updated_at", ctx.rng, len(units), afternoon(date(year, 9, 10)), 60
    )
    loader.load(
        a_table,
        ("id", "round_id", "unit_id", "state", "version", "shared", "submitted_at",
         "submitted_by", "updated_at"),
        (
            (int(a), rnd.id, int(u), "draft" if d else "submitted", 1, True,
             None if d else t, None if d else user, t)
            for a, u, d, t in zip(assessment_ids, unit_ids, draft, when, strict=True)
        ),
        total=len(units), label=f"{title}: assessments",
    )  # fmt: skip
    loader.load(
        r_table,
        ("id", "assessment_id", "token_hash", "state", "created_at", "submitted_at"),
        (
            (int(r), int(a), None, "open" if d else "submitted", stamp, None if d else t)
            for r, a, d, t in zip(respondent_ids, assessment_ids, draft, when, strict=True)
        ),
        total=len(units), label=f"{title}: answer sets",
    )  # fmt: skip
    answering = np.flatnonzero(started)
    block = ctx.maturity.block(
        q, unit_ids[answering], later=later, completeness=completeness[answering]
    )
    ctx.answer_count += len(block[0])
    loader.load(
        table_of(Answer),
        ANSWER_COLUMNS,
        answer_rows(q, respondent_ids[answering], block, user=user, at=stamp),
        total=len(block[0]),
        label=f"{title}: answers",
    )
    _demo_plans(ctx, q, unit_ids, assessment_ids, draft, answering, block, at)


def _demo_plans(
    ctx: Context,
    q: Questionnaire,
    unit_ids: np.ndarray,
    assessment_ids: np.ndarray,
    draft: np.ndarray,
    answering: np.ndarray,
    block: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    at: datetime,
) -> None:
    """Action plans for the submitted assessments the demo accounts can open (Uppsala kommun);
    the other units' plans are not needed for anything national."""
    demo_path = ctx.tree.row(ctx.tree.demo_organiser)[4]
    sets, items, kinds, values = block
    stamp = ctx.loader.value(table_of(ActionPlanRow), "created_at", at)
    rows = []
    for j, position in enumerate(answering.tolist()):
        unit = int(unit_ids[position])
        if draft[position] or not ctx.tree.row(unit)[4].startswith(demo_path):
            continue
        mask = (sets == j) & (kinds == 0)
        levels = {q.items[i].id: int(v) for i, v in zip(items[mask], values[mask], strict=True)}
        rows += [
            (int(assessment_ids[position]), r.item_id, r.title, r.activity, r.priority,
             r.position, "", "not_started", "", stamp, stamp)
            for r in generated_rows(q, levels)
        ]  # fmt: skip
    ctx.plans += len(rows)
    ctx.loader.load(
        table_of(ActionPlanRow),
        ("assessment_id", "item_id", "title", "activity", "priority", "position", "owner",
         "status", "note", "created_at", "updated_at"),
        rows, total=len(rows), label="action plans",
    )  # fmt: skip


def teacher_round(
    ctx: Context, *, q: Questionnaire, stored: QuestionnaireVersion, teachers: int, k: int
) -> int:
    """The national teacher round: anonymous respondents at every school unit, about
    ``teachers`` in all; returns the number of respondents."""
    rng, tree = ctx.rng, ctx.tree
    title = "Nationell lärarenkät 2026"
    units = np.array(tree.schools)
    rnd = _new_round(
        ctx, stored=stored, title=title, opens=date(2026, 10, 1), closes=date(2026, 12, 20),
        state="open", targets={"kinds": ["school"]}, units=len(units),
    )  # fmt: skip
    at = afternoon(date(2026, 11, 2))
    gymnasium = np.array([forms[0] == "gymnasieskola" for forms in tree.school_forms])
    size = rng.lognormal(0, 0.5, len(units)) * np.where(gymnasium, 1.6, 1.0)
    links = np.maximum(2, rng.poisson(size / size.sum() * teachers))
    rate = rng.beta(8, 1.2, len(units))
    submitted = rng.binomial(links, rate)
    assessment_ids = np.arange(len(units)) + ctx.next_assessment
    ctx.next_assessment += len(units)
    # Most units' collections have ended: their teachers' answers are released in one batch
    # where at least k submitted (survey.services.assessments.batches); the rest still collect.
    ended = (rng.random(len(units)) < 0.85) & (units != tree.demo_school)
    released = ended & (submitted >= k)
    loader = ctx.loader
    stamp = loader.value(table_of(Assessment), "updated_at", at)
    loader.load(
        table_of(Assessment),
        ("id", "round_id", "unit_id", "state", "version", "shared", "updated_at"),
        ((int(a), rnd.id, int(u), "submitted" if e else "draft", 1, True, stamp)
         for a, u, e in zip(assessment_ids, units, ended.tolist(), strict=True)),
        total=len(units), label=f"{title}: assessments",
    )  # fmt: skip
    n = int(links.sum())
    owner = np.repeat(np.arange(len(units)), links)
    rank = np.arange(n) - np.repeat(np.cumsum(links) - links, links)
    done = rank < submitted[owner]
    respondent_ids = np.arange(n) + ctx.next_respondent
    ctx.next_respondent += n
    when = loader.moments(
        table_of(Respondent), "submitted_at", rng, n, afternoon(date(2026, 10, 2)), 45
    )
    batch = released[owner] & done
    loader.load(
        table_of(Respondent),
        ("id", "assessment_id", "token_hash", "state", "created_at", "submitted_at",
         "release_batch"),
        (
            (int(r), int(assessment_ids[o]), secrets.token_hex(32),
             "submitted" if d else "open", stamp, t if d else None, 1 if b else None)
            for r, o, d, t, b in zip(respondent_ids, owner, done, when, batch, strict=True)
        ),
        total=n, label=f"{title}: respondents",
    )  # fmt: skip
    # Submitted respondents answered nearly everything; some open links are half answered.
    started = done | (rng.random(n) < 0.4)
    answering = np.flatnonzero(started)
    completeness = np.where(done[answering], 0.97, 0.5)
    person = rng.normal(0, 0.5, len(answering))
    with loader.bar(len(answering), f"{title}: drawing answers") as advance:
        blocks = []
        for lo in range(0, len(answering), 10_000):
            part = answering[lo : lo + 10_000]
            blocks.append(
                (
                    respondent_ids[part],
                    ctx.maturity.block(
                        q, units[owner[part]], later=True,
                        completeness=completeness[lo : lo + 10_000],
                        person=person[lo : lo + 10_000],
                    ),
                )
            )  # fmt: skip
            advance(len(part))
    total = sum(len(b[0]) for _, b in blocks)
    ctx.answer_count += total
    loader.load(
        table_of(Answer),
        ANSWER_COLUMNS,
        (row for rid, b in blocks for row in answer_rows(q, rid, b, user=None, at=stamp)),
        total=total,
        label=f"{title}: answers",
    )
    return n

"""The small demo's answers: plausible answer sets drawn per unit, written in bulk with the action
plans that submitting would have generated."""

from __future__ import annotations

import sys
from collections.abc import Set
from datetime import datetime, timedelta

import click
import numpy as np
from sqlalchemy import Table, insert
from sqlmodel import Session, col, select

from survey.bulk import table_of
from survey.demo.data import COMMENTS
from survey.demo.world import DemoScale
from survey.models import ActionPlanRow, Answer, Assessment, Respondent, Unit, id_of
from survey.questionnaire import Questionnaire
from survey.security import new_token, token_digest
from survey.services.plan.actions import generated_rows

#: One answer: item id, kind (``level``, ``na``, ``dk``), level and comment.
AnswerRow = tuple[str, str, int | None, str | None]


class Answerer:
    """Draws plausible answers: a latent maturity per unit, item difficulty and noise."""

    def __init__(self, rng: np.random.Generator, units: list[Unit]):
        self.rng = rng
        self.org_effect: dict[int | None, float] = {}
        self.latent: dict[int, float] = {}
        self.change: dict[int, float] = {}
        self._draw(rng, units)
        # A few clearly lagging units.
        for unit in rng.choice(
            np.array(units, dtype=object), size=max(1, len(units) // 12), replace=False
        ):
            self.latent[unit.id] -= 1.0
        self._subgoal: dict[tuple[int, str], float] = {}
        self._subgoal_other: dict[tuple[int, str], float] = {}

    def _draw(self, rng: np.random.Generator, units: list[Unit]) -> None:
        for unit in units:
            if unit.parent_id not in self.org_effect:
                self.org_effect[unit.parent_id] = float(rng.normal(0, 0.3))
            self.latent[id_of(unit)] = (
                2.45 + self.org_effect[unit.parent_id] + float(rng.normal(0, 0.45))
            )
            roll = rng.random()
            self.change[id_of(unit)] = (
                0.7 if roll < 0.15 else -0.6 if roll < 0.25 else float(rng.normal(0.1, 0.2))
            )

    def add_units(self, rng: np.random.Generator, units: list[Unit]) -> None:
        """Units added later, drawn from ``rng`` (the first stream stays as it was)."""
        self._draw(rng, units)

    def values(
        self,
        q: Questionnaire,
        unit_id: int,
        *,
        later: bool,
        person: float = 0.0,
        completeness: float = 1.0,
        rng: np.random.Generator | None = None,
    ) -> list[AnswerRow]:
        """One answer set; ``rng`` draws it from another stream than the answerer's own."""
        subgoal = self._subgoal if rng is None else self._subgoal_other
        rng = rng or self.rng
        base = self.latent[unit_id] + (self.change[unit_id] if later else 0.0) + person
        rows: list[AnswerRow] = []
        for index, item in enumerate(q.items):
            if rng.random() > completeness:
                continue
            key = (unit_id, item.subgoal)
            if key not in subgoal:
                subgoal[key] = float(rng.normal(0, 0.35))
            difficulty = ((index * 7919) % 13 - 6) / 14
            if item.allow_not_applicable and rng.random() < 0.02:
                rows.append((item.id, "na", None, None))
                continue
            if q.scale.allow_dont_know and rng.random() < 0.03:
                rows.append((item.id, "dk", None, None))
                continue
            raw = base - difficulty + subgoal[key] + float(rng.normal(0, 0.6))
            value = int(np.clip(round(raw * (q.scale.size / 4)), 1, q.scale.size))
            comment = COMMENTS[int(rng.integers(len(COMMENTS)))] if rng.random() < 0.04 else None
            rows.append((item.id, "level", value, comment))
        return rows


def answer_dicts(
    respondent_id: int,
    rows: list[AnswerRow],
    at: datetime,
    user_id: int | None,
) -> list[dict[str, object]]:
    return [
        {
            "respondent_id": respondent_id,
            "item_id": item,
            "kind": kind,
            "value": value,
            "comment": comment,
            "answered_by": user_id,
            "updated_at": at,
        }
        for item, kind, value, comment in rows
    ]


def bulk_insert(session: Session, table: Table, rows: list[dict[str, object]]) -> None:
    """Core executemany (no ORM objects), in chunks."""
    connection = session.connection()
    for start in range(0, len(rows), 5000):
        connection.execute(insert(table), rows[start : start + 5000])


def plan_dicts(
    q: Questionnaire,
    assessment_id: int,
    rows: list[AnswerRow],
    at: datetime,
) -> list[dict[str, object]]:
    """The action plan rows submitting generates (``sync_plan`` on a new plan), as dicts."""
    levels = {item: value for item, kind, value, _ in rows if kind == "level" and value is not None}
    return [
        {
            "assessment_id": assessment_id,
            "item_id": row.item_id,
            "title": row.title,
            "activity": row.activity,
            "priority": row.priority,
            "position": row.position,
            "owner": "",
            "due_date": None,
            "status": "not_started",
            "note": "",
            "created_at": at,
            "updated_at": at,
        }
        for row in generated_rows(q, levels)
    ]


def fill_unit_round(
    session: Session,
    *,
    round_id: int,
    q: Questionnaire,
    answerer: Answerer,
    later: bool,
    submitted_share: float,
    at: datetime,
    user_id: int | None,
    keep_draft: Set[int] = frozenset(),
    private: Set[int] = frozenset(),
    extra: Set[int] = frozenset(),
    extra_rng: np.random.Generator | None = None,
) -> None:
    """Answer a unit-level round; units in ``extra`` are drawn from ``extra_rng``."""
    assessments = session.exec(select(Assessment).where(Assessment.round_id == round_id)).all()
    respondents = {
        r.assessment_id: r
        for r in session.exec(
            select(Respondent).where(col(Respondent.assessment_id).in_([a.id for a in assessments]))
        )
    }
    answers: list[dict[str, object]] = []
    plans: list[dict[str, object]] = []
    for assessment in assessments:
        other = extra_rng if assessment.unit_id in extra else None
        roll = (other or answerer.rng).random()
        keep = assessment.unit_id in keep_draft
        if not keep and roll > submitted_share + 0.07:
            continue  # not started
        draft = keep or roll > submitted_share
        completeness = 0.4 if keep else 0.7 if draft else 0.97
        rows = answerer.values(
            q, assessment.unit_id, later=later, completeness=completeness, rng=other
        )
        respondent = respondents[id_of(assessment)]
        # Units answer on different days of the fortnight before ``at``, between 09:00
        # and 16:00 (a fixed spread by unit id, so the random draws of the answers stay as they
        # are): the participation page's "last change" then shows real-looking dates.
        uid = assessment.unit_id or 0
        day = at.replace(hour=9, minute=0, second=0, microsecond=0)
        when = day - timedelta(days=1 + uid * 7919 % 14) + timedelta(minutes=uid * 104729 % 420)
        answers.extend(answer_dicts(id_of(respondent), rows, when, user_id))
        assessment.updated_at = when
        if draft:
            continue
        assessment.state = "submitted"
        assessment.submitted_at = when
        assessment.submitted_by = user_id
        assessment.shared = assessment.unit_id not in private
        respondent.state = "submitted"
        respondent.submitted_at = when
        # The action plan that submitting in the app would have generated.
        plans.extend(plan_dicts(q, id_of(assessment), rows, when))
    session.flush()
    bulk_insert(session, table_of(Answer), answers)
    bulk_insert(session, table_of(ActionPlanRow), plans)


def fill_individual_round(
    session: Session,
    *,
    round_id: int,
    q: Questionnaire,
    answerer: Answerer,
    scale: DemoScale,
    at: datetime,
    progress: bool,
) -> dict[int, str]:
    """Teachers' answers; returns one unused respondent link token per unit."""
    rng = answerer.rng
    assessments = list(
        session.exec(select(Assessment).where(Assessment.round_id == round_id)).all()
    )
    links: dict[int, str] = {}
    answers: list[dict[str, object]] = []
    low, high = scale.teachers_per_unit
    with (
        click.progressbar(assessments, label="teacher answers", file=sys.stderr, show_pos=True)
        if progress
        else _Null(assessments) as bar
    ):
        for assessment in bar:
            n = int(rng.integers(low, high + 1))
            submitted = n if rng.random() < 0.8 else max(0, n - int(rng.integers(1, 4)))
            people = [
                Respondent(
                    assessment_id=id_of(assessment),
                    token_hash=token_digest(new_token()),
                    state="submitted" if i < submitted else "open",
                    submitted_at=at if i < submitted else None,
                )
                for i in range(n)
            ]
            token = new_token()
            people.append(
                Respondent(assessment_id=id_of(assessment), token_hash=token_digest(token))
            )
            links[assessment.unit_id] = token
            if n:
                assessment.updated_at = at
                session.add(assessment)
            session.add_all(people)
            session.flush()
            for person in people[:-1]:
                rows = answerer.values(
                    q,
                    assessment.unit_id,
                    later=True,
                    person=float(rng.normal(0, 0.5)),
                    completeness=0.97 if person.state == "submitted" else 0.5,
                )
                answers.extend(answer_dicts(id_of(person), rows, at, None))
    session.flush()
    bulk_insert(session, table_of(Answer), answers)
    return links


class _Null:
    def __init__(self, items: list[Assessment]):
        self.items = items

    def __enter__(self) -> list[Assessment]:
        return self.items

    def __exit__(self, *exc: object) -> None:
        return None

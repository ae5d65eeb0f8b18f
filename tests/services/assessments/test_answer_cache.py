"""Submitted answers are kept in memory between requests (``answer_columns``), keyed by a
fingerprint of the submitted respondents: a result must follow every submit, reopening and
resubmission, and must not read the answers again while nothing changed."""

from __future__ import annotations

import secrets

import numpy as np
from sqlmodel import Session

from survey.models import Respondent, User
from survey.services.access import load_actor, load_assessment
from survey.services.assessments.answers import reopen, save_answer, submit
from survey.services.engine import AnswerColumns, answer_columns
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.store import unit_respondent
from tests.factories import build_world, make_round


def _columns(engine, assessment_ids: list[int]) -> AnswerColumns:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        ctx = load_assessment(session, assessment_id=assessment_ids[0])
        q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
        return answer_columns(session, q=q, assessment_ids=assessment_ids, submitted_only=True)


def _answer(engine, assessment_id: int, choice: str, *, teacher: bool, done: bool) -> None:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as session:
        ctx = load_assessment(session, assessment_id=assessment_id)
        q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
        if teacher:
            respondent = Respondent(assessment_id=assessment_id, token_hash=secrets.token_hex(32))
            session.add(respondent)
            session.flush()
        else:
            respondent = unit_respondent(session, assessment=ctx.assessment)
        for item in q.items:
            save_answer(session, ctx=ctx, q=q, respondent=respondent, item_id=item.id,
                        choice_raw=choice, comment=None, user_id=None)  # fmt: skip
        if done:
            submit(session, ctx=ctx, q=q, respondent=respondent, actor=None)
        session.commit()


def test_unit_round_follows_reopening_and_resubmission(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    _, assessments = make_round(
        engine, questionnaire_id=world.questionnaires["skola"], owner=world.org_a,
        units=[world.school_a, world.school_a2], kind="organiser", title="Skolor",
    )  # fmt: skip
    ids = [assessments[world.school_a], assessments[world.school_a2]]
    _answer(engine, ids[0], "3", teacher=False, done=True)
    first = _columns(engine, ids)
    assert len(first) > 0 and set(first.value.tolist()) == {3}
    assert _columns(engine, ids) is first  # nothing changed: the answers are not read again

    _answer(engine, ids[1], "2", teacher=False, done=False)  # a draft elsewhere: no change
    assert _columns(engine, ids) is first

    with Session(engine, expire_on_commit=False) as session:
        admin = load_actor(session, user=session.get(User, world.users["admin@example.org"]))  # type: ignore[arg-type]
        reopen(session, ctx=load_assessment(session, assessment_id=ids[0]), actor=admin, ip=None)
        session.commit()
    assert len(_columns(engine, ids)) == 0  # reopened: nothing submitted

    _answer(engine, ids[0], "4", teacher=False, done=True)
    again = _columns(engine, ids)
    assert set(again.value.tolist()) == {4}
    assert len(again) == len(first)


def test_teacher_round_follows_each_submit(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    _, assessments = make_round(
        engine, questionnaire_id=world.questionnaires["larare"], owner=world.org_a,
        units=[world.school_a], kind="organiser", title="Lärare",
    )  # fmt: skip
    ids = [assessments[world.school_a]]
    _answer(engine, ids[0], "2", teacher=True, done=True)
    one = _columns(engine, ids)
    assert np.unique(one.respondent_id).size == 1

    _answer(engine, ids[0], "4", teacher=True, done=False)  # saved, not submitted
    assert _columns(engine, ids) is one

    _answer(engine, ids[0], "3", teacher=True, done=True)
    two = _columns(engine, ids)
    assert np.unique(two.respondent_id).size == 2
    assert sorted(set(two.value.tolist())) == [2, 3]
    assert not two.value.flags.writeable  # shared between requests: read-only

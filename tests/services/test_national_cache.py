"""The national publication is cached per round and rebuilt exactly when its submitted data
change: a submitted assessment, or a teacher submitting in an individual round (which changes
no assessment) — not when someone merely saves answers."""

from __future__ import annotations

import secrets

from sqlmodel import Session

from survey.models import Respondent, Round, Unit
from survey.services.access import load_assessment
from survey.services.assessments import save_answer, submit
from survey.services.national import Publication, publication_for
from survey.services.questionnaires import questionnaire_for
from survey.services.round_access import RoundScope
from survey.services.rounds import unit_respondent
from tests.factories import build_world, make_round


def _publication(engine, round_id: int) -> Publication:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as session:
        rnd = session.get(Round, round_id)
        nation = session.get(Unit, rnd.owner_unit_id)  # type: ignore[union-attr]
        q = questionnaire_for(session, questionnaire_id=rnd.questionnaire_id)  # type: ignore[union-attr]
        scope = RoundScope(rnd, nation, None, False, False)  # type: ignore[arg-type]
        return publication_for(session, round_=rnd, owner_scope=scope, q=q, k=1)  # type: ignore[arg-type]


def _nation_units(publication: Publication) -> int:
    (row,) = publication.select(by=(), scope_type="total")
    return int(row["n_units"])


def _answer(engine, assessment_id: int, *, teacher: bool, done: bool) -> None:  # type: ignore[no-untyped-def]
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
                        choice_raw="3", comment=None, user_id=None)  # fmt: skip
        if done:
            submit(session, ctx=ctx, q=q, respondent=respondent, actor=None)
        session.commit()


def test_teacher_round_is_rebuilt_when_a_teacher_submits(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    round_id, assessments = make_round(
        engine, questionnaire_id=world.questionnaires["larare"], owner=world.nation,
        units=[world.school_a, world.school_b], kind="national", title="Nationell lärarenkät",
    )  # fmt: skip
    _answer(engine, assessments[world.school_a], teacher=True, done=True)
    first = _publication(engine, round_id)
    assert _nation_units(first) == 1
    assert _publication(engine, round_id) is first  # nothing changed: the cached one
    _answer(engine, assessments[world.school_b], teacher=True, done=False)
    assert _publication(engine, round_id) is first  # saved, not submitted: still the same
    _answer(engine, assessments[world.school_b], teacher=True, done=True)
    second = _publication(engine, round_id)
    assert second is not first and _nation_units(second) == 2


def test_school_round_is_rebuilt_when_an_assessment_is_submitted(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    round_id, assessments = make_round(
        engine, questionnaire_id=world.questionnaires["skola"], owner=world.nation,
        units=[world.school_a, world.school_b], kind="national", title="Nationell uppföljning",
    )  # fmt: skip
    _answer(engine, assessments[world.school_a], teacher=False, done=True)
    first = _publication(engine, round_id)
    assert _nation_units(first) == 1 and _publication(engine, round_id) is first
    _answer(engine, assessments[world.school_b], teacher=False, done=False)
    assert _publication(engine, round_id) is first
    _answer(engine, assessments[world.school_b], teacher=False, done=True)
    second = _publication(engine, round_id)
    assert second is not first and _nation_units(second) == 2

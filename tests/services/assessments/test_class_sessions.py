"""The class-session service: codes, places, expiry, resuming by the browser's token, submit once."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from survey.clock import utcnow
from survey.errors import Conflict, InvalidInput
from survey.models import AuditLog, ClassSession, Respondent
from survey.services.access import Actor, UserInfo, load_assessment
from survey.services.assessments import class_sessions as cs
from survey.services.assessments.answers import ReadOnly, save_answer, submit
from survey.services.questionnaires import questionnaire_for
from tests.factories import build_world, make_round


@pytest.fixture
def teacher_ctx(engine):  # type: ignore[no-untyped-def]
    world = build_world(engine)
    _, assessments = make_round(
        engine,
        questionnaire_id=world.questionnaires["larare"],
        owner=world.org_a,
        units=[world.school_a],
    )
    principal = Actor(user=UserInfo(id=world.users["principal-a@example.org"], email="", name=""))
    return assessments[world.school_a], principal


def _open(session: Session, aid: int, actor: Actor, pupils: int = 3) -> ClassSession:
    ctx = load_assessment(session, assessment_id=aid)
    return cs.open_session(
        session, ctx=ctx, label=" 7 B ", minutes=60, max_pupils=pupils, actor=actor, ip="10.0.0.1"
    )


def test_codes_use_the_unambiguous_alphabet() -> None:
    assert not set("0O1IL") & set(cs.ALPHABET)
    codes = {cs.new_code() for _ in range(200)}
    assert all(len(c) == 6 and set(c) <= set(cs.ALPHABET) for c in codes)
    assert cs.normalize_code(" abc-def ") == "ABCDEF"
    assert cs.normalize_code("ABCDE0") is None and cs.normalize_code("ABCDEFG") is None


def test_a_code_in_use_is_never_given_again(engine, teacher_ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    aid, actor = teacher_ctx
    letters = itertools.chain("AAAAAA", "AAAAAA", "BBBBBB")
    monkeypatch.setattr(cs.secrets, "choice", lambda _alphabet: next(letters))
    with Session(engine) as session:
        first = _open(session, aid, actor)
        cs.close_session(
            session, ctx=load_assessment(session, assessment_id=aid), session_id=first.id,
            actor=actor, ip=None,
        )  # fmt: skip
        second = _open(session, aid, actor)  # AAAAAA is taken, closed or not: the next code
        assert (first.code, second.code, first.label) == ("AAAAAA", "BBBBBB", "7 B")
        actions = [a.action for a in session.exec(select(AuditLog))]
        assert actions.count("class_session.open") == 2 and "class_session.close" in actions


def test_limits_of_a_session(engine, teacher_ctx) -> None:  # type: ignore[no-untyped-def]
    aid, actor = teacher_ctx
    with Session(engine) as session:
        ctx = load_assessment(session, assessment_id=aid)
        for kwargs, key in (
            ({"max_pupils": 41}, "err.class.pupils"),
            ({"max_pupils": 0}, "err.class.pupils"),
            ({"minutes": 601}, "err.class.minutes"),
            ({"label": ""}, "err.class.label"),
            ({"label": "x" * 41}, "err.class.label"),
        ):
            args = {"label": "7B", "minutes": 60, "max_pupils": 20, **kwargs}
            with pytest.raises(InvalidInput) as caught:
                cs.open_session(session, ctx=ctx, actor=actor, ip=None, **args)  # type: ignore[arg-type]
            assert caught.value.key == key


def test_places_expiry_and_resuming(engine, teacher_ctx) -> None:  # type: ignore[no-untyped-def]
    aid, actor = teacher_ctx
    with Session(engine) as session:
        row = _open(session, aid, actor, pupils=2)
        ctx = load_assessment(session, assessment_id=aid)
        first, token = cs.join(session, row=row, ctx=ctx)
        again = cs.pupil_by_token(session, row=row, ctx=ctx, token=token)
        assert again is not None and again.respondent.id == first.respondent.id
        assert cs.pupil_by_token(session, row=row, ctx=ctx, token="other") is None
        assert cs.pupil_by_token(session, row=row, ctx=ctx, token=None) is None
        cs.join(session, row=row, ctx=ctx)
        assert cs.state_of(row) == "full"
        with pytest.raises(Conflict) as caught:
            cs.join(session, row=row, ctx=ctx)
        assert caught.value.key == "err.class.full"
        # Another session does not know this browser's token.
        other = _open(session, aid, actor, pupils=2)
        assert cs.pupil_by_token(session, row=other, ctx=ctx, token=token) is None
        other.expires_at = utcnow() - timedelta(seconds=1)
        session.add(other)
        session.flush()
        assert cs.state_of(other) == "expired"
        with pytest.raises(Conflict) as caught:
            cs.join(session, row=other, ctx=ctx)
        assert caught.value.key == "err.class.expired"
        assert session.get(ClassSession, other.id).used == 0  # type: ignore[union-attr]
        respondents = session.exec(select(Respondent)).all()
        assert len(respondents) == 2 and all(r.token_hash for r in respondents)
        assert token not in {r.token_hash for r in respondents}  # only the hash is kept


def test_a_pupil_submits_once(engine, teacher_ctx) -> None:  # type: ignore[no-untyped-def]
    aid, actor = teacher_ctx
    with Session(engine) as session:
        row = _open(session, aid, actor)
        ctx = load_assessment(session, assessment_id=aid)
        pupil, _ = cs.join(session, row=row, ctx=ctx)
        q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
        for item in q.items:
            save_answer(session, ctx=ctx, q=q, respondent=pupil.respondent, item_id=item.id,
                        choice_raw="2", comment=None, user_id=None)  # fmt: skip
        submit(session, ctx=ctx, q=q, respondent=pupil.respondent, actor=None)
        with pytest.raises(ReadOnly):
            submit(session, ctx=ctx, q=q, respondent=pupil.respondent, actor=None)

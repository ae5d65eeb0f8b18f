"""Team consensus (survey/services/assessments/consensus.py): the spread and its marker, the
agreed value as the unit's answer, what a member may see and open."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from survey.errors import Conflict, InvalidInput, NotFound
from survey.models import AuditLog, MemberRating, PasswordReset, User
from survey.questionnaire import load_directory
from survey.services.access import get_assessment_for, load_actor
from survey.services.assessments.answers import answers_of
from survey.services.assessments.consensus import (
    Member,
    agree,
    disagreed,
    invite_member,
    member_for,
    plan_disagreed,
    save_rating,
    spread_for_member,
    spread_of,
    submit_rating,
    team_spread,
)
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.store import unit_respondent
from tests.factories import build_world, make_round


def _skola():  # type: ignore[no-untyped-def]
    loaded, _ = load_directory()
    return next(q for q in loaded if q.key == "skola")


def _spread(levels: list[int | str]):  # type: ignore[no-untyped-def]
    q = _skola()
    item = q.items[0].id
    members = [Member(i, i, f"m{i}", f"m{i}@x", None, None) for i in range(len(levels))]
    ratings = {
        i: {
            item: MemberRating(
                member_id=i,
                item_id=item,
                kind="level" if isinstance(v, int) else v,
                value=v if isinstance(v, int) else None,
            )
        }
        for i, v in enumerate(levels)
    }
    return spread_of(q, members, ratings)[0]


def test_spread_counts_levels_and_range() -> None:
    s = _spread([1, 3, 3, "dk"])
    assert s.counts == {1: 1, 3: 2}
    assert s.others == {"dk": 1}
    assert (s.low, s.high) == (1, 3)
    assert [r.name for r in s.ratings] == ["m0", "m1", "m2", "m3"]


@pytest.mark.parametrize(
    ("levels", "differs"),
    [([2, 3], False), ([1, 3], True), ([1, 4], True), ([2, 2, 2], False), ([], False),
     (["na", "dk"], False), ([3, 3, 1], True)],
)  # fmt: skip
def test_views_differ_when_ratings_span_two_levels(levels, differs) -> None:  # type: ignore[no-untyped-def]
    s = _spread(levels)
    assert s.differs is differs
    assert disagreed([s]) == ([s.item_id] if differs else [])


def _world(engine):  # type: ignore[no-untyped-def]
    world = build_world(engine)
    _, assessments = make_round(
        engine,
        questionnaire_id=world.questionnaires["skola"],
        owner=world.org_a,
        units=[world.school_a, world.school_b],
    )
    with Session(engine) as session:
        for email in ("anna@example.org", "bo@example.org"):
            session.add(User(email=email, name=email.split("@")[0].title(), password_hash="x"))
        session.commit()
    return world, assessments


def _actor(session: Session, email: str):  # type: ignore[no-untyped-def]
    return load_actor(session, user=session.exec(select(User).where(User.email == email)).one())


def test_member_flow_agreed_value_becomes_the_units_answer(engine) -> None:  # type: ignore[no-untyped-def]
    world, assessments = _world(engine)
    aid, other = assessments[world.school_a], assessments[world.school_b]
    with Session(engine) as session:
        principal = _actor(session, "principal-a@example.org")
        ctx = get_assessment_for(session, actor=principal, assessment_id=aid, purpose="answer")
        q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
        for email in ("anna@example.org", "bo@example.org"):
            invited = invite_member(session, ctx=ctx, email=email, actor=principal, ip=None)
            assert invited.password_token is None  # existing accounts
        with pytest.raises(Conflict):
            invite_member(session, ctx=ctx, email="ANNA@example.org", actor=principal, ip=None)
        with pytest.raises(InvalidInput):
            invite_member(session, ctx=ctx, email="not an address", actor=principal, ip=None)
        new = invite_member(session, ctx=ctx, email="new@example.org", actor=principal, ip=None)
        assert new.password_token and new.user.id is not None
        assert session.exec(select(PasswordReset).where(PasswordReset.user_id == new.user.id)).one()

        anna, bo = _actor(session, "anna@example.org"), _actor(session, "bo@example.org")
        assert not anna.grants  # membership is no role
        mctx = get_assessment_for(session, actor=anna, assessment_id=aid, purpose="rate")
        # A member cannot open another assessment, nor answer or view their own unit's.
        with pytest.raises(NotFound):
            get_assessment_for(session, actor=anna, assessment_id=other, purpose="rate")
        for purpose in ("answer", "view"):
            with pytest.raises(NotFound):
                get_assessment_for(session, actor=anna, assessment_id=aid, purpose=purpose)
        with pytest.raises(NotFound):  # a principal is no member
            get_assessment_for(session, actor=principal, assessment_id=aid, purpose="rate")

        item = q.items[0].id
        m_anna, m_bo = (
            member_for(session, ctx=mctx, actor=anna),
            member_for(session, ctx=mctx, actor=bo),
        )
        save_rating(session, ctx=mctx, q=q, member=m_anna, item_id=item, choice_raw="1", comment="")
        save_rating(session, ctx=mctx, q=q, member=m_bo, item_id=item, choice_raw="3", comment="ok")
        # Before handing in, a member sees nothing of the others.
        with pytest.raises(NotFound):
            spread_for_member(session, ctx=mctx, q=q, member=m_anna)
        # Nor does the principal see ratings not handed in.
        assert team_spread(session, ctx=ctx, q=q)[1][0].ratings == []
        submit_rating(session, ctx=mctx, member=m_anna, ip=None)
        seen = spread_for_member(session, ctx=mctx, q=q, member=m_anna)[0]
        assert [(r.name, r.value) for r in seen.ratings] == [("Anna", 1)]
        with pytest.raises(Conflict):  # handed in: no more changes
            save_rating(
                session, ctx=mctx, q=q, member=m_anna, item_id=item, choice_raw="2", comment=""
            )
        submit_rating(session, ctx=mctx, member=m_bo, ip=None)
        members, spreads = team_spread(session, ctx=ctx, q=q)
        assert [m.name for m in members] == ["Anna", "Bo", ""]
        assert spreads[0].counts == {1: 1, 3: 1} and spreads[0].differs
        assert disagreed(spreads) == [item]

        agree(session, ctx=ctx, q=q, item_id=item, choice_raw="2", note="Enade på mötet",
              actor=principal, ip=None)  # fmt: skip
        unit_answers = answers_of(
            session, respondent_id=unit_respondent(session, assessment=ctx.assessment).id
        )
        assert (unit_answers[item].kind, unit_answers[item].value) == ("level", 2)
        assert unit_answers[item].comment == "Enade på mötet"
        assert plan_disagreed(session, ctx=ctx, q=q, actor=principal, ip=None) == 1
        assert plan_disagreed(session, ctx=ctx, q=q, actor=principal, ip=None) == 0
        actions = set(session.exec(select(AuditLog.action)).all())
        assert {"team.invite", "team.submit", "team.agree", "team.plan"} <= actions

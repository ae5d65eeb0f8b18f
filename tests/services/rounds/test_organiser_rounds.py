"""Organiser rounds: creation with each unit selection, bad input, extend / close / reopen with
audit rows, participation states and totals, and the reminder list, on a hand-built world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from survey.errors import Forbidden, NotFound
from survey.models import Assessment, AuditLog, Respondent, Round, Unit, User
from survey.questionnaire import load_directory
from survey.services.access import Actor, load_actor, load_assessment
from survey.services.accounts.users import grant_role
from survey.services.assessments.answers import ReadOnly, reopen, save_answer, submit
from survey.services.assessments.respondents import create_links
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.access import get_round_for
from survey.services.rounds.organiser import (
    RoundConflict,
    RoundInputError,
    close_round,
    create_organiser_round,
    extend_round,
    parse_round_request,
    reopen_round,
)
from survey.services.rounds.participation import participation, reminders
from survey.services.rounds.store import unit_respondent
from survey.services.units import add_unit
from tests.factories import World, _password_hash, answer_all, build_world, make_round

QUESTIONNAIRES = {(q.key, q.version): q for q in load_directory()[0]}
SKOLA = QUESTIONNAIRES[("skola", "2026.1")]
TODAY = date(2026, 3, 1)


@dataclass
class RoundsWorld:
    """build_world plus, under organiser A, an upper secondary school, a preschool (with a contact
    address) and a fourth school; principals on the organiser, on the gymnasium, an inactive one."""

    world: World
    gymnasium: int
    preschool: int
    birch: int


def rounds_world(engine: Engine) -> RoundsWorld:
    world = build_world(engine)
    with Session(engine, expire_on_commit=False) as session:
        org_a = session.get(Unit, world.org_a)
        gymnasium = add_unit(
            session,
            kind="school",
            name="Ekhagagymnasiet",
            parent=org_a,
            school_forms=["gymnasieskola"],
            school_unit_code="11111113",
        )
        preschool = add_unit(
            session,
            kind="preschool",
            name="Förskolan Ugglan",
            parent=org_a,
            school_forms=["forskola"],
            contact_email="ugglan@example.org",
        )
        birch = add_unit(
            session,
            kind="school",
            name="Björkskolan",
            parent=org_a,
            school_forms=["grundskola", "fritidshem"],
            school_unit_code="11111114",
        )
        for email, name, unit, active in (
            ("rektor-org@example.org", "Org Rektor", org_a, True),
            ("rektor-gy@example.org", "Gy Rektor", gymnasium, True),
            ("old@example.org", "Slutat", session.get(Unit, world.school_a2), False),
        ):
            user = User(email=email, name=name, password_hash=_password_hash(), is_active=active)
            session.add(user)
            session.flush()
            grant_role(session, user=user, unit=unit, role="principal")  # type: ignore[arg-type]
        session.commit()
        return RoundsWorld(world, gymnasium.id, preschool.id, birch.id)  # type: ignore[arg-type]


def actor_for(session: Session, world: World, email: str) -> Actor:
    return load_actor(session, user=session.get(User, world.users[email]))  # type: ignore[arg-type]


def request_for(world: World, **fields: object) -> dict[str, object]:
    values: dict[str, object] = {
        "owner": str(world.org_a),
        "questionnaire": f"{SKOLA.key}@{SKOLA.version}",
        "title": "Självvärdering VT",
        "opens": "2026-02-01",
        "closes": "2026-04-30",
        "selection": "all",
    }
    values.update(fields)
    return values


def create(
    session: Session, world: World, email: str = "strategist-a@example.org", **fields: object
) -> Round:
    values = request_for(world, **fields)
    lists = {k: values.pop(k) for k in ("school_forms", "units") if k in values}
    req = parse_round_request(
        {k: str(v) for k, v in values.items()},
        {k: [str(x) for x in v] for k, v in lists.items()},  # type: ignore[attr-defined]
    )
    return create_organiser_round(
        session,
        actor=actor_for(session, world, email),
        req=req,
        questionnaires=QUESTIONNAIRES,
        today=TODAY,
        ip="10.0.0.1",
    )


def units_of(session: Session, round_id: int) -> set[int]:
    return set(session.exec(select(Assessment.unit_id).where(Assessment.round_id == round_id)))


def test_all_units_of_the_target_kinds_optionally_by_school_form(engine) -> None:  # type: ignore[no-untyped-def]
    rw = rounds_world(engine)
    w = rw.world
    with Session(engine, expire_on_commit=False) as session:
        every = create(session, w)
        assert units_of(session, every.id) == {w.school_a, w.school_a2, rw.gymnasium, rw.birch}  # type: ignore[arg-type]
        assert every.targets == {"kinds": ["school"], "school_forms": []}
        assert (every.kind, every.state, every.owner_unit_id) == ("organiser", "open", w.org_a)
        upper = create(session, w, school_forms=["gymnasieskola", "fritidshem"])
        assert units_of(session, upper.id) == {rw.gymnasium, rw.birch}  # type: ignore[arg-type]
        teachers = create(session, w, questionnaire="larare@2026.1", title="Lärare")
        assert units_of(session, teachers.id) == {  # type: ignore[arg-type]
            w.school_a,
            w.school_a2,
            rw.gymnasium,
            rw.birch,
            rw.preschool,
        }
        # An individual questionnaire has no unit answer set: respondents come from links.
        ids = [
            a.id for a in session.exec(select(Assessment).where(Assessment.round_id == teachers.id))
        ]
        assert (
            session.exec(
                select(func.count())
                .select_from(Respondent)
                .where(Respondent.assessment_id.in_(ids))
            ).one()
            == 0
        )  # type: ignore[union-attr]
        organiser = create(session, w, questionnaire="huvudman@2026.1", title="Huvudman")
        assert units_of(session, organiser.id) == {w.org_a}  # type: ignore[arg-type]
        entry = session.exec(
            select(AuditLog).where(
                AuditLog.action == "round.create", AuditLog.object_id == upper.id
            )
        ).one()
        assert entry.ip == "10.0.0.1" and entry.user_id == w.users["strategist-a@example.org"]
        assert entry.detail["targets"] == {
            "kinds": ["school"],
            "school_forms": ["gymnasieskola", "fritidshem"],
        }
        assert entry.detail["units"] == 2 and entry.detail["questionnaire"] == "skola 2026.1"


def test_hand_picked_units_and_admin_for_any_organiser(engine) -> None:  # type: ignore[no-untyped-def]
    rw = rounds_world(engine)
    w = rw.world
    with Session(engine, expire_on_commit=False) as session:
        picked = create(
            session, w, selection="list", units=[w.school_a2, rw.gymnasium], sharing_mandatory="1"
        )
        assert units_of(session, picked.id) == {w.school_a2, rw.gymnasium}  # type: ignore[arg-type]
        assert picked.targets == {"unit_ids": [w.school_a2, rw.gymnasium]}
        assert picked.sharing_mandatory is True
        states = set(session.exec(select(Assessment.state).where(Assessment.round_id == picked.id)))
        assert states == {"draft"}
        other = create(session, w, "admin@example.org", owner=str(w.org_b))
        assert units_of(session, other.id) == {w.school_b}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"opens": "2026-05-01", "closes": "2026-04-30"}, [("closes", "closes_before_opens")]),
        ({"closes": "2026-02-15"}, [("closes", "closes_past")]),
        ({"closes": "30/4"}, [("closes", "date_invalid")]),
        ({"selection": "list", "units": [999999]}, [("units", "unit_unknown")]),
        ({"selection": "list", "units": ["x"]}, [("units", "unit_invalid")]),
        ({"selection": "list", "units": []}, [("units", "none_chosen")]),
        ({"selection": "list", "units": ["PRESCHOOL"]}, [("units", "unit_kind")]),
        ({"selection": "list", "units": ["SCHOOL_B"]}, [("units", "unit_outside")]),
        ({"school_forms": ["vuxenutbildning"]}, [("units", "none_match")]),
        ({"school_forms": ["bogus"]}, [("school_forms", "school_form_invalid")]),
        ({"questionnaire": "nope@1"}, [("questionnaire", "questionnaire_invalid")]),
        ({"title": "  "}, [("title", "title_missing")]),
        ({"owner": "ORG_B"}, [("owner", "owner_invalid")]),
        ({"title": "", "opens": ""}, [("opens", "date_missing"), ("title", "title_missing")]),
    ],
)
def test_bad_input_names_the_field_and_creates_nothing(engine, fields, expected) -> None:  # type: ignore[no-untyped-def]
    rw = rounds_world(engine)
    w = rw.world
    swap = {"PRESCHOOL": rw.preschool, "SCHOOL_B": w.school_b, "ORG_B": w.org_b}
    fields = {
        k: ([swap.get(x, x) for x in v] if isinstance(v, list) else str(swap.get(v, v)))
        for k, v in fields.items()
    }
    with Session(engine, expire_on_commit=False) as session:
        with pytest.raises(RoundInputError) as caught:
            create(session, w, **fields)
        found = sorted((i.field, i.key) for i in caught.value.issues)
        assert found == sorted(expected)
        assert caught.value.status_code == 422
        session.rollback()
        assert session.exec(select(func.count()).select_from(Round)).one() == 0
        assert session.exec(select(func.count()).select_from(Assessment)).one() == 0
        assert (
            session.exec(
                select(func.count()).select_from(AuditLog).where(AuditLog.object_type == "round")
            ).one()
            == 0
        )


def test_only_strategists_and_admins_create_organiser_rounds(engine) -> None:  # type: ignore[no-untyped-def]
    w = rounds_world(engine).world
    with Session(engine, expire_on_commit=False) as session:
        for email in ("national@example.org", "principal-a@example.org"):
            with pytest.raises(NotFound):
                create(session, w, email)


def _scope(session: Session, w: World, round_id: int, email: str = "strategist-a@example.org"):  # type: ignore[no-untyped-def]
    actor = actor_for(session, w, email)
    return actor, get_round_for(session, actor=actor, round_id=round_id)


def test_extend_close_reopen_are_audited_and_a_closed_round_refuses_answers(engine) -> None:  # type: ignore[no-untyped-def]
    w = rounds_world(engine).world
    round_id, assessments = make_round(
        engine, questionnaire_id=w.questionnaires["skola"], owner=w.org_a, units=[w.school_a]
    )
    with Session(engine, expire_on_commit=False) as session:
        actor, scope = _scope(session, w, round_id)
        with pytest.raises(RoundInputError) as caught:
            extend_round(session, scope=scope, closes=date(2026, 6, 1), actor=actor)
        assert caught.value.issues[0].key == "extend_not_later"
        extend_round(session, scope=scope, closes=date(2027, 1, 31), actor=actor, ip="1.2.3.4")
        close_round(session, scope=scope, actor=actor, today=TODAY, k=5)
        with pytest.raises(RoundConflict):
            close_round(session, scope=scope, actor=actor, today=TODAY, k=5)
        with pytest.raises(RoundConflict):
            extend_round(session, scope=scope, closes=date(2027, 3, 1), actor=actor)
        session.commit()

        ctx = load_assessment(session, assessment_id=assessments[w.school_a])
        q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
        with pytest.raises(ReadOnly):
            save_answer(
                session,
                ctx=ctx,
                q=q,
                respondent=unit_respondent(session, assessment=ctx.assessment),
                item_id=q.items[0].id,
                choice_raw="2",
                comment=None,
                user_id=None,
            )
        session.rollback()

        # Past the close date, reopening needs a new one.
        actor, scope = _scope(session, w, round_id)
        late = date(2027, 2, 15)
        with pytest.raises(RoundInputError) as caught:
            reopen_round(session, scope=scope, actor=actor, today=late)
        assert caught.value.issues[0].key == "reopen_needs_date"
        with pytest.raises(RoundInputError):
            reopen_round(session, scope=scope, actor=actor, today=late, closes=date(2027, 2, 1))
        reopen_round(session, scope=scope, actor=actor, today=late, closes=date(2027, 3, 31))
        with pytest.raises(RoundConflict):
            reopen_round(session, scope=scope, actor=actor, today=late)
        session.commit()
        rnd = session.get(Round, round_id)
        assert (rnd.state, rnd.closes) == ("open", date(2027, 3, 31))  # type: ignore[union-attr]
        log = session.exec(
            select(AuditLog.action, AuditLog.detail, AuditLog.user_id)
            .where(AuditLog.object_type == "round", AuditLog.object_id == round_id)
            .order_by(AuditLog.id)
        ).all()
        created = log[0][1]
        assert log[0][0] == "round.create"
        assert {k: created[k] for k in ("units", "title", "kind", "opens", "closes")} == {
            "units": 1, "title": "Omgång", "kind": "organiser", "opens": "2026-01-01",
            "closes": "2026-12-31",
        }  # fmt: skip
        assert [(a, d) for a, d, _ in log[1:]] == [
            ("round.extend", {"closes_from": "2026-12-31", "closes_to": "2027-01-31"}),
            ("round.close", {"closes": "2027-01-31", "closed_on": "2026-03-01"}),
            ("round.reopen", {"closes_from": "2027-01-31", "closes_to": "2027-03-31"}),
        ]
        assert {u for *_, u in log[1:]} == {w.users["strategist-a@example.org"]}


def test_only_the_owner_manages_a_round(engine) -> None:  # type: ignore[no-untyped-def]
    w = rounds_world(engine).world
    national, _ = make_round(
        engine,
        questionnaire_id=w.questionnaires["skola"],
        owner=w.nation,
        units=[w.school_a],
        kind="national",
    )
    with Session(engine, expire_on_commit=False) as session:
        actor, scope = _scope(session, w, national)
        assert not scope.can_manage
        with pytest.raises(Forbidden):
            close_round(session, scope=scope, actor=actor, today=TODAY, k=5)


def _submit(session: Session, assessment_id: int) -> None:
    ctx = load_assessment(session, assessment_id=assessment_id)
    q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
    submit(
        session,
        ctx=ctx,
        q=q,
        respondent=unit_respondent(session, assessment=ctx.assessment),
        actor=None,
    )


def participation_world(engine: Engine) -> tuple[RoundsWorld, int, dict[int, int]]:
    """A skola round of organiser A: school A submitted (and shared), school A2 draft with nine
    answers, the gymnasium not started, Björkskolan submitted and reopened."""
    rw = rounds_world(engine)
    w = rw.world
    round_id, aids = make_round(
        engine,
        questionnaire_id=w.questionnaires["skola"],
        owner=w.org_a,
        units=[w.school_a, w.school_a2, rw.gymnasium, rw.birch],
        title="VT 2026",
    )
    answer_all(engine, aids[w.school_a], 3)
    answer_all(engine, aids[rw.birch], 2)
    with Session(engine, expire_on_commit=False) as session:
        ctx = load_assessment(session, assessment_id=aids[w.school_a2])
        respondent = unit_respondent(session, assessment=ctx.assessment)
        for item in SKOLA.items[:9]:
            save_answer(
                session,
                ctx=ctx,
                q=SKOLA,
                respondent=respondent,
                item_id=item.id,
                choice_raw="2",
                comment=None,
                user_id=None,
            )
        _submit(session, aids[w.school_a])
        _submit(session, aids[rw.birch])
        shared = session.get(Assessment, aids[w.school_a])
        shared.shared = True  # type: ignore[union-attr]
        admin = actor_for(session, w, "admin@example.org")
        reopen(
            session,
            ctx=load_assessment(session, assessment_id=aids[rw.birch]),
            actor=admin,
            ip=None,
        )
        session.commit()
    return rw, round_id, aids


def test_participation_states_progress_and_totals(engine) -> None:  # type: ignore[no-untyped-def]
    rw, round_id, aids = participation_world(engine)
    w = rw.world
    with Session(engine, expire_on_commit=False) as session:
        _, scope = _scope(session, w, round_id)
        part = participation(session, scope=scope, q=SKOLA, k=5)
        rows = {r.unit.name: r for r in part.rows}
        assert list(rows) == ["Björkskolan", "Ekhagagymnasiet", "Kvarnbackaskolan", "Lindskolan"]
        n = len(SKOLA.items)
        assert [(r.state, r.answered, r.progress) for r in rows.values()] == [
            ("reopened", n, 100),
            ("not_started", 0, 0),
            ("submitted", n, 100),
            ("draft", 9, round(100 * 9 / n)),
        ]
        assert rows["Ekhagagymnasiet"].updated_at is None
        assert rows["Lindskolan"].updated_at is not None
        assert rows["Lindskolan"].n_respondents is None
        assert rows["Ekhagagymnasiet"].school_form == "gymnasieskola"
        assert part.counts == {"not_started": 1, "draft": 1, "submitted": 1, "reopened": 1}
        assert (part.total, part.submitted_percent) == (4, 25)

        # The reminder list: everything but the submitted unit, with the principals' e-mail (a
        # grant on the unit or above it within the organiser; inactive accounts left out).
        waiting = {r.row.unit.name: r for r in reminders(session, part=part)}
        assert sorted(waiting) == ["Björkskolan", "Ekhagagymnasiet", "Lindskolan"]
        assert waiting["Ekhagagymnasiet"].emails == [
            "rektor-gy@example.org",
            "rektor-org@example.org",
        ]
        assert waiting["Lindskolan"].emails == ["rektor-org@example.org"]
        assert waiting["Björkskolan"].principals[0].name == "Org Rektor"

        # Strategist B sees nothing of it.
        with pytest.raises(NotFound):
            _scope(session, w, round_id, "strategist-b@example.org")


def test_individual_round_counts_respondents_against_k(engine) -> None:  # type: ignore[no-untyped-def]
    rw = rounds_world(engine)
    w = rw.world
    round_id, aids = make_round(
        engine,
        questionnaire_id=w.questionnaires["larare"],
        owner=w.org_a,
        units=[w.school_a, w.school_a2, rw.preschool],
    )
    larare = next(q for (key, _), q in QUESTIONNAIRES.items() if key == "larare")
    with Session(engine, expire_on_commit=False) as session:
        admin = actor_for(session, w, "admin@example.org")
        for unit, links, done in ((w.school_a, 6, 5), (w.school_a2, 4, 1)):
            ctx = load_assessment(session, assessment_id=aids[unit])
            create_links(session, ctx=ctx, count=links, actor=admin, ip=None)
            people = session.exec(
                select(Respondent).where(Respondent.assessment_id == aids[unit])
            ).all()
            for person in people[:done]:
                person.state = "submitted"
                person.submitted_at = ctx.assessment.updated_at + timedelta(minutes=1)
                session.add(person)
        session.commit()
        _, scope = _scope(session, w, round_id)
        part = participation(session, scope=scope, q=larare, k=5)
        rows = {r.unit.name: (r.state, r.n_respondents, r.links, r.progress) for r in part.rows}
        assert rows == {
            "Förskolan Ugglan": ("not_started", 0, 0, None),
            "Kvarnbackaskolan": ("draft", 5, 6, 83),
            "Lindskolan": ("draft", 1, 4, 25),
        }
        assert (part.reached_k, part.respondents, part.individual) == (1, 6, True)
        waiting = {r.row.unit.name: r.emails for r in reminders(session, part=part)}
        # Fewer than k: the preschool and Lindskolan, both under the organiser's principal.
        assert waiting == {
            "Förskolan Ugglan": ["rektor-org@example.org"],
            "Lindskolan": ["rektor-org@example.org"],
        }
        # Without an active principal the unit's own address stands in (when it has one).
        org_principal = session.exec(
            select(User).where(User.email == "rektor-org@example.org")
        ).one()
        org_principal.is_active = False
        session.add(org_principal)
        session.flush()
        waiting = {r.row.unit.name: r.emails for r in reminders(session, part=part)}
        assert waiting == {"Förskolan Ugglan": ["ugglan@example.org"], "Lindskolan": []}

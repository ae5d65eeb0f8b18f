"""Factory functions for tests: a small unit tree, users with roles, rounds, answers, sign-in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from survey.models import Assessment, QuestionnaireVersion, Round, Unit, User
from survey.questionnaire import load_directory
from survey.questionnaire.loader import first_versions
from survey.security import hash_password
from survey.services.access import load_assessment
from survey.services.accounts.users import grant_role
from survey.services.assessments.answers import save_answer
from survey.services.questionnaires import store_version
from survey.services.rounds.store import create_round, unit_respondent
from survey.services.units import add_unit

PASSWORD = "secret-pw"


@lru_cache(maxsize=1)
def _password_hash() -> str:
    """Argon2 is slow on purpose; hash the shared test password once per test run."""
    return hash_password(PASSWORD)


@dataclass
class World:
    """Two organisers with a school each (plus a preschool under the first)."""

    nation: int
    region: int
    org_a: int
    org_b: int
    school_a: int
    school_a2: int
    school_b: int
    questionnaires: dict[str, int]
    users: dict[str, int]


def build_world(engine: Engine) -> World:
    with Session(engine, expire_on_commit=False) as session:
        nation = add_unit(session, kind="nation", name="Sverige", external_id="SE")
        region = add_unit(
            session, kind="region", name="Uppsala län", parent=nation, county_code="03"
        )
        org_a = add_unit(
            session,
            kind="organiser",
            name="Uppsala kommun",
            parent=region,
            organiser_type="municipal",
            municipality_code="0380",
        )
        org_b = add_unit(
            session,
            kind="organiser",
            name="Enköpings kommun",
            parent=region,
            organiser_type="municipal",
            municipality_code="0381",
        )
        school_a = add_unit(
            session,
            kind="school",
            name="Kvarnbackaskolan",
            parent=org_a,
            school_forms=["grundskola"],
            school_unit_code="11111111",
        )
        school_a2 = add_unit(
            session,
            kind="school",
            name="Lindskolan",
            parent=org_a,
            school_forms=["grundskola"],
            school_unit_code="11111112",
        )
        school_b = add_unit(
            session,
            kind="school",
            name="Ekskolan",
            parent=org_b,
            school_forms=["grundskola"],
            school_unit_code="22222222",
        )
        loaded, _ = load_directory()
        # every version is stored; a key names its first version (later ones sit beside it)
        every = {(q.key, q.version): store_version(session, questionnaire=q).id for q in loaded}
        stored = {q.key: every[(q.key, q.version)] for q in first_versions(loaded).values()}
        users = {}
        for email, role, unit in (
            ("principal-a@example.org", "principal", school_a),
            ("principal-b@example.org", "principal", school_b),
            ("strategist-a@example.org", "strategist", org_a),
            ("strategist-b@example.org", "strategist", org_b),
            ("national@example.org", "national", nation),
            ("admin@example.org", "admin", nation),
        ):
            user = User(email=email, name=email.split("@")[0], password_hash=_password_hash())
            session.add(user)
            session.flush()
            grant_role(session, user=user, unit=unit, role=role)
            users[email] = user.id
        session.commit()
        return World(
            nation.id,
            region.id,
            org_a.id,
            org_b.id,
            school_a.id,
            school_a2.id,  # type: ignore[arg-type]
            school_b.id,
            stored,
            users,
        )  # type: ignore[arg-type]


def make_round(
    engine: Engine,
    *,
    questionnaire_id: int,
    owner: int,
    units: list[int],
    kind: str = "organiser",
    title: str = "Omgång",
    sharing_mandatory: bool = False,
) -> tuple[int, dict[int, int]]:
    """A round; returns its id and unit id → assessment id."""
    with Session(engine, expire_on_commit=False) as session:
        qv = session.get(QuestionnaireVersion, questionnaire_id)
        owner_unit = session.get(Unit, owner)
        unit_rows = [session.get(Unit, u) for u in units]
        rnd = create_round(
            session,
            questionnaire=qv,
            owner=owner_unit,
            kind=kind,
            title=title,  # type: ignore[arg-type]
            opens=date(2026, 1, 1),
            closes=date(2026, 12, 31),
            units=unit_rows,  # type: ignore[arg-type]
            sharing_mandatory=sharing_mandatory,
        )
        session.commit()
        assessments = {
            a.unit_id: a.id
            for a in session.exec(select(Assessment).where(Assessment.round_id == rnd.id))
        }
        return rnd.id, assessments  # type: ignore[return-value]


def answer_all(
    engine: Engine, assessment_id: int, value: int | str = 2, user_id: int | None = None
) -> None:
    """Answer every item of a unit-level assessment with ``value``."""
    from survey.services.questionnaires import questionnaire_for

    with Session(engine, expire_on_commit=False) as session:
        ctx = load_assessment(session, assessment_id=assessment_id)
        q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
        respondent = unit_respondent(session, assessment=ctx.assessment)
        for item in q.items:
            choice = str(value(item) if callable(value) else value)
            save_answer(
                session,
                ctx=ctx,
                q=q,
                respondent=respondent,
                item_id=item.id,
                choice_raw=choice,
                comment=None,
                user_id=user_id,
            )
        session.commit()


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no CSRF meta tag"
    return match.group(1)


def login(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/").text)


__all__ = [
    "PASSWORD",
    "World",
    "answer_all",
    "build_world",
    "csrf_of",
    "login",
    "make_round",
    "Round",
]


def bulk_answer(engine: Engine, assessment_ids: dict[int, int]) -> None:
    """Fast path for big worlds: assessment id → level for every item, inserted in one go
    (bypasses the per-item save, which the answering tests cover)."""
    from sqlalchemy import insert

    from survey.clock import utcnow
    from survey.models import Answer
    from survey.services.questionnaires import questionnaire_for

    with Session(engine, expire_on_commit=False) as session:
        rows = []
        for assessment_id, level in assessment_ids.items():
            ctx = load_assessment(session, assessment_id=assessment_id)
            q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
            respondent = unit_respondent(session, assessment=ctx.assessment)
            rows += [
                {
                    "respondent_id": respondent.id,
                    "item_id": item.id,
                    "kind": "level",
                    "value": level,
                    "updated_at": utcnow(),
                }
                for item in q.items
            ]
        session.execute(insert(Answer), rows)
        session.commit()


def publish_release(
    engine: Engine, round_id: int, *, k: int = 5, k_detail: int = 10, close: bool = True
) -> int:
    """National staff publish the round's next release (closing the round first unless
    ``close`` is False: then it is the preliminary one). Returns the release number."""
    from sqlmodel import Session

    from survey.models import Round
    from survey.services.national.publishing import create_release
    from survey.services.questionnaires import questionnaire_for

    with Session(engine, expire_on_commit=False) as session:
        round_ = session.get(Round, round_id)
        assert round_ is not None
        if close:
            round_.state = "closed"
            session.add(round_)
            session.flush()
        q = questionnaire_for(session, questionnaire_id=round_.questionnaire_id)
        made = create_release(session, round_=round_, q=q, k=k, k_detail=k_detail, actor_id=None)
        session.commit()
        return made.number


def end_collections(engine: Engine, round_id: int, *, k: int = 5, share: bool = True) -> None:
    """Every unit's anonymous collection of the round ends (teachers' answers released in a
    batch where at least k submitted); with ``share`` the principals share the results with
    the organiser."""
    from sqlmodel import Session, select

    from survey.models import Assessment, Round
    from survey.services.assessments.batches import end_collection

    with Session(engine) as session:
        round_ = session.get(Round, round_id)
        assert round_ is not None
        for assessment in session.exec(select(Assessment).where(Assessment.round_id == round_id)):
            end_collection(session, assessment=assessment, round_=round_, k=k, actor_id=None)
            if share:
                assessment.shared = True
                session.add(assessment)
        session.commit()


def submit_and_share(engine: Engine, assessment_ids: list[int]) -> None:
    """Submit unit-level assessments and share them with the organiser."""
    from sqlmodel import Session

    from survey.services.assessments.answers import submit
    from survey.services.questionnaires import questionnaire_for

    with Session(engine, expire_on_commit=False) as session:
        for assessment_id in assessment_ids:
            ctx = load_assessment(session, assessment_id=assessment_id)
            q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
            submit(session, ctx=ctx, q=q, actor=None,
                   respondent=unit_respondent(session, assessment=ctx.assessment))  # fmt: skip
            ctx.assessment.shared = True
            session.add(ctx.assessment)
        session.commit()

"""National rounds: each unit kind and school form targets exactly the right units in the whole
country (organisers for the organiser-level questionnaire), an audit row, and bad input naming its
field with nothing created — on a hand-built country of two regions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from survey.errors import NotFound
from survey.models import Assessment, AuditLog, Respondent, Round, Unit, User
from survey.questionnaire import load_directory
from survey.services.access import Actor, load_actor
from survey.services.national.rounds import (
    RoundInputError,
    create_national_round,
    parse_national_round_request,
    round_counts,
)
from survey.services.units import add_unit
from survey.web.errors import say
from tests.factories import World, build_world

QUESTIONNAIRES = {(q.key, q.version): q for q in load_directory()[0]}
VERSION = {key: f"{key}@{version}" for key, version in QUESTIONNAIRES}
TODAY = date(2026, 8, 1)


@dataclass
class Country:
    """build_world (region 03: organisers A and B, grundskolor) plus region 12 with a municipal
    organiser (a gymnasieskola, a grundskola with fritidshem, a preschool) and an independent one
    running only a gymnasieskola, and a preschool under organiser A."""

    world: World
    region12: int
    malmo: int
    friskola: int
    gymnasium: int
    grund12: int
    pre12: int
    pre_a: int
    gy_free: int


def country(engine: Engine) -> Country:
    world = build_world(engine)
    with Session(engine, expire_on_commit=False) as session:
        nation = session.get(Unit, world.nation)
        org_a = session.get(Unit, world.org_a)
        region = add_unit(session, kind="region", name="Skåne län", parent=nation, county_code="12")
        malmo = add_unit(session, kind="organiser", name="Malmö stad", parent=region,
                         organiser_type="municipal")  # fmt: skip
        free = add_unit(session, kind="organiser", name="Friskolan AB", parent=region,
                        organiser_type="independent")  # fmt: skip
        gymnasium = add_unit(session, kind="school", name="Malmö gymnasium", parent=malmo,
                             school_forms=["gymnasieskola"])  # fmt: skip
        grund = add_unit(session, kind="school", name="Malmö grundskola", parent=malmo,
                         school_forms=["grundskola", "fritidshem"])  # fmt: skip
        pre12 = add_unit(session, kind="preschool", name="Förskolan Malmö", parent=malmo,
                         school_forms=["forskola"])  # fmt: skip
        pre_a = add_unit(session, kind="preschool", name="Förskolan Uppsala", parent=org_a,
                         school_forms=["forskola"])  # fmt: skip
        gy_free = add_unit(session, kind="school", name="Friskolans gymnasium", parent=free,
                           school_forms=["gymnasieskola"])  # fmt: skip
        session.commit()
        ids = [u.id for u in (region, malmo, free, gymnasium, grund, pre12, pre_a, gy_free)]
    return Country(world, *ids)  # type: ignore[arg-type]


def actor(session: Session, world: World, email: str = "national@example.org") -> Actor:
    return load_actor(session, user=session.get(User, world.users[email]))  # type: ignore[arg-type]


def create(session: Session, world: World, email: str = "national@example.org", **fields: object
           ) -> Round:  # fmt: skip
    values: dict[str, object] = {
        "questionnaire": VERSION["skola"],
        "title": "Nationell uppföljning 2026",
        "opens": "2026-09-01",
        "closes": "2026-12-18",
    }
    values.update(fields)
    lists = {k: values.pop(k) for k in ("kinds", "school_forms") if k in values}
    req = parse_national_round_request(
        {k: str(v) for k, v in values.items()},
        {k: [str(x) for x in v] for k, v in lists.items()},  # type: ignore[attr-defined]
    )
    return create_national_round(
        session, actor=actor(session, world, email), req=req, questionnaires=QUESTIONNAIRES,
        today=TODAY, ip="10.0.0.8",
    )  # fmt: skip


def units_of(session: Session, round_id: int) -> set[int]:
    return set(session.exec(select(Assessment.unit_id).where(Assessment.round_id == round_id)))


def test_school_rounds_target_every_school_in_the_country_by_form(engine) -> None:  # type: ignore[no-untyped-def]
    c = country(engine)
    w = c.world
    with Session(engine, expire_on_commit=False) as session:
        every = create(session, w)
        assert units_of(session, every.id) == {
            w.school_a, w.school_a2, w.school_b, c.gymnasium, c.grund12, c.gy_free
        }  # fmt: skip
        assert (every.kind, every.owner_unit_id, every.sharing_mandatory) == (
            "national", w.nation, True
        )  # fmt: skip
        assert every.targets == {"kinds": ["school"], "school_forms": []}
        shared = session.exec(select(Assessment.shared).where(Assessment.round_id == every.id))
        assert set(shared) == {True}  # national rounds always share into aggregates

        grund = create(session, w, school_forms=["grundskola"])
        assert units_of(session, grund.id) == {w.school_a, w.school_a2, w.school_b, c.grund12}
        gy = create(session, w, school_forms=["gymnasieskola", "fritidshem"])
        assert units_of(session, gy.id) == {c.gymnasium, c.grund12, c.gy_free}

        pre = create(session, w, questionnaire=VERSION["forskola"])
        assert units_of(session, pre.id) == {c.pre12, c.pre_a}
        # The teacher questionnaire is for schools and preschools; one kind can be chosen.
        only_pre = create(session, w, questionnaire=VERSION["larare"], kinds=["preschool"])
        assert units_of(session, only_pre.id) == {c.pre12, c.pre_a}
        assert only_pre.targets == {"kinds": ["preschool"], "school_forms": []}
        # Unit-level questionnaires get their single answer set; individual ones none yet.
        respondents = session.exec(
            select(func.count()).select_from(Respondent).join(Assessment)
            .where(Assessment.round_id == grund.id)
        ).one()  # fmt: skip
        assert respondents == 4
        assert round_counts(session, round_ids=[grund.id, gy.id]) == {
            grund.id: (4, 0),
            gy.id: (3, 0),
        }


def test_organiser_rounds_target_organisers_running_the_form(engine) -> None:  # type: ignore[no-untyped-def]
    c = country(engine)
    w = c.world
    with Session(engine, expire_on_commit=False) as session:
        every = create(session, w, questionnaire=VERSION["huvudman"])
        assert units_of(session, every.id) == {w.org_a, w.org_b, c.malmo, c.friskola}
        assert every.targets == {"kinds": ["organiser"], "school_forms": []}
        gy = create(session, w, questionnaire=VERSION["huvudman"], school_forms=["gymnasieskola"])
        assert units_of(session, gy.id) == {c.malmo, c.friskola}
        pre = create(session, w, questionnaire=VERSION["huvudman"], school_forms=["forskola"])
        assert units_of(session, pre.id) == {w.org_a, c.malmo}


def test_the_creation_is_audited(engine) -> None:  # type: ignore[no-untyped-def]
    c = country(engine)
    w = c.world
    with Session(engine, expire_on_commit=False) as session:
        rnd = create(session, w, school_forms=["grundskola"])
        session.commit()
        entry = session.exec(
            select(AuditLog).where(AuditLog.action == "round.create", AuditLog.object_id == rnd.id)
        ).one()
        assert entry.user_id == w.users["national@example.org"] and entry.ip == "10.0.0.8"
        assert entry.unit_id == w.nation
        assert entry.detail["kind"] == "national" and entry.detail["units"] == 4
        assert entry.detail["targets"] == {"kinds": ["school"], "school_forms": ["grundskola"]}
        assert entry.detail["questionnaire"].startswith("skola ")
        assert (entry.detail["opens"], entry.detail["closes"]) == ("2026-09-01", "2026-12-18")


@pytest.mark.parametrize(
    ("fields", "field", "key"),
    [
        ({"questionnaire": "nope@1"}, "questionnaire", "questionnaire_invalid"),
        ({"title": " "}, "title", "title_missing"),
        ({"title": "x" * 201}, "title", "title_long"),
        ({"opens": "2026-13-01"}, "opens", "date_invalid"),
        ({"closes": ""}, "closes", "date_missing"),
        ({"closes": "2026-08-31"}, "closes", "closes_before_opens"),
        ({"opens": "2026-01-01", "closes": "2026-02-01"}, "closes", "closes_past"),
        ({"kinds": ["organiser"]}, "kinds", "kind_not_target"),
        ({"kinds": ["nation"]}, "kinds", "kinds_invalid"),
        ({"school_forms": ["hogskola"]}, "school_forms", "school_forms_invalid"),
        ({"school_forms": ["vuxenutbildning"]}, "kinds", "none_match"),
    ],
)
def test_bad_input_names_the_field_and_creates_nothing(engine, fields, field, key) -> None:  # type: ignore[no-untyped-def]
    c = country(engine)
    with Session(engine, expire_on_commit=False) as session:
        with pytest.raises(RoundInputError) as caught:
            create(session, c.world, **fields)
        assert [(i.field, i.key) for i in caught.value.issues] == [(field, key)]
        assert caught.value.status_code == 422
        assert say(caught.value.problems[0], "en").startswith(f"{field}: ")
        assert session.exec(select(func.count()).select_from(Round)).one() == 0
        assert session.exec(select(func.count()).select_from(Assessment)).one() == 0


def test_only_national_staff_and_admins_create_national_rounds(engine) -> None:  # type: ignore[no-untyped-def]
    c = country(engine)
    w = c.world
    with Session(engine, expire_on_commit=False) as session:
        for email in ("strategist-a@example.org", "principal-a@example.org"):
            with pytest.raises(NotFound):
                create(session, w, email=email)
        by_admin = create(session, w, email="admin@example.org", school_forms=["grundskola"])
        assert by_admin.owner_unit_id == w.nation and by_admin.kind == "national"

"""Hand-built worlds with known answers for the heat map, equity panel and trend tests.

Organiser A (Uppsala kommun, municipal) gets, besides the two schools of ``build_world``:

unit-level round (questionnaire ``skola``), every item answered with one value unless noted:
- Kvarnbackaskolan 2, Lindskolan 3, Almskolan 3, Björkskolan 4 (grundskola + fritidshem),
  Cederskolan (gymnasieskola) 1 on the items tagged ``likvardighet`` and 4 on the others,
  Komvux (adult education, vuxenutbildning) 1;
- Dalskolan 3, submitted but not shared; Furuskolan in draft with no answers.

teacher round (questionnaire ``larare``): four schools with 8 teachers each, one of them
(Almskolan) clearly lower; Björkskolan with only 3 teachers (below k = 5). Every collection has
ended (batches released where at least k answered) and the principals share the results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from survey.models import Answer, Respondent, Round, Unit
from survey.security import new_token, token_digest
from survey.services.access import load_assessment
from survey.services.assessments.answers import submit
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.store import unit_respondent
from survey.services.units import add_unit
from tests.factories import World, answer_all, build_world, end_collections, make_round

TAG = "likvardighet"


@dataclass
class Comparison:
    world: World
    units: dict[str, int]  # name → unit id
    round_id: int = 0
    assessments: dict[int, int] = field(default_factory=dict)  # unit id → assessment id
    teacher_round: int = 0
    earlier_round: int = 0


def _add_units(engine: Engine, world: World) -> dict[str, int]:
    with Session(engine, expire_on_commit=False) as session:
        org = session.get(Unit, world.org_a)
        units = {"Kvarnbackaskolan": world.school_a, "Lindskolan": world.school_a2}
        for name, kind, forms in (
            ("Almskolan", "school", ["grundskola"]),
            ("Björkskolan", "school", ["grundskola", "fritidshem"]),
            ("Cederskolan", "school", ["gymnasieskola"]),
            ("Komvux", "adult_education", ["vuxenutbildning"]),
            ("Dalskolan", "school", ["grundskola"]),
            ("Furuskolan", "school", ["grundskola"]),
        ):
            unit = add_unit(session, kind=kind, name=name, parent=org, school_forms=forms)
            units[name] = unit.id  # type: ignore[assignment]
        session.commit()
    return units


def submit_assessment(engine: Engine, assessment_id: int, *, shared: bool = True) -> None:
    with Session(engine, expire_on_commit=False) as session:
        ctx = load_assessment(session, assessment_id=assessment_id)
        q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
        respondent = unit_respondent(session, assessment=ctx.assessment)
        submit(session, ctx=ctx, q=q, respondent=respondent, actor=None)
        ctx.assessment.shared = shared
        session.add(ctx.assessment)
        session.commit()


UNIT_VALUES = {
    "Kvarnbackaskolan": 2,
    "Lindskolan": 3,
    "Almskolan": 3,
    "Björkskolan": 4,
    "Cederskolan": lambda item: 1 if TAG in item.tags else 4,
    "Komvux": 1,
    "Dalskolan": 3,
}


def answer_directly(engine: Engine, assessment_id: int, value: Any) -> None:
    """What ``answer_all`` does, as one insert (``answer_all`` saves item by item, slowly)."""
    with Session(engine) as session:
        ctx = load_assessment(session, assessment_id=assessment_id)
        q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
        respondent = unit_respondent(session, assessment=ctx.assessment)
        session.add_all(
            Answer(
                respondent_id=respondent.id,
                item_id=item.id,
                kind="level",
                value=value(item) if callable(value) else value,
            )
            for item in q.items
        )
        session.commit()


def unit_level_world(engine: Engine, *, earlier: dict[str, int] | None = None) -> Comparison:
    """The unit-level round; with ``earlier``, a previous round created first (lower id)."""
    world = build_world(engine)
    units = _add_units(engine, world)
    cmp = Comparison(world, units)
    if earlier:
        add_earlier_round(engine, cmp, earlier)
    cmp.round_id, cmp.assessments = make_round(
        engine,
        questionnaire_id=world.questionnaires["skola"],
        owner=world.org_a,
        units=list(units.values()),
        title="Skolor 2026",
    )
    for name, value in UNIT_VALUES.items():
        aid = cmp.assessments[units[name]]
        if name == "Kvarnbackaskolan":
            answer_all(engine, aid, value=value)  # type: ignore[arg-type]
        else:
            answer_directly(engine, aid, value)
        submit_assessment(engine, aid, shared=name != "Dalskolan")
    return cmp


def add_earlier_round(engine: Engine, cmp: Comparison, values: dict[str, int]) -> int:
    """A round of the same questionnaire a year earlier (so it is the previous round)."""
    names = list(values)
    rid, assessments = make_round(
        engine,
        questionnaire_id=cmp.world.questionnaires["skola"],
        owner=cmp.world.org_a,
        units=[cmp.units[n] for n in names],
        title="Skolor 2025",
    )
    with Session(engine) as session:
        earlier = session.get(Round, rid)
        assert earlier is not None
        earlier.opens, earlier.closes = date(2025, 1, 1), date(2025, 6, 30)
        session.add(earlier)
        session.commit()
    for name, value in values.items():
        aid = assessments[cmp.units[name]]
        answer_directly(engine, aid, value)
        submit_assessment(engine, aid)
    cmp.earlier_round = rid
    return rid


# Per school, each teacher's answer (the same for every item).
TEACHERS = {
    "Kvarnbackaskolan": [2, 3, 3, 4, 3, 4, 2, 3],
    "Lindskolan": [3, 2, 3, 4, 3, 3, 4, 2],
    "Almskolan": [1, 1, 1, 2, 1, 1, 1, 1],
    "Cederskolan": [3, 4, 2, 3, 3, 4, 3, 2],
    "Björkskolan": [3, 3, 3],
}


def teacher_world(engine: Engine, cmp: Comparison | None = None) -> Comparison:
    if cmp is None:
        world = build_world(engine)
        cmp = Comparison(world, _add_units(engine, world))
    rid, assessments = make_round(
        engine,
        questionnaire_id=cmp.world.questionnaires["larare"],
        owner=cmp.world.org_a,
        units=[cmp.units[name] for name in TEACHERS],
        title="Lärarenkät 2026",
    )
    with Session(engine) as session:
        q = questionnaire_for(session, questionnaire_id=cmp.world.questionnaires["larare"])
        for name, values in TEACHERS.items():
            for value in values:
                person = Respondent(
                    assessment_id=assessments[cmp.units[name]],
                    token_hash=token_digest(new_token()),
                    state="submitted",
                )
                session.add(person)
                session.flush()
                session.add_all(
                    Answer(respondent_id=person.id, item_id=item.id, kind="level", value=value)
                    for item in q.items
                )
        session.commit()
    end_collections(engine, rid)  # the collections end: batches of at least k are released
    cmp.teacher_round = rid
    return cmp

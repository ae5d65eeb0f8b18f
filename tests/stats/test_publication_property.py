"""A national release never discloses a small group (issues 8 and 13), on random worlds.

Hypothesis draws a unit tree (regions, organisers of every type, schools with school forms), a
questionnaire kind (unit-level or individual), which units answer and how, and k. Each example
runs the real release code (``create_release``: database → batches → statistics engine → linked
protection → stored publication) on a fresh SQLite file, then checks every published table of
every scope against what the test generated itself:

- every group with units has a row, with the true number of units; no cell built from fewer
  than k units (individual questionnaires: units with fewer than k respondents are never
  released at all) carries a number;
- the linked-table attack of ``tests/analyst.py``: from all published tables of the scope
  together (every one-way and two-way breakdown), no hidden cell and no combination of fewer
  than k units can be derived;
- the small-cell rule: a published cell below the second threshold has no order statistic or
  dispersion.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, update
from sqlmodel import Session, select

from survey.db import make_engine
from survey.models import Answer, Assessment, Respondent
from survey.questionnaire import Questionnaire, questionnaire_from_text
from survey.services.national.aggregates import DIMENSIONS, STAT_FIELDS
from survey.services.national.publishing import create_release
from survey.services.national.releases import load_release
from survey.services.questionnaires import store_version
from survey.services.rounds.results import main_school_form
from survey.services.rounds.store import create_round
from survey.services.units import add_unit
from survey.stats.publication import DETAIL_FIELDS
from tests.analyst import Analyst
from tests.stats.qfactory import questionnaire_yaml

COUNTIES = ("01", "03", "12", "14", "25")
TYPES = ("municipal", "independent", "state")
FORMS = (
    ["grundskola"],
    ["forskoleklass", "grundskola", "fritidshem"],
    ["gymnasieskola"],
    ["anpassad_grundskola"],
    ["grundskola", "anpassad_grundskola"],
)
# (id, area, sub-goal, weight): three sub-goals, two areas, unequal weights.
ITEMS = [
    ("P.01", "ledning", "FO1.2", 1.0), ("P.02", "ledning", "FO1.2", 2.0),
    ("P.03", "kompetens", "FO1.3", 1.0), ("P.04", "kompetens", "FO1.3", 1.0),
    ("P.05", "ledning", "FO2.1", 1.0), ("P.06", "kompetens", "FO2.1", 2.0),
]  # fmt: skip
AT = datetime(2026, 10, 1, 12, tzinfo=UTC)


def _questionnaire(individual: bool) -> Questionnaire:
    text = questionnaire_yaml(
        key="nattest", respondent="individual" if individual else "unit", n_levels=4,
        items=ITEMS,
    )  # fmt: skip
    return questionnaire_from_text(text, label="nattest")


QUESTIONNAIRES = {flag: _questionnaire(flag) for flag in (False, True)}


@dataclass
class School:
    organiser: int  # index into World.organisers
    forms: list[str]
    state: str  # unit-level: submitted | draft | none; individual: ignored
    respondents: int  # individual: submitted respondents (plus one open link)


@dataclass
class World:
    regions: list[str]
    organisers: list[tuple[int, str]]  # (region index, organiser type)
    schools: list[School]
    individual: bool
    k: int
    seed: int
    # Filled in by the test: per school, the scopes with a score ((type, id) pairs).
    scored: dict[int, set[tuple[str, str]]] = field(default_factory=dict)


@st.composite
def worlds(draw: st.DrawFn) -> World:
    regions = draw(st.lists(st.sampled_from(COUNTIES), min_size=1, max_size=4, unique=True))
    organisers = draw(
        st.lists(
            st.tuples(st.integers(0, len(regions) - 1), st.sampled_from(TYPES)),
            min_size=1,
            max_size=7,
        )
    )
    individual = draw(st.booleans())
    school = st.builds(
        School,
        organiser=st.integers(0, len(organisers) - 1),
        forms=st.sampled_from(FORMS),
        state=st.sampled_from(["submitted"] * 5 + ["draft", "none"]),
        respondents=st.integers(0, 7),
    )
    schools = draw(st.lists(school, min_size=0, max_size=26))
    return World(
        regions, organisers, schools, individual, draw(st.sampled_from([3, 5])),
        draw(st.integers(0, 2**32 - 1)),
    )  # fmt: skip


def _scopes_with_score(q: Questionnaire, answered: dict[str, int]) -> set[tuple[str, str]]:
    """The test's own coverage rule: a scope has a score when the answered weight is at least
    ``min_coverage`` of the scope's weight."""
    found = set()
    for scope_type, key in (("subgoal", "subgoal"), ("area", "area"), ("total", None)):
        ids = {getattr(item, key) if key else "total" for item in q.items}
        for scope_id in ids:
            items = [i for i in q.items if key is None or getattr(i, key) == scope_id]
            total = sum(i.weight for i in items)
            done = sum(i.weight for i in items if i.id in answered)
            if done and done / total >= q.scoring.min_coverage:
                found.add((scope_type, scope_id))
    return found


def publish(world: World, template: Path, directory: Path) -> tuple[list[dict[str, Any]], dict]:  # type: ignore[type-arg]
    """Build the world in a fresh database and return the publication's rows, and per school
    unit id its attributes, scored scopes and submitted respondents."""
    path = directory / "world.db"
    shutil.copy(template, path)
    engine = make_engine(f"sqlite:///{path}")
    q = QUESTIONNAIRES[world.individual]
    rng = random.Random(world.seed)
    truth: dict[int, dict[str, Any]] = {}
    try:
        with Session(engine, expire_on_commit=False) as session:
            nation = add_unit(session, kind="nation", name="Sverige")
            regions = [
                add_unit(session, kind="region", name=f"Län {c}", parent=nation, county_code=c)
                for c in world.regions
            ]
            organisers = [
                add_unit(session, kind="organiser", name=f"Huvudman {i}", parent=regions[r],
                         organiser_type=t)
                for i, (r, t) in enumerate(world.organisers)
            ]  # fmt: skip
            units = [
                add_unit(session, kind="school", name=f"Skola {i}",
                         parent=organisers[s.organiser], school_forms=s.forms)
                for i, s in enumerate(world.schools)
            ]  # fmt: skip
            stored = store_version(session, questionnaire=q)
            rnd = create_round(
                session, questionnaire=stored, owner=nation, kind="national", title="Prov",
                opens=date(2026, 9, 1), closes=date(2026, 12, 1), units=units,
            )  # fmt: skip
            session.flush()
            assessments = {a.unit_id: a for a in rnd_assessments(session, rnd.id)}
            answers: list[dict[str, Any]] = []
            for school, unit in zip(world.schools, units, strict=True):
                organiser_region, organiser_type = world.organisers[school.organiser]
                attributes = {
                    "region": world.regions[organiser_region],
                    "organiser_type": organiser_type,
                    "school_form": main_school_form(sorted(school.forms)),
                    "organiser": str(organisers[school.organiser].id),
                }
                assessment = assessments[unit.id]
                if world.individual:
                    sets = _individual(session, assessment.id, school.respondents, rng, answers)  # type: ignore[arg-type]
                    # released when the round closes only with at least k respondents
                    released = sets >= world.k
                    scored = _scopes_with_score(q, {i[0]: 1 for i in ITEMS}) if released else set()
                    truth[unit.id] = {**attributes, "scored": scored, "respondents": sets}  # type: ignore[index]
                    continue
                respondent = session.exec(
                    select(Respondent).where(Respondent.assessment_id == assessment.id)
                ).one()
                chosen = {
                    item_id: choice
                    for item_id, *_ in ITEMS
                    if (choice := rng.choice([1, 2, 3, 4, 1, 2, 3, 4, "na", None])) is not None
                }
                if school.state != "none":
                    answers += [
                        {"respondent_id": respondent.id, "item_id": item_id,
                         "kind": "level" if isinstance(c, int) else "na",
                         "value": c if isinstance(c, int) else None, "updated_at": AT}
                        for item_id, c in chosen.items()
                    ]  # fmt: skip
                submitted = school.state == "submitted"
                if submitted:
                    session.execute(
                        update(Assessment)
                        .where(Assessment.id == assessment.id)  # type: ignore[arg-type]
                        .values(state="submitted", submitted_at=AT, updated_at=AT)
                    )
                    session.execute(
                        update(Respondent)
                        .where(Respondent.id == respondent.id)  # type: ignore[arg-type]
                        .values(state="submitted", submitted_at=AT)
                    )
                levels = {i: c for i, c in chosen.items() if isinstance(c, int)}
                scored = _scopes_with_score(q, levels) if submitted and chosen else set()
                truth[unit.id] = {**attributes, "scored": scored, "respondents": 0}  # type: ignore[index]
            if answers:
                session.execute(insert(Answer), answers)
            rnd.state = "closed"  # national staff close the round and publish its release
            session.add(rnd)
            session.commit()
            if not any(t["scored"] for t in truth.values()):
                return [], truth
            create_release(session, round_=rnd, q=q, k=world.k, k_detail=K_DETAIL, actor_id=None)
            session.commit()
            return load_release(session, round_=rnd).publication.rows, truth
    finally:
        engine.dispose()


def rnd_assessments(session: Session, round_id: int) -> list[Assessment]:
    return list(session.exec(select(Assessment).where(Assessment.round_id == round_id)))


def _individual(
    session: Session, assessment_id: int, submitted: int, rng: random.Random, answers: list
) -> int:  # type: ignore[type-arg]
    """``submitted`` respondents who answered every item, and one open link half answered."""
    for n in range(submitted + 1):
        done = n < submitted
        respondent = Respondent(
            assessment_id=assessment_id, token_hash=f"{assessment_id:08d}{n:056d}",
            state="submitted" if done else "open", submitted_at=AT if done else None,
        )  # fmt: skip
        session.add(respondent)
        session.flush()
        items = ITEMS if done else ITEMS[:3]
        answers += [
            {"respondent_id": respondent.id, "item_id": item_id, "kind": "level",
             "value": rng.randint(1, 4), "updated_at": AT}
            for item_id, *_ in items
        ]  # fmt: skip
    return submitted


K_DETAIL = 7


def check(rows: list[dict[str, Any]], truth: dict[int, dict[str, Any]], k: int) -> None:
    """Every published table of every scope, against the test's own knowledge of the units."""
    families: list[tuple[str, ...]] = [(), *((d,) for d in DIMENSIONS),
                                       *combinations(DIMENSIONS, 2)]  # fmt: skip
    audited: set[tuple[frozenset[int], ...]] = set()
    for scope in {(r["scope_type"], r["scope_id"]) for r in rows}:
        scored = {uid: t for uid, t in truth.items() if scope in t["scored"]}
        table = {
            (r["by"], tuple(sorted(r["group"].items()))): r
            for r in rows
            if (r["scope_type"], r["scope_id"]) == scope
        }
        published: list[frozenset[int]] = []
        hidden: list[frozenset[int]] = []
        for by in families:
            groups: dict[tuple[tuple[str, str], ...], set[int]] = {}
            for uid, t in scored.items():
                groups.setdefault(tuple(sorted((d, t[d]) for d in by)), set()).add(uid)
            for group, members in groups.items():
                r = table.get((",".join(by), group))
                assert r is not None, f"{scope} {by} {group}: a group with units has no row"
                if r["suppressed"]:
                    assert all(r[f] is None for f in STAT_FIELDS), r
                    assert r["response_rate"] is None, r
                    hidden.append(frozenset(members))
                    continue
                assert len(members) >= k, f"{scope} {by} {group}: {len(members)} units, k={k}"
                assert r["n_units"] == len(members), (r, len(members))
                if len(members) < K_DETAIL:
                    assert all(r[f] is None for f in DETAIL_FIELDS if f in r), r
                published.append(frozenset(members))
        for (name, group), r in table.items():  # any other row holds no unit with a score
            by = tuple(name.split(",")) if name else ()
            assert r["n_units"] in (0, None) or any(
                tuple(sorted((d, t[d]) for d in by)) == group for t in scored.values()
            ), (name, group, r)
        key = (frozenset(published), frozenset(hidden))
        if key in audited:  # the same sets of units as a scope already attacked
            continue
        audited.add(key)  # type: ignore[arg-type]
        analyst = Analyst(published, sorted(scored))
        found = analyst.small_disclosure(k=k)
        assert found is None, f"{scope}: units {found} (fewer than {k}) can be derived"
        for cell in hidden:
            assert not analyst.determined(dict.fromkeys(cell, 1)), f"{scope}: hidden {sorted(cell)}"


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(world=worlds())
def test_no_published_table_discloses_a_small_group(world: World, sqlite_template: Path) -> None:
    with tempfile.TemporaryDirectory() as directory:
        rows, truth = publish(world, sqlite_template, Path(directory))
    check(rows, truth, world.k)

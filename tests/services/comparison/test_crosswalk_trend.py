"""Trends across questionnaire versions: both rounds recomputed on the items the crosswalk calls
comparable, on the organiser's trend page and in a unit's summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select

from survey.config import get_settings
from survey.models import Round, User
from survey.questionnaire import Item, load_directory, load_questionnaire
from survey.services.access import load_actor, load_assessment
from survey.services.assessments.summary import build_summary
from survey.services.comparison.trend import trend
from survey.services.questionnaires import questionnaire_for, store_version
from survey.services.rounds.access import get_round_units_view
from tests.crosswalk_versions import (
    KEY,
    NEW,
    OLD,
    OLD_ITEMS,
    questionnaire_text,
    write_versions,
)
from tests.factories import (
    World,
    answer_all,
    build_world,
    login,
    make_round,
    submit_and_share,
)

# Answers on the three-level scale. Kvarnbackaskolan (school_a) changes; Lindskolan (school_a2)
# answers 2 everywhere in both rounds.
BEFORE = {"L.01": 1, "L.02": 2, "L.03": 1, "I.04": 3, "A.01": 3, "A.02": 3,
          "K.05": 2, "K.07": 3, "K.08": 1}  # fmt: skip
AFTER = {"L.01": 3, "L.02": 3, "L.03": 1, "I.04a": 1, "I.04b": 1, "A.01": 1,
         "K.05": 3, "K.08": 3, "K.09": 3}  # fmt: skip

# Hand computation. score = Σ w·v / Σ w over the scope's comparable items; index = 100 (score − 1)
# / (L − 1) = 50 (score − 1) with L = 3. Comparable: L.01 (w 2), L.02 (w 1), K.05 (w 1); not
# L.03 (changed), I.04 (split), A.01/A.02 (merged), K.08 (reworded but FO1.3 → FO3.1), K.07/K.09.
#   ledning (= FO1.2): before (2·1 + 1·2)/3 = 4/3 → index 50/3 ≈ 16.67
#                       after (2·3 + 1·3)/3 = 3   → index 100;      change 100 − 50/3 = 83.33
#   kompetens, FO1.3:   K.05 alone: before 2 → 50, after 3 → 100;  change 50
#   total:              before (2·1 + 2 + 2)/4 = 1.5 → 25, after (6 + 3 + 3)/4 = 3 → 100;
#                       change 75
# Without the crosswalk (every item by id, the wrong way) ledning would be
#   before (2 + 2 + 1)/4 = 1.25 → 12.5, after (6 + 3 + 1)/4 = 2.5 → 75: change 62.5.
# The summary shows this round's own figures on all its items: ledning 75 (see above); the
# change is measured on the comparable items: 83.33.
# Lindskolan: 2 everywhere → index 50 in both rounds, change 0.
EXPECTED_CHANGE = {"ledning": 100 - 50 / 3, "kompetens": 50.0, "FO1.2": 100 - 50 / 3,
                   "FO1.3": 50.0, "total": 75.0}  # fmt: skip


@dataclass
class Versions:
    world: World
    old_round: int
    new_round: int
    new_assessments: dict[int, int]
    folder: Path


@pytest.fixture
def versions(engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    folder = write_versions(tmp_path / "q")
    monkeypatch.setenv("SURVEY_QUESTIONNAIRE_DIR", str(folder))
    get_settings.cache_clear()
    world = build_world(engine)
    loaded, problems = load_directory(folder)
    assert problems == []
    with Session(engine) as session:
        ids = {q.version: store_version(session, questionnaire=q).id for q in loaded}
        session.commit()
    schools = [world.school_a, world.school_a2]
    rounds = {}
    for version, opens, answers in (
        (OLD, date(2026, 1, 1), BEFORE),
        (NEW, date(2027, 1, 1), AFTER),
    ):
        rid, assessments = make_round(
            engine, questionnaire_id=ids[version], owner=world.org_a, units=schools,
            title=f"Skolor {version}",
        )  # fmt: skip
        with Session(engine) as session:
            rnd = session.get(Round, rid)
            assert rnd is not None
            rnd.opens, rnd.closes = opens, date(opens.year, 6, 30)
            session.commit()

        def value(item: Item, answers: dict[str, int] = answers) -> int:
            return answers[item.id]

        answer_all(engine, assessments[world.school_a], value)
        answer_all(engine, assessments[world.school_a2], 2)
        submit_and_share(engine, list(assessments.values()))
        rounds[version] = (rid, assessments)
    yield Versions(world, rounds[OLD][0], rounds[NEW][0], rounds[NEW][1], folder)
    get_settings.cache_clear()


def _trend(engine, round_id: int, view: str = "area"):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == "strategist-a@example.org")).one()
        actor = load_actor(session, user=user)
        scope = get_round_units_view(session, actor=actor, round_id=round_id)
        q = questionnaire_for(session, questionnaire_id=scope.round.questionnaire_id)
        assert (q.key, q.version) == (KEY, NEW)
        return trend(session, scope=scope, q=q, actor=actor, k=5, k_detail=5, view=view)


def test_trend_across_versions_uses_only_comparable_items(engine, versions: Versions) -> None:  # type: ignore[no-untyped-def]
    t = _trend(engine, versions.new_round, "area")
    assert t.results.previous is not None and t.results.previous.id == versions.old_round
    assert t.previous_version == OLD and not t.no_crosswalk
    # per scope: comparable items of the new version, its items in the scope
    assert t.comparable["total"] == (3, 9)
    assert t.comparable["ledning"] == (2, 3)
    assert t.comparable["kompetens"] == (1, 3)
    assert t.comparable["infrastruktur"] == (0, 2)
    # scopes without a comparable item have no trend
    assert [c.key for c in t.columns] == ["ledning", "kompetens", "total"]
    rows = {r.unit.name: r.changes for r in t.rows}
    assert rows["Kvarnbackaskolan"]["ledning"] == pytest.approx(EXPECTED_CHANGE["ledning"])
    assert rows["Kvarnbackaskolan"]["kompetens"] == pytest.approx(50.0)
    assert rows["Kvarnbackaskolan"]["total"] == pytest.approx(75.0)
    assert rows["Lindskolan"] == {"ledning": 0.0, "kompetens": 0.0, "total": 0.0}
    [group] = t.groups
    total = next(c for c in group.counts if c.column.key == "total")
    assert (total.n_pairs, total.improved, total.unchanged, total.declined) == (2, 1, 1, 0)
    subgoals = _trend(engine, versions.new_round, "subgoal")
    changes = subgoals.rows[0].changes
    assert subgoals.rows[0].unit.name == "Kvarnbackaskolan"
    assert changes["FO1.2"] == pytest.approx(EXPECTED_CHANGE["FO1.2"])
    assert changes["FO1.3"] == pytest.approx(50.0)
    assert "FO3.1" not in changes and "FO2.1" not in changes


def test_summary_change_across_versions(engine, versions: Versions) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        ctx = load_assessment(
            session, assessment_id=versions.new_assessments[versions.world.school_a]
        )
        q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
        summary = build_summary(session, ctx=ctx, q=q, min_group_size=5)
    assert summary.previous_round is not None and summary.previous_round.id == versions.old_round
    assert summary.previous_version == OLD and not summary.no_crosswalk
    # the old round still reads its own version's items and texts
    with Session(engine) as session:
        old_round = session.get(Round, versions.old_round)
        assert old_round is not None
        old_q = questionnaire_for(session, questionnaire_id=old_round.questionnaire_id)
    assert old_q.version == OLD and "I.04" in old_q.item_by_id
    assert old_q.item_by_id["L.02"].text.sv == "Påstående L.02 (2026.1)"
    areas = {r.scope_id: r for r in summary.areas}
    ledning = areas["ledning"]
    assert ledning.row["index"] == pytest.approx(75.0)  # this round, all its items
    assert ledning.basis is not None and ledning.basis["index"] == pytest.approx(100.0)
    assert ledning.previous is not None and ledning.previous["index"] == pytest.approx(50 / 3)
    assert ledning.change == pytest.approx(EXPECTED_CHANGE["ledning"])
    assert ledning.comparable == (2, 3)
    assert areas["kompetens"].change == pytest.approx(50.0)
    assert areas["infrastruktur"].change is None and areas["infrastruktur"].comparable == (0, 2)
    assert summary.total is not None and summary.total.change == pytest.approx(75.0)
    assert summary.total.comparable == (3, 9)
    subgoals = {r.scope_id: r for r in summary.subgoals}
    assert subgoals["FO1.3"].change == pytest.approx(50.0)
    assert subgoals["FO3.1"].change is None


def test_no_crosswalk_no_trend(engine, versions: Versions) -> None:  # type: ignore[no-untyped-def]
    (versions.folder / "crosswalks" / f"{KEY}-{OLD}-to-{NEW}.yaml").unlink()
    t = _trend(engine, versions.new_round)
    assert t.no_crosswalk and t.previous_version == OLD
    assert t.groups == [] and t.rows == [] and t.comparable == {}
    with Session(engine) as session:
        ctx = load_assessment(
            session, assessment_id=versions.new_assessments[versions.world.school_a]
        )
        q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
        summary = build_summary(session, ctx=ctx, q=q, min_group_size=5)
    assert summary.no_crosswalk
    assert summary.total is not None and summary.total.change is None
    assert summary.total.row["index"] is not None  # this round's own figures remain


def test_pages_say_how_many_items_are_comparable(versions: Versions, client) -> None:  # type: ignore[no-untyped-def]
    login(client, "strategist-a@example.org")
    page = client.get(f"/rounds/{versions.new_round}/trend?view=area")
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert "Trenden är baserad på 3 av 9 påståenden som är jämförbara med 2026.1" in text
    assert "2 av 3" in text  # ledning's comparable items, in the counts table
    login(client, "principal-a@example.org")
    aid = versions.new_assessments[versions.world.school_a]
    summary = " ".join(client.get(f"/assessments/{aid}/summary").text.split())
    assert "är baserad på 3 av 9 påståenden som är jämförbara med 2026.1" in summary
    assert "+83" in summary and "2 av 3 jämförbara" in summary
    english = " ".join(client.get(f"/assessments/{aid}/summary?lang=en").text.split())
    assert "is based on 3 of 9 items that are comparable with 2026.1" in english
    assert "2 of 3 comparable" in english
    client.get("/?lang=sv")
    api = client.get(f"/api/v1/assessments/{aid}/summary").json()
    assert api["previous_version"] == OLD
    total = next(r for r in api["results"] if r["scope_type"] == "total")
    assert total["change"] == pytest.approx(75.0) and total["comparable_items"] == [3, 9]
    (versions.folder / "crosswalks" / f"{KEY}-{OLD}-to-{NEW}.yaml").unlink()
    login(client, "strategist-a@example.org")
    page = client.get(f"/rounds/{versions.new_round}/trend")
    assert "Det finns ingen korsreferens mellan versionerna" in " ".join(page.text.split())


def test_national_trends_do_not_mix_versions(engine, versions: Versions) -> None:  # type: ignore[no-untyped-def]
    """Two national rounds, one per version, each released: the later one's trends neither show
    the earlier one side by side nor pair with it (national trends across versions on the
    comparable items are not done). The later version here, 2026.2, has the same items and so
    the same scopes as 2026.1: only the version tells the releases apart."""
    later_version = "2026.2"
    path = versions.folder / f"{KEY}-{later_version}.yaml"
    path.write_text(questionnaire_text(later_version, OLD_ITEMS), "utf-8")
    with Session(engine) as session:
        store_version(session, questionnaire=load_questionnaire(path))
        session.commit()
    from survey.models import Assessment, QuestionnaireVersion, Unit
    from survey.questionnaire import load_framework
    from survey.services.national.trends import national_trends
    from survey.services.rounds.store import create_round
    from survey.services.units import add_unit
    from tests.factories import bulk_answer, publish_release

    with Session(engine, expire_on_commit=False) as session:
        nation = session.get(Unit, versions.world.nation)
        org = session.get(Unit, versions.world.org_a)
        schools = [
            add_unit(
                session, kind="school", name=f"Skola {i}", parent=org, school_forms=["grundskola"]
            )  # fmt: skip
            for i in range(6)
        ]
        rounds, levels = [], {}
        for version, year in ((OLD, 2026), (later_version, 2027)):
            stored = session.exec(
                select(QuestionnaireVersion).where(
                    QuestionnaireVersion.key == KEY, QuestionnaireVersion.version == version
                )
            ).one()
            rnd = create_round(
                session, questionnaire=stored, owner=nation, kind="national",  # type: ignore[arg-type]
                title=f"Nationell {year}", opens=date(year, 9, 1), closes=date(year, 12, 1),
                units=schools,
            )  # fmt: skip
            rounds.append(rnd)
            for a in session.exec(select(Assessment).where(Assessment.round_id == rnd.id)):
                levels[a.id] = 2
        session.commit()
    bulk_answer(engine, levels)  # type: ignore[arg-type]
    submit_and_share(engine, list(levels))  # type: ignore[arg-type]
    for rnd in rounds:
        publish_release(engine, rnd.id, k=5, k_detail=5)  # type: ignore[arg-type]
    with Session(engine, expire_on_commit=False) as session:
        later = session.get(Round, rounds[1].id)
        framework = load_framework(versions.folder / "framework.yaml")
        t = national_trends(session, round_=later, framework=framework, by=())  # type: ignore[arg-type]
    assert [r.id for r in t.rounds] == [rounds[1].id]
    assert [r.id for r in t.other_versions] == [rounds[0].id]
    assert t.paired is None

"""Trends over two national rounds of the same questionnaire on a hand-built world whose changes are
known, from their releases: paired counts per breakdown, Wilcoxon against scipy, fewer than k pairs
(or a cell that could be recovered from the others) shown as suppressed, and the cross-sectional
publications side by side."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from scipy import stats
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from survey.config import get_settings
from survey.models import Assessment, QuestionnaireVersion, Round, Unit
from survey.questionnaire import load_framework
from survey.services.access import load_assessment
from survey.services.assessments.answers import submit
from survey.services.national.trends import national_trends, same_key_rounds
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.store import create_round, unit_respondent
from survey.services.units import add_unit
from tests.factories import World, build_world, bulk_answer, publish_release

K = 5
# (region, organiser type, [(level in round 1 or None, level in round 2 or None) per school]).
# Every school answers every item with one level, so its score in a round is that level.
CHANGES = [
    ("03", "municipal", [(1, 2), (1, 3), (2, 2), (2, 4), (3, 2), (1, 4), (2, 3)]),
    ("03", "independent", [(2, 3), (3, 3)]),
    ("12", "municipal", [(3, 2), (4, 3), (2, 2), (2, 3), (4, 2), (3, 2)]),
    ("12", "independent", [(1, 2), (2, 3), (3, 4), (2, 2), (3, None), (None, 2)]),
]


def diffs(*, region: str | None = None, org_type: str | None = None) -> list[int]:
    """Round 2 − round 1 of the schools answering both, in one group."""
    return [
        b - a
        for reg, typ, schools in CHANGES
        if region in (None, reg) and org_type in (None, typ)
        for a, b in schools
        if a is not None and b is not None
    ]


@dataclass
class TwoRounds:
    world: World
    first: int
    second: int


def two_round_world(engine: Engine) -> TwoRounds:
    world = build_world(engine)
    levels: list[dict[int, int]] = [{}, {}]
    with Session(engine, expire_on_commit=False) as session:
        nation = session.get(Unit, world.nation)
        schools: list[tuple[Unit, tuple[int | None, int | None]]] = []
        for code, org_type, changes in CHANGES:
            region = add_unit(session, kind="region", name=f"Län {code} {org_type}", parent=nation,
                              county_code=code)  # fmt: skip
            org = add_unit(session, kind="organiser", name=f"Huvudman {code} {org_type}",
                           parent=region, organiser_type=org_type)  # fmt: skip
            for i, change in enumerate(changes):
                unit = add_unit(session, kind="school", name=f"Skola {code}{org_type}{i}",
                                parent=org, school_forms=["grundskola"])  # fmt: skip
                schools.append((unit, change))
        skola = session.get(QuestionnaireVersion, world.questionnaires["skola"])
        rounds = []
        for year, index in ((2025, 0), (2026, 1)):
            rnd = create_round(
                session, questionnaire=skola, owner=nation, kind="national",  # type: ignore[arg-type]
                title=f"Nationell uppföljning {year}", opens=date(year, 9, 1),
                closes=date(year, 12, 1), units=[u for u, _ in schools],
            )  # fmt: skip
            rounds.append(rnd.id)
            ids = {
                a.unit_id: a.id
                for a in session.exec(select(Assessment).where(Assessment.round_id == rnd.id))
            }
            for unit, change in schools:
                if change[index] is not None:
                    levels[index][ids[unit.id]] = change[index]  # type: ignore[assignment]
        session.commit()
    for per_round in levels:
        bulk_answer(engine, per_round)
    with Session(engine, expire_on_commit=False) as session:
        for assessment_id in [a for per_round in levels for a in per_round]:
            ctx = load_assessment(session, assessment_id=assessment_id)
            q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
            submit(session, ctx=ctx, q=q, actor=None,
                   respondent=unit_respondent(session, assessment=ctx.assessment))  # fmt: skip
        session.commit()
    # National staff publish the first round's release, then the second's (it pairs with it).
    for round_id in rounds:
        publish_release(engine, round_id, k=K, k_detail=K)
    return TwoRounds(world, rounds[0], rounds[1])


def framework():  # type: ignore[no-untyped-def]
    return load_framework(get_settings().questionnaire_dir / "framework.yaml")


def total_rows(paired, by: tuple[str, ...]):  # type: ignore[no-untyped-def]
    return {tuple(r["group"].values()): r for r in paired.select("total")}


def expected(d: list[int]) -> dict[str, object]:
    return {
        "n_pairs": len(d),
        "improved": sum(x > 0 for x in d),
        "unchanged": sum(x == 0 for x in d),
        "declined": sum(x < 0 for x in d),
    }


def paired(engine: Engine, w: TwoRounds, by: tuple[str, ...]):  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as session:
        second = session.get(Round, w.second)
        t = national_trends(session, round_=second, framework=framework(), by=by)  # type: ignore[arg-type]
        return t.paired


def test_paired_counts_and_wilcoxon_per_region_match_the_known_changes(engine) -> None:  # type: ignore[no-untyped-def]
    w = two_round_world(engine)
    nation = paired(engine, w, ())
    (row,) = nation.select("total")
    d = diffs()
    assert {k: row[k] for k in ("n_pairs", "improved", "unchanged", "declined")} == expected(d)
    # scipy.stats.wilcoxon(d): zero differences dropped, two-sided, the defaults.
    reference = stats.wilcoxon(d)
    assert row["wilcoxon_statistic"] == pytest.approx(reference.statistic)
    assert row["wilcoxon_p"] == pytest.approx(reference.pvalue, rel=1e-9)
    assert row["suppressed"] is False

    by_region = total_rows(paired(engine, w, ("region",)), ("region",))
    for code in ("03", "12"):
        d = diffs(region=code)
        cell = by_region[(code,)]
        assert {k: cell[k] for k in expected(d)} == expected(d), code
        assert cell["wilcoxon_p"] == pytest.approx(stats.wilcoxon(d).pvalue, rel=1e-9)
    assert by_region[("03",)]["n_pairs"] == 9 and by_region[("12",)]["n_pairs"] == 10

    by_type = total_rows(paired(engine, w, ("organiser_type",)), ("organiser_type",))
    # Independent schools: 2 + 4 pairs (one school answered only the first round, one only the
    # second), so 6 ≥ k and shown.
    assert by_type[("independent",)]["n_pairs"] == 6
    assert by_type[("municipal",)]["n_pairs"] == 13
    assert by_type[("independent",)]["declined"] == 0


def test_cells_below_k_pairs_and_recoverable_cells_are_suppressed(engine) -> None:  # type: ignore[no-untyped-def]
    w = two_round_world(engine)
    two_way = total_rows(paired(engine, w, ("region", "organiser_type")), ())
    # 03/independent has 2 pairs and 12/independent 4: below k. Each region's row then has one
    # hidden cell, recoverable from the published region margin, so the municipal cells go too.
    assert set(two_way) == {("03", "municipal"), ("03", "independent"), ("12", "municipal"),
                            ("12", "independent")}  # fmt: skip
    for cell in two_way.values():
        assert cell["suppressed"] is True
        assert all(cell[k] is None for k in ("n_pairs", "improved", "declined", "wilcoxon_p"))
    # One organiser per (region, type) here: the 7 pairs of organiser 03/municipal are also the
    # cell 03 × that organiser, whose publication would give away 03/independent (2 pairs) as
    # region 03 − it. So every organiser is hidden, while the regions stay published.
    organisers = paired(engine, w, ("organiser",)).select("total")
    assert len(organisers) == 4 and all(r["suppressed"] for r in organisers)
    regions = paired(engine, w, ("region",)).select("total")
    assert [r["suppressed"] for r in regions] == [False, False]


def test_cross_sectional_publications_side_by_side(engine) -> None:  # type: ignore[no-untyped-def]
    w = two_round_world(engine)
    with Session(engine, expire_on_commit=False) as session:
        second = session.get(Round, w.second)
        assert [r.id for r in same_key_rounds(session, round_=second)] == [w.first, w.second]  # type: ignore[arg-type]
        t = national_trends(session, round_=second, framework=framework(), by=("region",))  # type: ignore[arg-type]
        assert [r.id for r in t.rounds] == [w.first, w.second]
        assert t.paired is not None and t.paired.earlier.id == w.first
        side = t.side_by_side("total")[("total", "total")]
        first_03, second_03 = side[("03",)]
        # Region 03: 9 schools in both rounds (every level known): the medians of the levels.
        levels = [c for _, _, s in CHANGES[:2] for c in s]
        assert first_03["n_units"] == 9 and second_03["n_units"] == 9  # type: ignore[index]
        assert first_03["median"] == sorted(a for a, _ in levels)[4]  # type: ignore[index]
        assert second_03["median"] == sorted(b for _, b in levels)[4]  # type: ignore[index]
        # A group hidden in this round's publication is hidden in the paired view too.
        for by in (("organiser",), ("region", "organiser_type")):
            t = national_trends(session, round_=second, framework=framework(), by=by)  # type: ignore[arg-type]
            hidden = {
                (r["scope_id"], tuple(r["group"].values()))
                for r in t.publications[-1].select(by=by)
                if r["suppressed"]
            }
            assert hidden
            for row in t.paired.rows:  # type: ignore[union-attr]
                if (row["scope_id"], tuple(row["group"].values())) in hidden:
                    assert row["suppressed"] and row["n_pairs"] is None
        # The first round has nothing earlier: no paired trend.
        first = session.get(Round, w.first)
        early = national_trends(session, round_=first, framework=framework(), by=())  # type: ignore[arg-type]
        assert early.paired is None and len(early.publications) == 2

"""Benchmarks in national rounds: the groups are the publication's cells (suppressed alike), the
organiser's own figures are its units', and the rank test is scipy's Mann-Whitney U.

Reference for the test: ``scipy.stats.mannwhitneyu(x, y)`` (two-sided, continuity-corrected,
method "auto"), https://docs.scipy.org/doc/scipy/reference/generated/scipy.stats.mannwhitneyu.html;
Cliff's δ = (2·U₁ − n₁n₂) / (n₁n₂), with U₁ the statistic scipy returns for ``x``.
"""

from __future__ import annotations

import statistics
from datetime import date
from typing import Any

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from scipy.stats import mannwhitneyu
from sqlalchemy import update
from sqlmodel import Session, col, select

from survey.models import Answer, Assessment, QuestionnaireVersion, Respondent, Unit, User
from survey.services.access import load_assessment
from survey.services.accounts.users import grant_role
from survey.services.assessments.answers import submit
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.store import create_round, unit_respondent
from survey.web.comparison.present import fmt, fmt_p
from tests.factories import _password_hash, bulk_answer, login, publish_release
from tests.web.national.test_national_api import K, national_world

ORG_03M, ORG_03I, ORG_12I = (
    "Huvudman 03 municipal",
    "Huvudman 03 independent",
    "Huvudman 12 independent",
)
# Users added to the national world: (email, role, unit name).
GRANTS = [
    ("strategist-03m@example.org", "strategist", ORG_03M),
    ("strategist-12i@example.org", "strategist", ORG_12I),
    ("principal-03m@example.org", "principal", "Skola 03municipal0"),
    ("principal-03i@example.org", "principal", "Skola 03independent0"),
]


def benchmark_world(engine) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The national world of test_national_api plus strategists and principals on its units."""
    world, round_id, schools = national_world(engine)
    with Session(engine, expire_on_commit=False) as session:
        units = {u.name: u for u in session.exec(select(Unit))}
        for email, role, unit_name in GRANTS:
            user = User(email=email, name=email.split("@")[0], password_hash=_password_hash())
            session.add(user)
            session.flush()
            grant_role(session, user=user, unit=units[unit_name], role=role)
        session.commit()
        assessments = {
            a.unit_id: a.id
            for a in session.exec(select(Assessment).where(Assessment.round_id == round_id))
        }
    return {
        "world": world,
        "round_id": round_id,
        "units": units,
        "assessment": {name: assessments[u.id] for name, u in units.items() if u.id in assessments},
        # unit id → its score (every school answered every item with one level)
        "scores": {unit.id: level for unit, level in schools},
    }


def huvudman_round(engine, units: dict[str, Unit]) -> int:  # type: ignore[no-untyped-def]
    """A national round of the organiser-level questionnaire answered by the 4 organisers."""
    organisers = [u for u in units.values() if u.name.startswith("Huvudman ")]
    levels = {ORG_03M: 3, "Huvudman 12 municipal": 2, ORG_03I: 4, ORG_12I: 1}
    with Session(engine, expire_on_commit=False) as session:
        nation = session.exec(select(Unit).where(Unit.kind == "nation")).one()
        hv = session.exec(
            select(QuestionnaireVersion).where(QuestionnaireVersion.key == "huvudman")
        ).one()
        rnd = create_round(session, questionnaire=hv, owner=nation, kind="national",
                           title="Nationell uppföljning huvudmän", opens=date(2026, 9, 1),
                           closes=date(2026, 12, 1), units=organisers)  # fmt: skip
        session.commit()
        ids = {
            a.unit_id: a.id
            for a in session.exec(select(Assessment).where(Assessment.round_id == rnd.id))
        }
    bulk_answer(engine, {ids[u.id]: levels[u.name] for u in organisers})
    with Session(engine, expire_on_commit=False) as session:
        for u in organisers:
            ctx = load_assessment(session, assessment_id=ids[u.id])
            q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
            submit(session, ctx=ctx, q=q, respondent=unit_respondent(session, assessment=ctx.assessment),
                   actor=None)  # fmt: skip
        session.commit()
    publish_release(engine, rnd.id, k=K, k_detail=K)  # type: ignore[arg-type]
    return rnd.id  # type: ignore[return-value]


def published(client: TestClient, round_id: int, by: str) -> dict[tuple[str, str, str], dict]:  # type: ignore[type-arg]
    """The national aggregates (as national staff see them) by (value, scope_type, scope_id)."""
    other = TestClient(client.app, base_url="https://testserver")
    login(other, "national@example.org")
    rows = other.get(f"/api/v1/national/rounds/{round_id}/aggregates", params={"by": by}).json()[
        "rows"
    ]
    return {(r["group"].get(by, ""), r["scope_type"], r["scope_id"]): r for r in rows}


def assert_same_as_published(group: dict, row: dict) -> None:  # type: ignore[type-arg]
    assert group["suppressed"] == row["suppressed"]
    for field in ("n_units", "median", "q1", "q3", "n_targeted", "response_rate"):
        assert group[field] == row[field], field


def test_strategist_sees_organiser_against_region_and_nation(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    w = benchmark_world(engine)
    round_id, units, scores = w["round_id"], w["units"], w["scores"]
    login(client, "strategist-03m@example.org")
    data = client.get(f"/api/v1/benchmarks/rounds/{round_id}").json()
    assert data["view"] == "organiser" and data["subject"]["name"] == ORG_03M
    assert [g["key"] for g in data["groups"]] == ["region", "nation"]
    nation, region = published(client, round_id, ""), published(client, round_id, "region")
    org = units[ORG_03M]
    mine = [s for uid, s in scores.items() if units_by_id(units)[uid].parent_id == org.id]
    rest = [s for uid, s in scores.items() if units_by_id(units)[uid].parent_id != org.id]
    q1, _, q3 = statistics.quantiles(mine, n=4, method="inclusive")
    for line in data["lines"]:
        key = (line["scope_type"], line["scope_id"])
        region_group, nation_group = line["groups"]
        assert_same_as_published(region_group, region[("03", *key)])
        assert_same_as_published(nation_group, nation[("", *key)])
        assert not nation_group["suppressed"] and nation_group["n_units"] == len(scores)
        # The organiser's own median and quartiles, by hand.
        assert line["own"] == {"n_units": 7, "median": statistics.median(mine), "q1": q1, "q3": q3}
        test = line["test"]
        expected = mannwhitneyu(mine, rest)
        assert test["u"] == expected.statistic and abs(test["p"] - expected.pvalue) < 1e-12
        assert abs(test["cliffs_delta"] - (2 * expected.statistic / (7 * 14) - 1)) < 1e-12
        assert (test["n_mine"], test["n_rest"]) == (7, 14)
    html = client.get(f"/benchmarks/rounds/{round_id}")
    assert html.status_code == 200
    page = BeautifulSoup(html.text, "html.parser")
    assert page.select_one("svg.benchmark[role=img] title") is not None
    total = page.select_one("#bm-total-total")
    assert total.select_one("td.group-nation").get_text() == (
        f"{fmt(nation[('', 'total', 'total')]['median'], 2, 'sv')} "
        f"({fmt(nation[('', 'total', 'total')]['q1'], 2, 'sv')}–{fmt(nation[('', 'total', 'total')]['q3'], 2, 'sv')})"
    )
    sentences = [li.get_text() for li in page.select("ul.bm-sentences li")]
    t = mannwhitneyu(mine, rest)
    delta = 2 * t.statistic / (7 * 14) - 1
    assert (
        f"Era skolor skiljer sig inte säkert från övriga riket totalt sett: Cliff's δ = "
        f"{fmt(delta, 2, 'sv')}, {fmt_p(t.pvalue, 'sv')} (Holm-justerat {fmt_p(t.pvalue, 'sv')}), "
        "7 mot 14 skolor."
    ) in sentences


def units_by_id(units: dict[str, Unit]) -> dict[int, Unit]:
    return {u.id: u for u in units.values()}  # type: ignore[misc]


def test_the_test_sentence_equals_scipy(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    """Organiser 12 independent: 6 schools at level 1 against 15 at levels 2-4, a clear difference."""
    w = benchmark_world(engine)
    round_id, units, scores = w["round_id"], w["units"], w["scores"]
    by_id = units_by_id(units)
    org = units[ORG_12I]
    mine = [s for uid, s in scores.items() if by_id[uid].parent_id == org.id]
    rest = [s for uid, s in scores.items() if by_id[uid].parent_id != org.id]
    expected = mannwhitneyu(mine, rest)
    delta = 2 * expected.statistic / (len(mine) * len(rest)) - 1
    assert delta == -1.0
    login(client, "strategist-12i@example.org")
    data = client.get(f"/api/v1/benchmarks/rounds/{round_id}").json()
    subgoals = [line for line in data["lines"] if line["scope_type"] == "subgoal"]
    for line in subgoals:
        # every sub-goal has the same p, so Holm multiplies each by their number
        assert abs(line["test"]["p_adj"] - min(1.0, len(subgoals) * expected.pvalue)) < 1e-12
    line = subgoals[0]
    p_adj = min(1.0, len(subgoals) * expected.pvalue)
    sentence = (
        f"Era skolor ligger under övriga riket i {line['label']}: Cliff's δ = {fmt(delta, 2, 'sv')}, "
        f"{fmt_p(expected.pvalue, 'sv')} (Holm-justerat {fmt_p(p_adj, 'sv')}), 6 mot 15 skolor."
    )
    assert line["sentences"][0] == sentence
    page = BeautifulSoup(client.get(f"/benchmarks/rounds/{round_id}").text, "html.parser")
    assert sentence in [li.get_text() for li in page.select("ul.bm-sentences li")]
    en = client.get(f"/api/v1/benchmarks/rounds/{round_id}", params={"lang": "en"})
    assert en.status_code == 200


def test_principal_sees_school_against_organiser_region_nation(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    w = benchmark_world(engine)
    round_id, units = w["round_id"], w["units"]
    own = w["assessment"]["Skola 03municipal0"]
    login(client, "principal-03m@example.org")
    data = client.get(f"/api/v1/benchmarks/assessments/{own}").json()
    assert data["view"] == "unit" and [g["key"] for g in data["groups"]] == [
        "organiser", "region", "nation",
    ]  # fmt: skip
    by_org = published(client, round_id, "organiser")
    region, nation = published(client, round_id, "region"), published(client, round_id, "")
    for line in data["lines"]:
        key = (line["scope_type"], line["scope_id"])
        assert line["own"]["median"] == 2.0  # the school answered every item at level 2
        org_group, region_group, nation_group = line["groups"]
        assert_same_as_published(region_group, region[("03", *key)])
        assert_same_as_published(nation_group, nation[("", *key)])
        # The organiser's group is the release's organiser cell, hidden there (secondary
        # suppression: region 03 minus it would give organiser 03 independent's 2 schools), so
        # hidden here too: a principal never reads an aggregate of sibling schools that the
        # national tables hide.
        assert by_org[(str(units[ORG_03M].id), *key)]["suppressed"] is True
        assert_same_as_published(org_group, by_org[(str(units[ORG_03M].id), *key)])
        assert org_group["suppressed"] is True and org_group["median"] is None
        assert line["test"] is None
    page = BeautifulSoup(client.get(f"/assessments/{own}/benchmark").text, "html.parser")
    assert page.select_one("#bm-total-total td.own").get_text() == "2,00"
    summary = BeautifulSoup(client.get(f"/assessments/{own}/summary").text, "html.parser")
    assert summary.select_one(f"a[href='/assessments/{own}/benchmark']") is not None


def test_groups_under_k_show_a_dash(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    """Organiser 03 independent has 2 answering schools (< k): its group is "–" for its principal."""
    w = benchmark_world(engine)
    own = w["assessment"]["Skola 03independent0"]
    login(client, "principal-03i@example.org")
    data = client.get(f"/api/v1/benchmarks/assessments/{own}").json()
    for line in data["lines"]:
        org_group = line["groups"][0]
        assert org_group["key"] == "organiser" and org_group["suppressed"] is True
        assert org_group["median"] is None and org_group["n_units"] is None
    page = BeautifulSoup(client.get(f"/assessments/{own}/benchmark").text, "html.parser")
    cells = page.select("td.group-organiser")
    assert cells and {c.get_text() for c in cells} == {"–"}
    assert page.select("figure.bm-chart .bm-organiser") == []  # no box drawn for it
    assert page.select("figure.bm-chart .bm-region")  # (the region has one)


def test_organiser_level_round_against_same_type(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    """In the huvudman round the organiser is compared with organisers of its type: only 2
    municipal organisers answered, so that group is hidden and there is no test."""
    w = benchmark_world(engine)
    hv_round = huvudman_round(engine, w["units"])
    login(client, "strategist-03m@example.org")
    data = client.get(f"/api/v1/benchmarks/rounds/{hv_round}").json()
    assert data["view"] == "organiser_unit" and data["population"] == "organiser_type"
    assert [g["key"] for g in data["groups"]] == ["organiser_type", "region", "nation"]
    nation = published(client, hv_round, "")
    for line in data["lines"]:
        assert line["own"]["median"] == 3.0
        assert line["groups"][0]["suppressed"] is True  # 2 municipal organisers < k
        assert line["test"] is None and line["test_missing"] == "rest_below_k"
        assert (
            line["groups"][2]["suppressed"]
            == nation[("", line["scope_type"], line["scope_id"])]["suppressed"]
        )
    assert data["lines"][-1]["sentences"][0] == (
        f"Totalt sett har övriga kommunala huvudmän färre än {K} huvudmän med resultat, "
        "så inget test visas."
    )
    assert client.get(f"/benchmarks/rounds/{hv_round}").status_code == 200


def test_others_get_404(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    w = benchmark_world(engine)
    round_id, units = w["round_id"], w["units"]
    school_03m = w["assessment"]["Skola 03municipal0"]

    def as_user(email: str) -> TestClient:
        c = TestClient(client.app, base_url="https://testserver")
        login(c, email)
        return c

    # organiser B's strategist: B takes no part in the national round
    b = as_user("strategist-b@example.org")
    for url in (f"/benchmarks/rounds/{round_id}", f"/api/v1/benchmarks/rounds/{round_id}"):
        assert b.get(url).status_code == 404
    # another participating organiser's strategist: not 03m's benchmark, nor its school's
    other = as_user("strategist-12i@example.org")
    assert (
        other.get(f"/benchmarks/rounds/{round_id}?organiser={units[ORG_03M].id}").status_code == 404
    )
    assert (
        other.get(f"/api/v1/benchmarks/rounds/{round_id}?organiser={units[ORG_03M].id}").status_code
        == 404
    )
    assert other.get(f"/assessments/{school_03m}/benchmark").status_code == 404
    assert other.get(f"/api/v1/benchmarks/assessments/{school_03m}").status_code == 404
    # national staff see aggregates only; principals have no round views, nor other schools
    national = as_user("national@example.org")
    principal = as_user("principal-03i@example.org")
    for c in (national, principal):
        assert c.get(f"/benchmarks/rounds/{round_id}").status_code == 404
        assert c.get(f"/api/v1/benchmarks/rounds/{round_id}").status_code == 404
        assert c.get(f"/assessments/{school_03m}/benchmark").status_code == 404
        assert c.get(f"/api/v1/benchmarks/assessments/{school_03m}").status_code == 404
    assert national.get("/benchmarks").status_code == 404
    # the organiser's own strategist may open its school's benchmark (shared: national round)
    own = as_user("strategist-03m@example.org")
    assert own.get(f"/assessments/{school_03m}/benchmark").status_code == 200
    index = BeautifulSoup(own.get("/benchmarks").text, "html.parser")
    assert index.select_one(f"a[href='/benchmarks/rounds/{round_id}']") is not None
    # admins choose the organiser
    admin = as_user("admin@example.org")
    choose = BeautifulSoup(admin.get(f"/benchmarks/rounds/{round_id}").text, "html.parser")
    assert len(choose.select("ul.bm-choices a")) == 4
    assert admin.get(f"/api/v1/benchmarks/rounds/{round_id}").status_code == 422
    picked = admin.get(
        f"/api/v1/benchmarks/rounds/{round_id}", params={"organiser": units[ORG_12I].id}
    )
    assert picked.status_code == 200 and picked.json()["subject"]["name"] == ORG_12I


def test_benchmarks_read_the_release_never_live_data(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    """The before/after attack on a benchmark: a school's answers change after the release (a
    reopened and resubmitted assessment); nothing a principal or strategist reads may move
    until national staff publish a new release."""
    w = benchmark_world(engine)
    own = w["assessment"]["Skola 03municipal0"]
    login(client, "principal-03m@example.org")
    strategist = TestClient(client.app, base_url="https://testserver")
    login(strategist, "strategist-03m@example.org")
    before = client.get(f"/api/v1/benchmarks/assessments/{own}").json()
    before_org = strategist.get(f"/api/v1/benchmarks/rounds/{w['round_id']}").json()
    other = w["assessment"]["Skola 12municipal0"]
    with Session(engine) as session:  # another school's answers change
        session.execute(
            update(Answer)
            .where(col(Answer.respondent_id).in_(
                select(Respondent.id).where(Respondent.assessment_id == other)))
            .values(value=4)
        )  # fmt: skip
        session.commit()
    assert client.get(f"/api/v1/benchmarks/assessments/{own}").json() == before
    assert strategist.get(f"/api/v1/benchmarks/rounds/{w['round_id']}").json() == before_org
    assert before["release"]["number"] == 1


def test_no_groups_before_a_release(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, round_id, schools = national_world(engine, publish=False)
    with Session(engine) as session:
        unit = session.exec(select(Unit).where(Unit.name == "Skola 03municipal0")).one()
        user = User(email="p@example.org", name="p", password_hash=_password_hash())
        session.add(user)
        session.flush()
        grant_role(session, user=user, unit=unit, role="principal")
        own = session.exec(
            select(Assessment).where(Assessment.round_id == round_id, Assessment.unit_id == unit.id)
        ).one()
        session.commit()
        own_id = own.id
    login(client, "p@example.org")
    data = client.get(f"/api/v1/benchmarks/assessments/{own_id}").json()
    assert data["release"] is None
    assert all(g["suppressed"] for line in data["lines"] for g in line["groups"])
    page = BeautifulSoup(client.get(f"/assessments/{own_id}/benchmark").text, "html.parser")
    assert page.select_one("#bm-no-release") is not None

"""National aggregates: numbers from the engine, from releases only, small cells hidden,
differencing impossible across every table the API publishes."""

from __future__ import annotations

import statistics
from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from survey.models import Assessment, QuestionnaireVersion, Unit
from survey.services.access import load_assessment
from survey.services.assessments.answers import submit
from survey.services.national.aggregates import FAMILY
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.store import create_round, unit_respondent
from survey.services.units import add_unit
from tests.analyst import Analyst
from tests.factories import build_world, bulk_answer, login, publish_release

K = 5
# (region, organiser type, number of answering schools, level every school answers)
LAYOUT = [
    ("03", "municipal", 7, 2),
    ("03", "independent", 2, 4),
    ("12", "municipal", 6, 3),
    ("12", "independent", 6, 1),
]


def national_world(engine, *, publish: bool = True):  # type: ignore[no-untyped-def]
    """The world of LAYOUT with every school submitted; with ``publish`` national staff close the
    round and publish its release (the second threshold set to k, so small shown groups keep
    their medians in these tests)."""
    world = build_world(engine)
    with Session(engine, expire_on_commit=False) as session:
        nation = session.get(Unit, world.nation)
        schools: list[tuple[Unit, int]] = []
        for region_code, org_type, count, level in LAYOUT:
            region = add_unit(
                session,
                kind="region",
                name=f"Län {region_code}{org_type}",
                parent=nation,
                county_code=region_code,
            )
            org = add_unit(
                session,
                kind="organiser",
                name=f"Huvudman {region_code} {org_type}",
                parent=region,
                organiser_type=org_type,
            )
            for i in range(count):
                unit = add_unit(
                    session,
                    kind="school",
                    name=f"Skola {region_code}{org_type}{i}",
                    parent=org,
                    school_forms=["grundskola"],
                )
                schools.append((unit, level))
        skola = session.get(QuestionnaireVersion, world.questionnaires["skola"])
        rnd = create_round(
            session,
            questionnaire=skola,
            owner=nation,
            kind="national",  # type: ignore[arg-type]
            title="Nationell uppföljning",
            opens=date(2026, 9, 1),
            closes=date(2026, 12, 1),
            units=[u for u, _ in schools],
        )
        session.commit()
        ids = {
            a.unit_id: a.id
            for a in session.exec(select(Assessment).where(Assessment.round_id == rnd.id))
        }
    bulk_answer(engine, {ids[unit.id]: level for unit, level in schools})
    with Session(engine, expire_on_commit=False) as session:
        for unit, _ in schools:
            ctx = load_assessment(session, assessment_id=ids[unit.id])
            q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
            submit(
                session,
                ctx=ctx,
                q=q,
                respondent=unit_respondent(session, assessment=ctx.assessment),
                actor=None,
            )
        session.commit()
    if publish:
        publish_release(engine, rnd.id, k=K, k_detail=K)
    return world, rnd.id, schools


def test_aggregates_match_the_definitions_and_hide_small_cells(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, round_id, schools = national_world(engine)
    login(client, "national@example.org")
    nation = client.get(
        f"/api/v1/national/rounds/{round_id}/aggregates", params={"scope_type": "total"}
    ).json()["rows"]
    (row,) = nation
    # Every school answered every item with one level, so its score is that level.
    scores = [level for _, level in schools]
    assert row["n_units"] == len(scores) == row["n_targeted"]
    assert row["mean"] == statistics.mean(scores)
    assert row["median"] == statistics.median(scores)
    assert abs(row["sd"] - statistics.stdev(scores)) < 1e-12
    assert row["share_below_floor"] == sum(1 for s in scores if s < 2) / len(scores)
    assert row["suppressed"] is False and row["response_rate"] == 1.0

    by_type = client.get(
        f"/api/v1/national/rounds/{round_id}/aggregates",
        params={"by": "organiser_type", "scope_type": "total"},
    ).json()["rows"]
    cells = {r["group"]["organiser_type"]: r for r in by_type}
    assert (
        cells["municipal"]["n_units"] == 13 and cells["municipal"]["mean"] == (7 * 2 + 6 * 3) / 13
    )
    assert cells["independent"]["n_units"] == 8

    two_way = client.get(
        f"/api/v1/national/rounds/{round_id}/aggregates",
        params={"by": "region,organiser_type", "scope_type": "total"},
    ).json()["rows"]
    cells2 = {(r["group"]["region"], r["group"]["organiser_type"]): r for r in two_way}
    # 03/independent has 2 schools: hidden, with no number at all.
    small = cells2[("03", "independent")]
    assert small["suppressed"] is True and small["mean"] is None and small["n_units"] is None
    # …and region 03 (published: 9 schools) would give it away as 03 − 03/municipal, so the
    # municipal cell of region 03 is hidden too; so is a partner in the organiser-type column.
    assert cells2[("03", "municipal")]["suppressed"] is True
    for rows in (by_type, two_way):
        for r in rows:
            assert r["suppressed"] or r["n_units"] >= K


def test_nothing_small_can_be_derived_from_every_published_table(
    client: TestClient, engine
) -> None:  # type: ignore[no-untyped-def]
    """The analyst knows which school lies in which cell (LAYOUT is public knowledge: the school
    register) and reads every breakdown the API publishes; no combination of fewer than k
    schools, and no hidden cell, may follow from the published sums."""
    world, round_id, schools = national_world(engine)
    login(client, "national@example.org")
    attributes = []
    for region, org_type, count, _ in LAYOUT:
        attributes += [
            {
                "region": region,
                "organiser_type": org_type,
                "school_form": "grundskola",
                "organiser": f"{region}{org_type}",
            }  # fmt: skip
        ] * count
    published, hidden = [], []
    for columns in FAMILY:
        rows = client.get(
            f"/api/v1/national/rounds/{round_id}/aggregates",
            params={"by": ",".join(columns), "scope_type": "total"},
        ).json()["rows"]
        assert rows, columns
        if "organiser" in columns:
            # One organiser per (region, type) here: its cells are the same sets of schools as
            # the (region, organiser type) cells, and must be hidden alike.
            by_pair = {(r["group"]["region"], r["group"]["organiser_type"]): r["suppressed"]
                       for r in client.get(f"/api/v1/national/rounds/{round_id}/aggregates",
                                           params={"by": "region,organiser_type",
                                                   "scope_type": "total"}).json()["rows"]}  # fmt: skip
            assert sorted(r["suppressed"] for r in rows) == sorted(by_pair.values())
            continue
        for row in rows:
            members = {
                i for i, a in enumerate(attributes) if all(a[c] == row["group"][c] for c in columns)
            }
            (hidden if row["suppressed"] else published).append(members)
    analyst = Analyst(published, list(range(len(attributes))))
    assert analyst.small_disclosure(k=K) is None
    for cell in hidden:
        assert not analyst.determined(dict.fromkeys(cell, 1)), sorted(cell)
    assert hidden, "the world has small cells"


def test_no_aggregates_before_a_release(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, round_id, _ = national_world(engine, publish=False)
    login(client, "national@example.org")
    response = client.get(f"/api/v1/national/rounds/{round_id}/aggregates")
    assert response.status_code == 404
    assert "release" in response.json()["detail"]
    assert client.get(f"/api/v1/national/rounds/{round_id}/releases").json() == []


def test_only_national_staff_and_admins(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, round_id, _ = national_world(engine)
    login(client, "strategist-a@example.org")
    assert client.get(f"/api/v1/national/rounds/{round_id}/aggregates").status_code == 404
    other = TestClient(client.app, base_url="https://testserver")
    login(other, "national@example.org")
    bad = other.get(f"/api/v1/national/rounds/{round_id}/aggregates", params={"by": "kommun"})
    assert bad.status_code == 422 and "by:" in bad.json()["detail"]


def test_a_submission_changes_nothing_until_the_next_release(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    """The before/after attack of national staff: read every breakdown, let one more school
    submit, read again. Nothing may move (the figures come from the release); the next release
    is protected together with the first, so their difference gives nothing away either."""
    world, round_id, schools = national_world(engine, publish=False)
    with Session(engine, expire_on_commit=False) as session:
        late = session.exec(
            select(Assessment).where(Assessment.round_id == round_id).order_by(Assessment.id)
        ).first()
        late.state = "draft"  # one school has not submitted yet  # type: ignore[union-attr]
        session.add(late)
        session.commit()
    publish_release(engine, round_id, k=K, k_detail=K, close=False)  # preliminary
    login(client, "national@example.org")

    def read() -> list[dict]:  # type: ignore[type-arg]
        return [
            client.get(
                f"/api/v1/national/rounds/{round_id}/aggregates", params={"by": ",".join(c)}
            ).json()["rows"]  # fmt: skip
            for c in FAMILY
        ]

    before = read()
    with Session(engine) as session:
        late = session.exec(select(Assessment).where(Assessment.id == late.id)).one()  # type: ignore[union-attr]
        late.state = "submitted"
        session.add(late)
        session.commit()
    assert read() == before
    assert publish_release(engine, round_id, k=K, k_detail=K) == 2  # final, after closing
    latest = client.get(f"/api/v1/national/rounds/{round_id}/aggregates").json()
    assert latest["release"]["number"] == 2 and latest["release"]["kind"] == "final"
    first = client.get(f"/api/v1/national/rounds/{round_id}/aggregates", params={"release": "1"})
    assert first.json()["rows"] == before[0]  # an old release never changes
    # the nation's cell grew by one school between the releases: published in both, it would
    # be that school's score; the joint audit hides it in the second release
    nation_2 = latest["rows"][0]
    assert nation_2["suppressed"] is True, nation_2

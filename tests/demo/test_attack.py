"""The linear-system attack on the demo (issue 13): an analyst with the demo's public unit register
(which unit lies in which region, organiser type, school form and organiser) and national staff's
account reads every table of the round's releases through the API — every breakdown of every
scope, two releases — and solves for single schools, pairs of schools and hidden cells with
numpy (``tests.analyst.FloatAnalyst``). Sets of three and four units are left to the exact
brute-force attacks on small random worlds (``tests/stats``); here the data set is the demo's.

Before the change this attack recovered the scores of single schools and of small groups from the
demo's national tables (see the commit that introduced releases); it must recover nothing now.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from survey.cli import main
from survey.demo.data import DEMO_PASSWORD
from survey.models import Assessment, Round
from survey.services.national.aggregates import FAMILY
from survey.services.national.releases import load_release
from tests.analyst import FloatAnalyst
from tests.factories import login, publish_release

K = 5


def _variables(releases: list, scope: int) -> tuple[list[dict[int, int]], dict[int, int]]:  # type: ignore[type-arg]
    """Per release, unit id → its variable in the scope (a unit keeps its variable while its
    score stays the same: the analyst cannot tell a changed score from a new unit's)."""
    known: dict[tuple[int, float], int] = {}
    out, unit_of = [], {}
    for release in releases:
        units = release.snapshot.units
        mapping = {}
        for uid, score in zip(units.ids.tolist(), units.scores[scope].tolist(), strict=True):
            if score == score:  # not NaN
                v = known.setdefault((uid, score), len(known))
                mapping[uid] = v
                unit_of[v] = uid
        out.append(mapping)
    return out, unit_of


def attack(client: TestClient, session: Session, round_: Round, numbers: list[int]) -> None:
    releases = [load_release(session, round_=round_, number=n) for n in numbers]
    scopes = releases[-1].snapshot.scopes
    for s, (scope_type, scope_id) in enumerate(scopes):
        variables, unit_of = _variables(releases, s)
        published, hidden = [], []
        for release, mapping in zip(releases, variables, strict=True):
            units = release.snapshot.units
            for columns in FAMILY:
                rows = client.get(
                    f"/api/v1/national/rounds/{round_.id}/aggregates",
                    params={"by": ",".join(columns), "scope_type": scope_type,
                            "release": release.info.number},
                ).json()["rows"]  # fmt: skip
                for row in rows:
                    if row["scope_id"] != scope_id:
                        continue
                    members = frozenset(
                        mapping[uid]
                        for i, uid in enumerate(units.ids.tolist())
                        if uid in mapping
                        and all(units.attributes[c][i] == row["group"][c] for c in columns)
                    )
                    if not members:
                        continue
                    if row["suppressed"]:
                        hidden.append(members)
                    else:
                        assert len(members) == row["n_units"], (columns, row["group"])
                        published.append(members)
        analyst = FloatAnalyst(published, sorted(unit_of))
        found = analyst.units_or_pairs(k=K, unit_of=unit_of)
        assert found == [], f"{scope_id}: {found[:5]} can be derived"
        for cell in hidden:
            assert not analyst.determined(dict.fromkeys(cell, 1.0)), (scope_id, sorted(cell))
        assert hidden, "the demo has small groups"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_demo_national_releases_disclose_nothing(settings, engine, client) -> None:  # type: ignore[no-untyped-def]
    assert CliRunner().invoke(main, ["demo"]).exit_code == 0
    login(client, "national@example.org", DEMO_PASSWORD)
    with Session(engine, expire_on_commit=False) as session:
        rounds = {r.title: r for r in session.exec(select(Round).where(Round.kind == "national"))}
        current = rounds["Nationell uppföljning 2026"]
        attack(client, session, rounds["Nationell uppföljning 2025"], [1])
        # The 2026 round closes with more units submitted: the final release is attacked together
        # with the preliminary one (their difference is a published table too).
        drafts = session.exec(
            select(Assessment).where(Assessment.round_id == current.id, Assessment.state == "draft")
        ).all()
        assert len(drafts) >= 3
        for assessment in drafts[:3]:
            assessment.state = "submitted"
            session.add(assessment)
        session.commit()
    publish_release(engine, current.id)  # type: ignore[arg-type]
    with Session(engine, expire_on_commit=False) as session:
        current = session.get(Round, current.id)
        attack(client, session, current, [1, 2])  # type: ignore[arg-type]

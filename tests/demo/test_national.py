"""``survey demo --national`` (issue 8), scaled down: the national data set's shape, loaded in
bulk on SQLite and PostgreSQL (COPY), and a database the app can go on writing to."""

from __future__ import annotations

import re
from datetime import date

import pytest
from click.testing import CliRunner
from sqlmodel import Session, col, func, select

from survey.demo.data import COUNTIES
from survey.demo.national import NationalScale, build_national
from survey.models import (
    ActionPlanRow,
    Answer,
    Assessment,
    QuestionnaireVersion,
    RoleGrant,
    Round,
    Unit,
    UnitSchoolForm,
    User,
)
from survey.security import verify_password
from survey.services.national.releases import load_release, releases_of
from survey.services.rounds.store import create_round
from survey.services.units import add_unit

SMALL = NationalScale(organisers=40, independent=10, schools=400, teachers=4_000, seed=7)


def test_small_national_data_set(settings, engine) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        summary = build_national(session, scale=SMALL, progress=False)
        session.commit()
    assert summary["units"] == 400 and summary["organisers"] == 40 and summary["regions"] == 21
    with Session(engine) as session:
        regions = session.exec(select(Unit).where(Unit.kind == "region")).all()
        assert sorted((r.county_code, r.name) for r in regions) == [(c, n) for c, n, _ in COUNTIES]
        organisers = session.exec(select(Unit).where(Unit.kind == "organiser")).all()
        municipal = [o for o in organisers if o.organiser_type == "municipal"]
        independent = [o for o in organisers if o.organiser_type == "independent"]
        assert len(municipal) == 30 and len(independent) == 10
        codes = [o.municipality_code for o in municipal]
        assert len(set(codes)) == 30 and all(re.fullmatch(r"\d{4}", c or "") for c in codes)
        parents = {r.id: r.county_code for r in regions}
        assert all(o.municipality_code[:2] == parents[o.parent_id] for o in municipal)  # type: ignore[index]
        assert all(re.fullmatch(r"\d{6}-\d{4}", o.organisation_number or "") for o in independent)
        schools = session.exec(select(Unit).where(Unit.kind == "school")).all()
        assert len(schools) == 400 and len({s.school_unit_code for s in schools}) == 400
        assert all(s.path.startswith("/") and s.path.endswith(f"/{s.id}/") for s in schools)
        with_forms = session.exec(select(func.count(func.distinct(UnitSchoolForm.unit_id)))).one()
        assert with_forms == 400
        rounds = {r.title: r for r in session.exec(select(Round))}
        keys = dict(
            session.exec(
                select(Round.title, QuestionnaireVersion.key).join(
                    QuestionnaireVersion, col(QuestionnaireVersion.id) == Round.questionnaire_id
                )
            ).all()
        )
        assert keys == {
            "Nationell uppföljning 2025": "skola",
            "Nationell uppföljning 2026": "skola",
            "Nationell uppföljning huvudmän 2026": "huvudman",
            "Nationell lärarenkät 2026": "larare",
        }
        assert all(r.kind == "national" for r in rounds.values())
        assert summary["respondents"] == pytest.approx(4_000, rel=0.25)
        assert session.exec(select(func.count()).select_from(Answer)).one() == summary["answers"]
        # The demo accounts: the principal of Kvarnbackaskolan (a draft in 2026) and the
        # strategist of Uppsala kommun, whose submitted assessments have their action plans.
        school = session.exec(select(Unit).where(Unit.name == "Kvarnbackaskolan")).one()
        uppsala = session.get(Unit, school.parent_id)
        assert uppsala is not None and uppsala.municipality_code == "0380"
        grants = {
            u.email: g.unit_id
            for u, g in session.exec(
                select(User, RoleGrant).join(RoleGrant, col(RoleGrant.user_id) == User.id)
            )
        }
        assert grants["principal@example.org"] == school.id
        assert grants["strategist@example.org"] == uppsala.id
        user = session.exec(select(User).where(User.email == "national@example.org")).one()
        assert verify_password(user.password_hash, "demo")
        draft = session.exec(
            select(Assessment).where(
                Assessment.unit_id == school.id,
                Assessment.round_id == rounds["Nationell uppföljning 2026"].id,
            )
        ).one()
        assert draft.state == "draft"
        plans = session.exec(
            select(func.count())
            .select_from(ActionPlanRow)
            .join(Assessment, col(Assessment.id) == ActionPlanRow.assessment_id)
            .join(Unit, col(Unit.id) == Assessment.unit_id)
            .where(Unit.parent_id == uppsala.id)
        ).one()
        assert plans > 0
        # Every national round has its release: final for the closed 2025 round, preliminary
        # for the open ones; the teacher round's holds the units whose collection ended with
        # at least k respondents (a batch), the nation and all 21 regions.
        kinds = {
            t: [r.kind for r in releases_of(session, round_id=r.id)] for t, r in rounds.items()
        }  # type: ignore[arg-type]
        assert kinds["Nationell uppföljning 2025"] == ["final"]
        assert kinds["Nationell lärarenkät 2026"] == ["preliminary"]
        assert [r["kind"] for r in summary["releases"]] == ["final", "preliminary", "preliminary",
                                                            "preliminary"]  # fmt: skip
        teacher = load_release(session, round_=rounds["Nationell lärarenkät 2026"])
        assert len(teacher.publication.select(by=("region",), scope_type="total")) == 21
        assert int(teacher.snapshot.units.respondents.min()) >= 5
        # Rows were written with explicit ids: the app can still add its own afterwards.
        region = regions[0]
        unit = add_unit(session, kind="organiser", name="Ny huvudman", parent=region)
        skola = session.exec(
            select(QuestionnaireVersion).where(
                QuestionnaireVersion.key == "skola", QuestionnaireVersion.version == "2026.1"
            )
        ).one()
        create_round(
            session, questionnaire=skola, owner=unit, kind="organiser", title="Ny",
            opens=date(2026, 1, 1), closes=date(2026, 2, 1), units=[school],
        )  # fmt: skip
        session.commit()


def test_demo_national_refuses_no_reset(settings) -> None:  # type: ignore[no-untyped-def]
    from survey.cli import main

    result = CliRunner().invoke(main, ["demo", "--national", "--no-reset"])
    assert result.exit_code == 2 and "--no-reset" in result.output


def test_scale_is_checked() -> None:
    with pytest.raises(ValueError, match="county"):
        NationalScale(organisers=20, independent=5)
    with pytest.raises(ValueError, match="schools"):
        NationalScale(organisers=40, independent=10, schools=100)

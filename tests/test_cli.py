"""The command line: create-user, demo, questionnaire table."""

from __future__ import annotations

from collections import Counter

from click.testing import CliRunner
from sqlmodel import Session, func, select

from survey.cli import main
from survey.models import (
    Answer,
    Assessment,
    QuestionnaireVersion,
    RoleGrant,
    Round,
    Unit,
    User,
)
from survey.security import verify_password


def test_create_user_with_role(settings, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    csv = tmp_path / "u.csv"
    csv.write_text("unit_id,name,kind,parent_id\nSE,Sverige,nation,\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["import-units", str(csv)]).exit_code == 0
    result = CliRunner().invoke(
        main,
        [
            "create-user",
            "--email",
            "Rektor@Example.org",
            "--password",
            "hemligt!",
            "--role",
            "national:SE",
        ],
    )
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        user = session.exec(select(User)).one()
        assert user.email == "rektor@example.org"
        assert user.password_hash.startswith("$argon2")
        assert verify_password(user.password_hash, "hemligt!")
        assert not verify_password(user.password_hash, "fel")
        grant = session.exec(select(RoleGrant)).one()
        assert grant.role == "national"
    again = CliRunner().invoke(
        main, ["create-user", "--email", "rektor@example.org", "--password", "x1234"]
    )
    assert again.exit_code == 1 and "already exists" in again.output


def test_demo_builds_rounds_with_answers(settings, engine) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    for email in (
        "principal@example.org",
        "strategist@example.org",
        "national@example.org",
        "admin@example.org",
    ):
        assert email in result.output
    with Session(engine) as session:
        kinds = dict(session.exec(select(Unit.kind, func.count()).group_by(Unit.kind)).all())
        assert kinds["region"] >= 4 and kinds["organiser"] >= 12 and kinds["school"] >= 150
        rounds = session.exec(select(Round)).all()
        assert {r.kind for r in rounds} == {"national", "organiser"}
        used = set(
            session.exec(
                select(QuestionnaireVersion.key).join(
                    Round, Round.questionnaire_id == QuestionnaireVersion.id
                )
            )
        )
        assert used == {"skola", "forskola", "huvudman", "larare"}
        submitted = session.exec(
            select(func.count()).select_from(Assessment).where(Assessment.state == "submitted")
        ).one()
        assert submitted > 150
        assert session.exec(select(func.count()).select_from(Answer)).one() > 1000
        user = session.exec(select(User).where(User.email == "principal@example.org")).one()
        assert verify_password(user.password_hash, "demo")
        # The participation page's "last change": a submitted unit changed when it submitted,
        # and units answered on different days, not all at the moment the demo was loaded.
        done = session.exec(select(Assessment).where(Assessment.state == "submitted")).all()
        assert all(a.updated_at == a.submitted_at for a in done)
        assert len({a.submitted_at.date() for a in done if a.submitted_at}) >= 10
    check_national_demo(engine)
    # Running it again resets instead of failing on existing rows.
    assert CliRunner().invoke(main, ["demo"]).exit_code == 0


def check_national_demo(engine) -> None:  # type: ignore[no-untyped-def]
    """The demo's national rounds (issue 8): "Nationell uppföljning 2026" answered by at least
    150 units in at least 4 regions and 12 organisers of both kinds, some organisers below k, so
    that every one-way breakdown publishes some cells and hides others; the 2025 round for
    trends; the strategist's and the principal's places in it."""
    from survey.services.national.aggregates import DIMENSIONS
    from survey.services.national.releases import load_release

    k = 5
    with Session(engine) as session:
        rounds = {r.title: r for r in session.exec(select(Round).where(Round.kind == "national"))}
        assert {"Nationell uppföljning 2025", "Nationell uppföljning 2026"} <= set(rounds)
        current = rounds["Nationell uppföljning 2026"]
        assert rounds["Nationell uppföljning 2025"].questionnaire_id == current.questionnaire_id
        assert rounds["Nationell uppföljning 2025"].state == "closed"
        answering = session.exec(
            select(Unit)
            .join(Assessment, Assessment.unit_id == Unit.id)
            .where(Assessment.round_id == current.id, Assessment.state == "submitted")
        ).all()
        organisers = {u.parent_id: session.get(Unit, u.parent_id) for u in answering}
        regions = {o.parent_id for o in organisers.values()}  # type: ignore[union-attr]
        assert len(answering) >= 150 and len(regions) >= 4 and len(organisers) >= 12
        types = {o.organiser_type for o in organisers.values()}  # type: ignore[union-attr]
        assert types >= {"municipal", "independent"}
        per_organiser = Counter(u.parent_id for u in answering)
        assert min(per_organiser.values()) < k <= max(per_organiser.values())
        uppsala = session.exec(select(Unit).where(Unit.name == "Uppsala kommun")).one()
        assert (
            session.exec(
                select(func.count()).select_from(Unit).where(Unit.parent_id == uppsala.id)
            ).one()
            >= 25
        )
        kvarnbacka = session.exec(select(Unit).where(Unit.name == "Kvarnbackaskolan")).one()
        assert kvarnbacka.parent_id == uppsala.id
        draft = session.exec(
            select(Assessment).where(
                Assessment.round_id == current.id, Assessment.unit_id == kvarnbacka.id
            )
        ).one()
        assert draft.state == "draft"
        # National staff published a preliminary release of the open 2026 round.
        release = load_release(session, round_=current)
        assert release.info.kind == "preliminary"
        publication = release.publication
        for dimension in DIMENSIONS:
            for scope_type in ("total", "area", "subgoal"):
                rows = publication.select(by=(dimension,), scope_type=scope_type)
                by_scope: dict[str, list[bool]] = {}
                for row in rows:
                    by_scope.setdefault(row["scope_id"], []).append(row["suppressed"])
                for scope_id, hidden in by_scope.items():
                    assert any(hidden) and not all(hidden), (dimension, scope_id, hidden)
        (nation_row,) = publication.select(by=(), scope_type="total")
        assert nation_row["n_units"] == len(answering) and not nation_row["suppressed"]


def test_questionnaire_table_is_generated_from_files() -> None:
    result = CliRunner().invoke(
        main, ["questionnaire", "table", "--format", "csv", "questionnaires/examples/exempel.yaml"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("Enkät,Påstående,Område,Delmål")
    assert lines[1].startswith("exempel,EX.01,Ledning,FO1.2,Strategiskt ledarskap,2,")
    assert len(lines) == 4

"""The command line: create-user, demo, questionnaire table."""

from __future__ import annotations

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
    # Running it again resets instead of failing on existing rows.
    assert CliRunner().invoke(main, ["demo"]).exit_code == 0


def test_questionnaire_table_is_generated_from_files() -> None:
    result = CliRunner().invoke(
        main, ["questionnaire", "table", "--format", "csv", "questionnaires/exempel.yaml"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("Enkät,Påstående,Område,Delmål")
    assert lines[1].startswith("exempel,EX.01,Ledning,FO1.2,Strategiskt ledarskap,2,")
    assert len(lines) == 4

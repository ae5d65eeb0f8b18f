"""`survey import-units`: one transaction; a bad row names its line and nothing is imported."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlmodel import Session, select

from survey.cli import main
from survey.models import Unit, UnitSchoolForm

GOOD = """unit_id,name,kind,parent_id,county_code,municipality_code,school_unit_code,organiser_type,school_forms
SE,Sverige,nation,,,,,,
lan-03,Uppsala län,region,SE,03,,,,
k-0380,Uppsala kommun,organiser,lan-03,03,0380,,municipal,
s1,Kvarnbackaskolan,school,k-0380,03,0380,12345678,,grundskola;fritidshem
p1,Förskolan Myran,preschool,k-0380,03,0380,87654321,,forskola
"""


def _run(tmp_path: Path, text: str) -> tuple[int, str]:
    path = tmp_path / "units.csv"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["import-units", str(path)])
    return result.exit_code, result.output


def test_import_builds_the_tree(settings, engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, output = _run(tmp_path, GOOD)
    assert code == 0, output
    assert "5 unit(s) created" in output
    with Session(engine) as session:
        units = {u.external_id: u for u in session.exec(select(Unit))}
        school = units["s1"]
        assert school.parent_id == units["k-0380"].id
        assert school.path == f"{units['k-0380'].path}{school.id}/"
        assert school.path.startswith(units["SE"].path)
        forms = session.exec(
            select(UnitSchoolForm.school_form).where(UnitSchoolForm.unit_id == school.id)
        )
        assert sorted(forms) == ["fritidshem", "grundskola"]
    # Importing the same file again updates instead of duplicating.
    code, output = _run(tmp_path, GOOD.replace("Kvarnbackaskolan", "Kvarnbacksskolan"))
    assert code == 0 and "0 unit(s) created, 1 updated, 4 unchanged" in output
    with Session(engine) as session:
        assert (
            session.exec(select(Unit).where(Unit.external_id == "s1")).one().name
            == "Kvarnbacksskolan"
        )


def test_bad_rows_name_their_lines_and_nothing_is_imported(
    settings, engine, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    bad = GOOD.replace("12345678", "1234").replace("preschool,k-0380", "preschool,k-9999")
    bad += "s1,Dubblett,school,k-0380,03,0380,,,\n"
    bad += "x1,Skolan X,skola,k-0380,,,,,\n"
    code, output = _run(tmp_path, bad)
    assert code == 1
    assert "units.csv:5: school_unit_code: '1234' is not 8 digits" in output
    assert "units.csv:6: parent_id: unknown unit 'k-9999'" in output
    assert "units.csv:7: unit_id: 's1' already on line 5" in output
    assert "units.csv:8: kind: 'skola' is not one of" in output
    with Session(engine) as session:
        assert session.exec(select(Unit)).all() == []


def test_wrong_parent_kind_is_refused(settings, engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, output = _run(tmp_path, GOOD.replace("school,k-0380", "school,lan-03"))
    assert code == 1
    assert "units.csv:5: parent_id: a school must be under organiser, not region" in output


def test_missing_columns(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, output = _run(tmp_path, "name,kind\nA,school\n")
    assert code == 1 and "units.csv:1: missing column(s): unit_id, parent_id" in output

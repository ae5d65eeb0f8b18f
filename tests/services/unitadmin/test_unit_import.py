"""Importing units in the browser's service: the school unit register's mapping, CSV problems with
their lines, a preview that writes nothing, accepting (written and audited), and the strategist's
part of the tree."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from survey.errors import InvalidInput
from survey.models import AuditLog, Unit, UnitSchoolForm, User
from survey.services.access import Actor, load_actor
from survey.services.unitadmin.imports import accept_import, preview_import
from survey.services.units import add_unit
from survey.web.errors import say
from tests.factories import World, build_world

EXAMPLE = Path(__file__).parents[3] / "survey/demo/examples/skolenhetsregistret-example.json"
LABEL = "skolenhetsregistret.json"


def actor_for(session: Session, world: World, email: str) -> Actor:
    return load_actor(session, user=session.get(User, world.users[email]))  # type: ignore[arg-type]


def counts(session: Session) -> tuple[int, int, int]:
    return (
        session.exec(select(func.count()).select_from(Unit)).one(),
        session.exec(select(func.count()).select_from(UnitSchoolForm)).one(),
        session.exec(select(func.count()).select_from(AuditLog)).one(),
    )


def forms(session: Session, unit: Unit) -> list[str]:
    return sorted(
        session.exec(select(UnitSchoolForm.school_form).where(UnitSchoolForm.unit_id == unit.id))
    )


def by_code(session: Session, code: str) -> Unit:
    return session.exec(select(Unit).where(Unit.school_unit_code == code)).one()


def test_register_maps_status_school_types_and_organisers(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    content = EXAMPLE.read_bytes()
    with Session(engine) as session:
        # Salabacke is in our tree already and active: the register says it has closed.
        org_a = session.get(Unit, world.org_a)
        salabacke = add_unit(
            session, kind="school", name="Salabacke skola", parent=org_a,
            school_forms=["grundskola"], school_unit_code="43810206",
        )  # fmt: skip
        session.commit()
        admin = actor_for(session, world, "admin@example.org")
        plan = preview_import(session, actor=admin, fmt="register", content=content, label=LABEL)
        assert plan.problems == []
        # The unknown school type (OPPFTH, öppen fritidsverksamhet) is reported with its index.
        warnings = [say(w, "en") for w in plan.warnings]
        assert any(
            w.startswith(f"{LABEL}[6].schoolTypes[1]: ") and "OPPFTH" in w for w in warnings
        ), warnings
        # 13 school units + Knivsta and the independent organiser are new; Uppsala and Enköping
        # are matched by their municipality code; Salabacke is deactivated.
        assert plan.count("created") == 12 + 2
        assert plan.count("deactivated") == 1
        accept_import(session, actor=admin, fmt="register", content=content, label=LABEL)
        session.commit()

        session.refresh(salabacke)
        assert salabacke.active is False  # never deleted: marked inactive
        assert by_code(session, "43810303").active is False  # VILANDE: created inactive
        granby = by_code(session, "43810201")
        assert granby.active and granby.kind == "school" and granby.parent_id == world.org_a
        assert forms(session, granby) == ["forskoleklass", "fritidshem", "grundskola"]
        assert forms(session, by_code(session, "43810204")) == ["anpassad_grundskola"]
        vux = by_code(session, "43810205")
        assert vux.kind == "adult_education" and forms(session, vux) == ["vuxenutbildning"]
        assert forms(session, by_code(session, "43810207")) == ["fritidshem"]
        assert forms(session, by_code(session, "43810302")) == [
            "anpassad_gymnasieskola",
            "gymnasieskola",
        ]
        assert by_code(session, "43810301").parent_id == world.org_b
        uppsala = session.get(Unit, world.org_a)
        assert uppsala.organisation_number == "212000-3005"  # type: ignore[union-attr]
        knivsta = session.exec(select(Unit).where(Unit.name == "Knivsta kommun")).one()
        assert knivsta.parent_id == world.region and knivsta.organiser_type == "municipal"
        assert knivsta.municipality_code == "0330"
        linnean = by_code(session, "43810501")
        org = session.get(Unit, linnean.parent_id)
        assert org.organiser_type == "independent"  # type: ignore[union-attr]
        assert org.organisation_number == "802455-1203"  # type: ignore[union-attr]


def test_register_problems_name_index_and_field(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    items = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    items[2]["data"]["attributes"]["status"] = "STANGD"
    items[3]["data"]["schoolUnitCode"] = "123"
    del items[4]["included"]["organizationNumber"]
    with Session(engine) as session:
        admin = actor_for(session, world, "admin@example.org")
        before = counts(session)
        content = json.dumps(items).encode()
        plan = preview_import(session, actor=admin, fmt="register", content=content, label=LABEL)
        texts = [say(p, "en") for p in plan.problems]
        assert (
            f"{LABEL}[2]: status: 'STANGD' is not one of AKTIV, VILANDE, UPPHORT, PLANERAD" in texts
        )
        assert f"{LABEL}[3]: schoolUnitCode: '123' is not 8 digits" in texts
        assert any(t.startswith(f"{LABEL}[4]: included.organizationNumber") for t in texts)
        with pytest.raises(InvalidInput):
            accept_import(session, actor=admin, fmt="register", content=content, label=LABEL)
        assert counts(session) == before


CSV = """unit_id,name,kind,parent_id,school_unit_code,school_forms,active
k-a,Uppsala kommun,organiser,SE,,,
s-new,Nyskolan,school,k-a,33333333,grundskola,
"""


def test_csv_problems_name_their_lines_and_the_preview_writes_nothing(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    bad = CSV + "s-bad,Felskolan,school,k-a,123,grundskola;skolform,kanske\n"
    with Session(engine) as session:
        admin = actor_for(session, world, "admin@example.org")
        before = counts(session)
        plan = preview_import(session, actor=admin, fmt="csv", content=bad.encode(), label="u.csv")
        texts = [say(p, "en") for p in plan.problems]
        assert "u.csv:4: school_unit_code: '123' is not 8 digits" in texts
        assert any(t.startswith("u.csv:4: school_forms: 'skolform' is not one of") for t in texts)
        assert any(t.startswith("u.csv:4: active: 'kanske'") for t in texts)
        # A good file's preview writes nothing either.
        good = preview_import(session, actor=admin, fmt="csv", content=CSV.encode(), label="u.csv")
        assert good.problems == [] and good.count("created") == 2
        session.commit()
        assert counts(session) == before


def test_accept_writes_and_audits_once_with_counts_and_checksum(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    content = CSV.encode()
    with Session(engine) as session:
        admin = actor_for(session, world, "admin@example.org")
        units_before = counts(session)[0]
        accept_import(
            session, actor=admin, fmt="csv", content=content, label="u.csv", ip="10.1.1.1"
        )
        session.commit()
        assert counts(session)[0] == units_before + 2
        audit = session.exec(select(AuditLog).where(AuditLog.action == "units.import")).all()
        assert len(audit) == 1
        assert audit[0].detail["sha256"] == hashlib.sha256(content).hexdigest()
        assert audit[0].detail["created"] == 2 and audit[0].user_id == admin.id
        assert audit[0].ip == "10.1.1.1"
        # Again with one unit marked inactive: an update, not a duplicate.
        again = CSV.replace("grundskola,\n", "grundskola,nej\n").encode()
        plan = accept_import(session, actor=admin, fmt="csv", content=again, label="u.csv")
        assert plan.counts()["deactivated"] == 1 and plan.counts()["created"] == 0
        assert by_code(session, "33333333").active is False


def test_strategist_imports_only_into_its_own_organiser(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    items = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    with Session(engine) as session:
        strategist = actor_for(session, world, "strategist-a@example.org")
        before = counts(session)
        plan = preview_import(
            session, actor=strategist, fmt="register", content=EXAMPLE.read_bytes(), label=LABEL
        )
        outside = [say(p, "en") for p in plan.problems]
        # Enköping's school (index 7) and the new independent organiser are outside Uppsala.
        assert any(t.startswith(f"{LABEL}[7]: ") for t in outside), outside
        assert not any(t.startswith(f"{LABEL}[0]: ") for t in outside)
        with pytest.raises(InvalidInput):
            accept_import(
                session, actor=strategist, fmt="register", content=EXAMPLE.read_bytes(), label=LABEL
            )
        assert counts(session) == before
        # Uppsala kommun's own school units alone: fine.
        own = [i for i in items if i["included"]["organizationNumber"] == "2120003005"]
        content = json.dumps(own).encode()
        plan = accept_import(
            session, actor=strategist, fmt="register", content=content, label=LABEL
        )
        assert plan.count("created") == len(own)
        session.commit()
        made = session.exec(
            select(Unit).where(
                col(Unit.school_unit_code).in_([i["data"]["schoolUnitCode"] for i in own])
            )
        ).all()
        assert {u.parent_id for u in made} == {world.org_a}
        # A CSV moving one of organiser B's schools is refused the same way.
        csv = "unit_id,name,kind,parent_id\nx,Ekskolan,school,kommun-x\n"
        plan = preview_import(
            session, actor=strategist, fmt="csv", content=csv.encode(), label="u.csv"
        )
        assert plan.problems

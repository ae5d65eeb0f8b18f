"""Editing units and people: moves without cycles, deactivated units get no new rounds, role
grants changed and revoked within the actor's part, and never without an active administrator."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from survey.errors import Conflict, InvalidInput, NotFound
from survey.models import Assessment, AuditLog, RoleGrant, Unit, User
from survey.questionnaire import load_directory
from survey.services.access import Actor, load_actor
from survey.services.accounts.admin import (
    change_grant,
    get_user_for,
    list_users,
    revoke_grant,
    set_user_active,
)
from survey.services.national.rounds import targeted_units
from survey.services.rounds.organiser import (
    RoundInputError,
    create_organiser_round,
    parse_round_request,
)
from survey.services.unitadmin.manage import (
    get_unit_for,
    list_units,
    move_unit,
    set_unit_active,
    update_unit,
)
from tests.factories import World, build_world

QUESTIONNAIRES = {(q.key, q.version): q for q in load_directory()[0]}
SKOLA = next(q for (key, _), q in QUESTIONNAIRES.items() if key == "skola")


def actor_for(session: Session, world: World, email: str) -> Actor:
    return load_actor(session, user=session.get(User, world.users[email]))  # type: ignore[arg-type]


def new_round(session: Session, world: World, **fields: str) -> set[int]:
    values = {
        "owner": str(world.org_a),
        "questionnaire": f"{SKOLA.key}@{SKOLA.version}",
        "title": "VT",
        "opens": "2026-02-01",
        "closes": "2026-04-30",
        "selection": "all",
        **fields,
    }
    lists = {"units": [values.pop("units")]} if "units" in values else {}
    round_ = create_organiser_round(
        session,
        actor=actor_for(session, world, "strategist-a@example.org"),
        req=parse_round_request(values, lists),
        questionnaires=QUESTIONNAIRES,
        today=date(2026, 3, 1),
    )
    return set(session.exec(select(Assessment.unit_id).where(Assessment.round_id == round_.id)))


def test_deactivated_unit_gets_no_new_round(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    with Session(engine) as session:
        strategist = actor_for(session, world, "strategist-a@example.org")
        lind = get_unit_for(session, actor=strategist, unit_id=world.school_a2)
        assert set_unit_active(session, actor=strategist, unit=lind, active=False)
        assert new_round(session, world) == {world.school_a}
        with pytest.raises(RoundInputError) as refused:
            new_round(session, world, selection="list", units=str(world.school_a2))
        assert [i.key for i in refused.value.issues] == ["unit_inactive"]
        nation = session.get(Unit, world.nation)
        found = targeted_units(session, owner=nation, kinds=["school"], school_forms=[])  # type: ignore[arg-type]
        assert world.school_a2 not in {u.id for u in found} and world.school_a in {
            u.id for u in found
        }
        # An inactive organiser takes its units with it.
        org_b = session.get(Unit, world.org_b)
        admin = actor_for(session, world, "admin@example.org")
        set_unit_active(session, actor=admin, unit=org_b, active=False)  # type: ignore[arg-type]
        found = targeted_units(session, owner=nation, kinds=["school"], school_forms=[])  # type: ignore[arg-type]
        assert world.school_b not in {u.id for u in found}
        # Reactivated: it gets rounds again; both changes are audited.
        set_unit_active(session, actor=strategist, unit=lind, active=True)
        assert world.school_a2 in new_round(session, world)
        actions = session.exec(select(AuditLog.action).where(AuditLog.object_id == world.school_a2))
        assert {"unit.deactivate", "unit.reactivate"} <= set(actions)


def test_moves_stay_in_the_tree_and_the_actors_part(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    with Session(engine) as session:
        admin = actor_for(session, world, "admin@example.org")
        org_a = session.get(Unit, world.org_a)
        with pytest.raises(InvalidInput) as cycle:  # into its own descendant
            move_unit(session, actor=admin, unit=org_a, parent_id=world.school_a)  # type: ignore[arg-type]
        assert cycle.value.key == "err.units.cycle"
        with pytest.raises(InvalidInput):  # a school under a region: the wrong kind
            school = session.get(Unit, world.school_a)
            move_unit(session, actor=admin, unit=school, parent_id=world.region)  # type: ignore[arg-type]
        strategist = actor_for(session, world, "strategist-a@example.org")
        school = get_unit_for(session, actor=strategist, unit_id=world.school_a)
        with pytest.raises(InvalidInput):  # organiser B is not the strategist's
            move_unit(session, actor=strategist, unit=school, parent_id=world.org_b)
        with pytest.raises(Conflict):  # its own organiser stays where it is
            move_unit(session, actor=strategist, unit=org_a, parent_id=world.nation)  # type: ignore[arg-type]
        with pytest.raises(NotFound):
            get_unit_for(session, actor=strategist, unit_id=world.school_b)
        # The admin moves school A to organiser B: its path follows.
        move_unit(session, actor=admin, unit=school, parent_id=world.org_b)
        org_b = session.get(Unit, world.org_b)
        assert school.path == f"{org_b.path}{school.id}/"  # type: ignore[union-attr]


def test_edit_checks_fields_like_the_import(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    with Session(engine) as session:
        strategist = actor_for(session, world, "strategist-a@example.org")
        school = get_unit_for(session, actor=strategist, unit_id=world.school_a)
        with pytest.raises(InvalidInput) as bad:
            update_unit(session, actor=strategist, unit=school, name="", school_unit_code="12",
                        forms=["skola"])  # fmt: skip
        assert [p.params.get("field") for p in bad.value.problems] == [
            "name",
            "school_unit_code",
            "school_forms",
        ]
        with pytest.raises(InvalidInput):  # another unit's code
            update_unit(session, actor=strategist, unit=school, name="K",
                        school_unit_code="11111112", forms=[])  # fmt: skip
        changes = update_unit(session, actor=strategist, unit=school, name="Kvarnbacksskolan",
                              school_unit_code="11111119", forms=["grundskola", "fritidshem"])  # fmt: skip
        assert set(changes) == {"name", "school_unit_code", "school_forms"}
        listing = list_units(session, actor=strategist, q="kvarnbacks")
        assert [u.id for u in listing.units] == [world.school_a]
        assert listing.forms[world.school_a] == ["grundskola", "fritidshem"]
        assert list_units(session, actor=strategist, q="Ekskolan").units == []


def test_grants_and_users_within_the_actors_part(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    with Session(engine) as session:
        strategist = actor_for(session, world, "strategist-a@example.org")
        views, _ = list_users(session, actor=strategist)
        emails = {v.user.email for v in views}
        assert "principal-a@example.org" in emails and "principal-b@example.org" not in emails
        with pytest.raises(NotFound):
            get_user_for(session, actor=strategist, user_id=world.users["principal-b@example.org"])
        view = get_user_for(
            session, actor=strategist, user_id=world.users["principal-a@example.org"]
        )
        grant = view.grants[0].grant
        with pytest.raises(InvalidInput):  # strategists do not hand out admin roles
            change_grant(session, actor=strategist, view=view, grant_id=grant.id, role="admin",
                         unit_id=world.school_a)  # fmt: skip
        with pytest.raises(InvalidInput):  # nor roles on other organisers' units
            change_grant(session, actor=strategist, view=view, grant_id=grant.id,
                         role="principal", unit_id=world.school_b)  # fmt: skip
        change_grant(session, actor=strategist, view=view, grant_id=grant.id, role="principal",
                     unit_id=world.school_a2)  # fmt: skip
        assert session.get(RoleGrant, grant.id).unit_id == world.school_a2  # type: ignore[union-attr]
        assert set_user_active(session, actor=strategist, view=view, active=False)
        revoke_grant(session, actor=strategist, view=view, grant_id=grant.id)
        assert session.get(RoleGrant, grant.id) is None
        actions = set(
            session.exec(select(AuditLog.action).where(AuditLog.user_id == strategist.id))
        )
        assert {"role.change", "role.revoke", "user.deactivate"} <= actions
        # The national user has a role on the nation: not the strategist's to deactivate.
        admin = actor_for(session, world, "admin@example.org")
        national = get_user_for(session, actor=admin, user_id=world.users["national@example.org"])
        with pytest.raises(NotFound):
            get_user_for(session, actor=strategist, user_id=world.users["national@example.org"])
        assert national.grants


def test_the_last_active_administrator_stays(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    with Session(engine) as session:
        admin = actor_for(session, world, "admin@example.org")
        own = get_user_for(session, actor=admin, user_id=admin.id)
        grant_id = own.grants[0].grant.id
        with pytest.raises(Conflict) as refused:
            revoke_grant(session, actor=admin, view=own, grant_id=grant_id)  # type: ignore[arg-type]
        assert refused.value.key == "err.users.last_admin"
        with pytest.raises(Conflict):
            change_grant(session, actor=admin, view=own, grant_id=grant_id, role="national",  # type: ignore[arg-type]
                         unit_id=world.nation)  # fmt: skip
        with pytest.raises(Conflict):
            set_user_active(session, actor=admin, view=own, active=False)
        # With a second active administrator, the first may step down.
        other = get_user_for(session, actor=admin, user_id=world.users["national@example.org"])
        change_grant(session, actor=admin, view=other, grant_id=other.grants[0].grant.id,  # type: ignore[arg-type]
                     role="admin", unit_id=world.nation)  # fmt: skip
        assert set_user_active(session, actor=admin, view=own, active=False)

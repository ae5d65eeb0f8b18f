"""National rounds: national staff create a follow-up round for every unit of the
chosen kinds and school forms in the country; each gets its assessment.

Organiser-level questionnaires (``huvudman``) target organisers, the answering units; a school
form then picks the organisers that run it (the organiser or a unit below it has the form).
Input problems are collected per form field (``RoundInputError.issues``, message keys
``nat.err.<key>``) and nothing is created while there is any. The creation is in the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from survey.errors import NotFound
from survey.models import (
    SCHOOL_FORMS,
    UNIT_KINDS,
    Assessment,
    Round,
    Unit,
    UnitSchoolForm,
)
from survey.questionnaire import Questionnaire
from survey.services.access import Actor
from survey.services.questionnaires import store_version
from survey.services.rounds.requests import Issue, RoundBasics, RoundInputError
from survey.services.rounds.store import create_round
from survey.services.units import inactive_paths, without_inactive

#: Kinds a national round can target (the answering units of the questionnaires).
TARGET_KINDS = tuple(k for k in UNIT_KINDS if k not in ("nation", "region"))


@dataclass
class NationalRoundRequest(RoundBasics):
    """What the new-national-round form sends, parsed (``None`` where it could not be)."""

    kinds: list[str] = field(default_factory=list)
    school_forms: list[str] = field(default_factory=list)


def parse_national_round_request(
    form: Mapping[str, str], lists: Mapping[str, list[str]]
) -> NationalRoundRequest:
    """Parse the form's strings; ``lists`` holds the multi-valued fields (kinds, school_forms)."""
    req = NationalRoundRequest()
    req.parse_basics(form)
    for name, allowed, target in (
        ("kinds", TARGET_KINDS, req.kinds),
        ("school_forms", SCHOOL_FORMS, req.school_forms),
    ):
        for value in lists.get(name, []):
            if value not in allowed:
                req.issues.append(Issue(name, f"{name}_invalid", {"value": value}))
            elif value not in target:
                target.append(value)
    return req


def can_create_national_round(actor: Actor) -> bool:
    return actor.is_admin or actor.has("national")


def national_owner(session: Session, *, actor: Actor) -> Unit | None:
    """The unit a national round belongs to: the unit of the actor's national role (the
    nation), for admins the nation."""
    for grant in actor.grants:
        if grant.role == "national":
            return session.get(Unit, grant.unit_id)
    if actor.is_admin:
        return session.exec(
            select(Unit).where(Unit.kind == "nation").order_by(col(Unit.id))
        ).first()
    return None


def targeted_units(
    session: Session, *, owner: Unit, kinds: list[str], school_forms: list[str]
) -> list[Unit]:
    """Units below ``owner`` of ``kinds`` with one of ``school_forms`` (any when empty); an
    organiser counts as having a form when it or a unit below it has it."""
    units = list(
        session.exec(
            select(Unit)
            .where(col(Unit.path).startswith(owner.path), col(Unit.kind).in_(kinds))
            .order_by(col(Unit.id))
        )
    )
    units = without_inactive(units, inactive_paths(session, under=owner.path))
    if not school_forms:
        return units
    with_form = select(Unit.path).join(UnitSchoolForm, col(UnitSchoolForm.unit_id) == col(Unit.id))
    paths = list(
        session.exec(
            with_form.where(
                col(Unit.path).startswith(owner.path),
                col(UnitSchoolForm.school_form).in_(school_forms),
            ).distinct()
        )
    )
    # Every ancestor path of a unit with the form ("/1/4/17/" → "/1/", "/1/4/", "/1/4/17/").
    exact = set(paths)
    having: set[str] = set()
    for path in exact:
        ids = path.strip("/").split("/")
        having.update("/" + "/".join(ids[: i + 1]) + "/" for i in range(len(ids)))
    return [u for u in units if (u.path in having if u.kind == "organiser" else u.path in exact)]


def create_national_round(
    session: Session,
    *,
    actor: Actor,
    req: NationalRoundRequest,
    questionnaires: Mapping[tuple[str, str], Questionnaire],
    today: date,
    ip: str | None = None,
) -> Round:
    """Validate the request and create the round with a draft assessment per targeted unit.

    Raises RoundInputError listing every problem (nothing is created), or NotFound when the
    actor may not create national rounds. No kind chosen means every kind the questionnaire is
    for.
    """
    owner = national_owner(session, actor=actor) if can_create_national_round(actor) else None
    if owner is None:
        raise NotFound("err.page_not_found")
    q, issues = req.check_basics(questionnaires, today)
    kinds = list(req.kinds)
    units: list[Unit] = []
    if q is not None:
        kinds = kinds or list(q.targets)
        wrong = [k for k in kinds if k not in q.targets]
        if wrong:
            issues.append(Issue("kinds", "kind_not_target", {"kinds": wrong, "for": q.targets}))
        elif not any(i.field in ("kinds", "school_forms") for i in issues):
            units = targeted_units(session, owner=owner, kinds=kinds, school_forms=req.school_forms)
            if not units:
                issues.append(Issue("kinds", "none_match", {"kinds": kinds}))
    if issues:
        raise RoundInputError(issues)
    assert q is not None and req.opens and req.closes
    targets: dict[str, object] = {"kinds": kinds, "school_forms": req.school_forms}
    round_ = create_round(
        session,
        questionnaire=store_version(session, questionnaire=q),
        owner=owner,
        kind="national",
        title=req.title,
        opens=req.opens,
        closes=req.closes,
        units=units,
        targets=targets,
        actor_id=actor.id,
        ip=ip,
    )
    return round_


def national_rounds(session: Session) -> list[Round]:
    """Every national round, newest first."""
    return list(
        session.exec(
            select(Round)
            .where(Round.kind == "national")
            .order_by(col(Round.opens).desc(), col(Round.id).desc())
        )
    )


def round_counts(session: Session, *, round_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Round id → (targeted units, submitted assessments)."""
    if not round_ids:
        return {}
    submitted = func.sum(case((col(Assessment.state) == "submitted", 1), else_=0))
    rows = session.exec(
        select(Assessment.round_id, func.count(), submitted)
        .where(col(Assessment.round_id).in_(round_ids))
        .group_by(col(Assessment.round_id))
    )
    return {rid: (int(n), int(done or 0)) for rid, n, done in rows}

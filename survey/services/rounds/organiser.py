"""An organiser's rounds: creating one for a selection of its units, extending, closing early and
reopening it. Every change is in the audit log.

Input problems are collected per form field (:mod:`survey.services.rounds.requests`); nothing
is created or changed when there is any.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from survey.errors import Conflict, Forbidden, NotFound
from survey.models import SCHOOL_FORMS, Round, Unit, UnitSchoolForm, id_of
from survey.parsing import ascii_int
from survey.questionnaire import Questionnaire
from survey.services.access import Actor
from survey.services.assessments.batches import end_round_collections, reopen_round_collections
from survey.services.audit import record
from survey.services.questionnaires import store_version
from survey.services.rounds.access import RoundScope
from survey.services.rounds.requests import Issue, RoundBasics, RoundInputError
from survey.services.rounds.store import create_round
from survey.services.units import inactive_paths, without_inactive

SELECTIONS = ("all", "list")


class RoundConflict(Conflict):
    """The round's state does not allow the change."""


@dataclass
class RoundRequest(RoundBasics):
    """What the new-round form sends, parsed (``None`` where it could not be parsed)."""

    owner_id: int | None = None
    selection: str = "all"
    school_forms: list[str] = field(default_factory=list)
    unit_ids: list[int] = field(default_factory=list)
    sharing_mandatory: bool = False


def parse_round_request(form: Mapping[str, str], lists: Mapping[str, list[str]]) -> RoundRequest:
    """Parse the form's strings; ``lists`` holds the multi-valued fields (school_forms, units)."""
    req = RoundRequest()
    issues = req.issues
    req.parse_basics(form)
    req.owner_id = ascii_int(form.get("owner", ""))
    req.selection = form.get("selection", "all").strip() or "all"
    if req.selection not in SELECTIONS:
        issues.append(Issue("selection", "selection_invalid", {"value": req.selection}))
    for school_form in lists.get("school_forms", []):
        if school_form not in SCHOOL_FORMS:
            issues.append(Issue("school_forms", "school_form_invalid", {"value": school_form}))
        elif school_form not in req.school_forms:
            req.school_forms.append(school_form)
    for raw in lists.get("units", []):
        unit_id = ascii_int(raw)
        if unit_id is not None:
            req.unit_ids.append(unit_id)
        else:
            issues.append(Issue("units", "unit_invalid", {"value": raw}))
    req.sharing_mandatory = form.get("sharing_mandatory", "") in ("1", "on", "true")
    return req


# --------------------------------------------------------------------------------- who and what


def owner_choices(session: Session, *, actor: Actor) -> list[Unit]:
    """Organisers the actor may create rounds for: a strategist's own organisers; admins all.

    National staff create national rounds, not organiser rounds.
    """
    organisers = session.exec(
        select(Unit)
        .where(Unit.kind == "organiser", col(Unit.active).is_(True))
        .order_by(col(Unit.name))
    )
    if actor.is_admin:
        return list(organisers)
    paths = [g.path for g in actor.grants if g.role == "strategist"]
    if not paths:
        return []
    return [u for u in organisers if any(u.path.startswith(p) for p in paths)]


def unit_forms(session: Session, *, unit_ids: list[int]) -> dict[int, list[str]]:
    forms: dict[int, list[str]] = {}
    if not unit_ids:
        return forms
    for unit_id, school_form in session.exec(
        select(UnitSchoolForm.unit_id, UnitSchoolForm.school_form).where(
            col(UnitSchoolForm.unit_id).in_(unit_ids)
        )
    ):
        forms.setdefault(unit_id, []).append(school_form)
    return {u: sorted(f, key=SCHOOL_FORMS.index) for u, f in forms.items()}


def organiser_units(session: Session, *, owner: Unit) -> list[Unit]:
    """The organiser itself and every active unit below it, by kind and name (an inactive unit,
    and everything under it, receives no new rounds)."""
    found = session.exec(select(Unit).where(col(Unit.path).startswith(owner.path)))
    units = without_inactive(found, inactive_paths(session, under=owner.path))
    return sorted(units, key=lambda u: (u.kind != "organiser", u.name.casefold()))


def eligible_units(
    session: Session, *, owner: Unit, q: Questionnaire, school_forms: list[str]
) -> list[Unit]:
    """Units of ``owner`` of the questionnaire's target kinds, with one of ``school_forms``
    (any form when empty)."""
    units = [u for u in organiser_units(session, owner=owner) if u.kind in q.targets]
    if not school_forms:
        return units
    forms = unit_forms(session, unit_ids=[id_of(u) for u in units])
    return [u for u in units if set(forms.get(id_of(u), [])) & set(school_forms)]


def _pick_units(
    session: Session, *, owner: Unit, q: Questionnaire, req: RoundRequest, issues: list[Issue]
) -> list[Unit]:
    if req.selection == "all":
        units = eligible_units(session, owner=owner, q=q, school_forms=req.school_forms)
        if not units:
            issues.append(Issue("units", "none_match", {"kinds": list(q.targets)}))
        return units
    if not req.unit_ids:
        if not any(i.field == "units" for i in issues):
            issues.append(Issue("units", "none_chosen", {}))
        return []
    found = {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(req.unit_ids)))}
    inactive = inactive_paths(session, under=owner.path)
    units = []
    for unit_id in dict.fromkeys(req.unit_ids):
        unit = found.get(unit_id)
        if unit is None:
            issues.append(Issue("units", "unit_unknown", {"id": unit_id}))
        elif not unit.path.startswith(owner.path):
            issues.append(Issue("units", "unit_outside", {"id": unit_id, "owner": owner.name}))
        elif not without_inactive([unit], inactive):
            issues.append(Issue("units", "unit_inactive", {"name": unit.name}))
        elif unit.kind not in q.targets:
            issues.append(
                Issue(
                    "units",
                    "unit_kind",
                    {"name": unit.name, "kind": unit.kind, "kinds": list(q.targets)},
                )
            )
        else:
            units.append(unit)
    return units


def create_organiser_round(
    session: Session,
    *,
    actor: Actor,
    req: RoundRequest,
    questionnaires: Mapping[tuple[str, str], Questionnaire],
    today: date,
    ip: str | None = None,
) -> Round:
    """Validate the request and create the round with a draft assessment per unit.

    Raises RoundInputError listing every problem (nothing is created), or NotFound when the
    actor may not create organiser rounds at all.
    """
    choices = {u.id: u for u in owner_choices(session, actor=actor)}
    if not choices:
        raise NotFound("err.page_not_found")
    q, issues = req.check_basics(questionnaires, today)
    owner = choices.get(req.owner_id) if req.owner_id is not None else None
    if owner is None and req.owner_id is None and len(choices) == 1:
        owner = next(iter(choices.values()))
    if owner is None:
        issues.append(Issue("owner", "owner_invalid", {}))
    units: list[Unit] = []
    if owner is not None and q is not None and req.selection in SELECTIONS:
        units = _pick_units(session, owner=owner, q=q, req=req, issues=issues)
    if issues:
        raise RoundInputError(issues)
    assert owner is not None and q is not None and req.opens and req.closes
    targets: dict[str, object] = (
        {"kinds": list(q.targets), "school_forms": req.school_forms}
        if req.selection == "all"
        else {"unit_ids": [u.id for u in units]}
    )
    round_ = create_round(
        session,
        questionnaire=store_version(session, questionnaire=q),
        owner=owner,
        kind="organiser",
        title=req.title,
        opens=req.opens,
        closes=req.closes,
        units=units,
        sharing_mandatory=req.sharing_mandatory,
        targets=targets,
        actor_id=actor.id,
        ip=ip,
    )
    return round_


# --------------------------------------------------------------------------------- lifecycle


def _managed(scope: RoundScope) -> Round:
    if not scope.can_manage:
        raise Forbidden("err.round.not_owner")
    return scope.round


def _log(
    session: Session,
    round_: Round,
    action: str,
    actor: Actor,
    ip: str | None,
    detail: dict[str, Any],
) -> None:
    record(
        session,
        action=action,
        object_type="round",
        object_id=round_.id,
        unit_id=round_.owner_unit_id,
        user_id=actor.id,
        detail=detail,
        ip=ip,
    )


def extend_round(
    session: Session, *, scope: RoundScope, closes: date, actor: Actor, ip: str | None = None
) -> Round:
    """Move the close date of an open round later."""
    round_ = _managed(scope)
    if round_.state == "closed":
        raise RoundConflict("rounds.err.extend_closed")
    if closes <= round_.closes:
        raise RoundInputError(
            [Issue("closes", "extend_not_later", {"current": round_.closes.isoformat()})]
        )
    previous = round_.closes
    round_.closes = closes
    session.add(round_)
    _log(
        session,
        round_,
        "round.extend",
        actor,
        ip,
        {"closes_from": previous.isoformat(), "closes_to": closes.isoformat()},
    )
    session.flush()
    return round_


def close_round(
    session: Session,
    *,
    scope: RoundScope,
    actor: Actor,
    today: date,
    k: int,
    ip: str | None = None,
) -> Round:
    """Close the round now: no more answers or submissions (the planned date is kept). Every
    unit's anonymous collection ends, releasing a batch where at least ``k`` are waiting."""
    round_ = _managed(scope)
    if round_.state == "closed":
        raise RoundConflict("rounds.err.already_closed")
    round_.state = "closed"
    session.add(round_)
    end_round_collections(session, round_=round_, k=k, actor_id=actor.id, ip=ip)
    _log(
        session,
        round_,
        "round.close",
        actor,
        ip,
        {"closes": round_.closes.isoformat(), "closed_on": today.isoformat()},
    )
    session.flush()
    return round_


def reopen_round(
    session: Session,
    *,
    scope: RoundScope,
    actor: Actor,
    today: date,
    closes: date | None = None,
    ip: str | None = None,
) -> Round:
    """Open a closed round again, optionally with a new close date (needed once it passed)."""
    round_ = _managed(scope)
    if round_.state != "closed":
        raise RoundConflict("rounds.err.not_closed")
    if closes is None and round_.closes < today:
        raise RoundInputError(
            [Issue("closes", "reopen_needs_date", {"current": round_.closes.isoformat()})]
        )
    if closes is not None and (closes < today or closes < round_.opens):
        raise RoundInputError([Issue("closes", "closes_past", {})])
    previous = round_.closes
    round_.state = "open"
    round_.closes = closes or round_.closes
    session.add(round_)
    reopen_round_collections(session, round_=round_)
    _log(
        session,
        round_,
        "round.reopen",
        actor,
        ip,
        {"closes_from": previous.isoformat(), "closes_to": round_.closes.isoformat()},
    )
    session.flush()
    return round_

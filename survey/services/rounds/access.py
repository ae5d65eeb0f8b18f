"""Which rounds, and which of a round's units, an actor may see (DESIGN.md §5).

- A strategist sees the rounds its organiser owns and the national rounds its units take part
  in, and within a round only the units in its subtree.
- National staff and admins see every round; national staff never see single units' results
  (aggregates only, issue 8), admins see everything.
- Principals see no round-level views.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select

from survey.errors import NotFound
from survey.models import Assessment, Round, Unit
from survey.services.access import Actor


def strategist_paths(actor: Actor) -> list[str]:
    return [g.path for g in actor.grants if g.role == "strategist"]


def visible_rounds(session: Session, *, actor: Actor) -> list[Round]:
    """Rounds the actor may open, newest first."""
    query = select(Round).order_by(col(Round.opens).desc(), col(Round.id).desc())
    if actor.is_admin or actor.has("national"):
        return list(session.exec(query))
    paths = strategist_paths(actor)
    if not paths:
        return []
    in_subtree = or_(*(col(Unit.path).startswith(p) for p in paths))
    owned = select(Round.id).join(Unit, col(Unit.id) == Round.owner_unit_id).where(in_subtree)
    taking_part = (
        select(Assessment.round_id).join(Unit, col(Unit.id) == Assessment.unit_id).where(in_subtree)
    )
    return list(
        session.exec(query.where(or_(col(Round.id).in_(owned), col(Round.id).in_(taking_part))))
    )


def can_manage_round(actor: Actor, round_: Round, owner: Unit) -> bool:
    """Create/extend/close/reopen: strategists of the owning organiser, national staff for
    national rounds, admins."""
    if actor.is_admin:
        return True
    if round_.kind == "national":
        return actor.has("national")
    return actor.has("strategist", owner)


@dataclass(frozen=True)
class RoundScope:
    round: Round
    owner: Unit
    #: Unit paths whose units the actor sees individually; None = every unit (admin).
    unit_paths: tuple[str, ...] | None
    can_manage: bool
    #: National staff see aggregates only, never a single unit.
    aggregates_only: bool

    def sees_unit(self, unit: Unit) -> bool:
        if self.aggregates_only:
            return False
        return self.unit_paths is None or any(unit.path.startswith(p) for p in self.unit_paths)


def get_round_for(session: Session, *, actor: Actor, round_id: int) -> RoundScope:
    """The round with what the actor may see of it, or 404."""
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound("err.round.not_found")
    owner = session.get(Unit, round_.owner_unit_id)
    assert owner is not None
    if actor.is_admin:
        return RoundScope(round_, owner, None, True, False)
    if actor.has("national"):
        return RoundScope(round_, owner, (), can_manage_round(actor, round_, owner), True)
    if round_.id not in {r.id for r in visible_rounds(session, actor=actor)}:
        raise NotFound("err.round.not_found")
    return RoundScope(
        round_, owner, tuple(strategist_paths(actor)), can_manage_round(actor, round_, owner), False
    )


def get_round_units_view(session: Session, *, actor: Actor, round_id: int) -> RoundScope:
    """For pages that show single units (participation, heat map, equity panel): 404 for
    national staff, who see aggregates only."""
    scope = get_round_for(session, actor=actor, round_id=round_id)
    if scope.aggregates_only:
        raise NotFound("err.round.not_found")
    return scope


def get_national_round(session: Session, *, actor: Actor, round_id: int) -> Round:
    """A national round for national staff and admins; 404 for everyone and everything else."""
    if not (actor.is_admin or actor.has("national")):
        raise NotFound("err.round.not_found")
    scope = get_round_for(session, actor=actor, round_id=round_id)
    if scope.round.kind != "national":
        raise NotFound("err.round.not_found")
    return scope.round

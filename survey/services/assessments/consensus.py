"""Team consensus on a unit's own assessment (README "Team consensus").

The principal invites members of the school's team; each member rates every item on their own
page and sees the others' ratings only after handing in their own. The principal sees, per item,
the spread of the members' ratings (with their names, as in a team meeting) and sets the agreed
value, which is written as the unit's answer through :func:`save_answer` (scoring unchanged).

Members' ratings are kept in ``member_rating`` only, never as respondents or answers, so no
score, export, organiser or national view can contain them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from survey.clock import utcnow
from survey.errors import Conflict, InvalidInput, NotFound
from survey.models import (
    ActionPlanRow,
    Answer,
    Assessment,
    AssessmentMember,
    MemberRating,
    PasswordReset,
    Round,
    Unit,
    User,
    id_of,
)
from survey.questionnaire import Questionnaire
from survey.security import hash_password, new_token, token_digest
from survey.services.access import Actor, AssessmentContext
from survey.services.accounts.users import normalise_email, valid_email
from survey.services.assessments.answers import ReadOnly, parse_choice, save_answer
from survey.services.audit import record_assessment
from survey.services.plan.actions import add_row
from survey.services.rounds.store import unit_respondent

# Ratings that span this many levels or more (max − min) are marked "views differ".
DIFFER_SPAN = 2


@dataclass(frozen=True)
class Member:
    id: int
    user_id: int
    name: str
    email: str
    joined_at: datetime | None
    submitted_at: datetime | None


@dataclass(frozen=True)
class Rating:
    member_id: int
    name: str
    kind: str
    value: int | None
    comment: str | None


@dataclass
class ItemSpread:
    """The members' ratings of one item: how many chose each level, the range, the marker."""

    item_id: str
    counts: dict[int, int] = field(default_factory=dict)
    others: dict[str, int] = field(default_factory=dict)  # na / dk counts
    ratings: list[Rating] = field(default_factory=list)

    @property
    def low(self) -> int | None:
        return min(self.counts) if self.counts else None

    @property
    def high(self) -> int | None:
        return max(self.counts) if self.counts else None

    @property
    def differs(self) -> bool:
        return bool(self.counts) and max(self.counts) - min(self.counts) >= DIFFER_SPAN


def ensure_unit_level(q: Questionnaire) -> None:
    if q.is_individual:
        raise NotFound("err.page_not_found")


# ------------------------------------------------------------------------------------ members


def members_of(session: Session, *, assessment_id: int) -> list[Member]:
    rows = session.exec(
        select(AssessmentMember, User)
        .join(User, col(User.id) == AssessmentMember.user_id)
        .where(AssessmentMember.assessment_id == assessment_id)
        .order_by(col(AssessmentMember.id))
    ).all()
    return [
        Member(id_of(m), id_of(u), u.name, u.email, m.joined_at, m.submitted_at) for m, u in rows
    ]


def member_for(session: Session, *, ctx: AssessmentContext, actor: Actor) -> AssessmentMember:
    """The actor's membership of the assessment's team (404 otherwise). Reads only (pages are
    GET requests); the first saved rating counts as joining."""
    member = session.exec(
        select(AssessmentMember).where(
            AssessmentMember.assessment_id == ctx.assessment.id,
            AssessmentMember.user_id == actor.id,
        )
    ).first()
    if member is None:
        raise NotFound("err.assessment.not_found")
    return member


@dataclass(frozen=True)
class Invited:
    member: AssessmentMember
    user: User
    # An account was made: the token of a single-use link to set its password (the password
    # reset page), for the caller to mail; None for an existing account.
    password_token: str | None


def invite_member(
    session: Session,
    *,
    ctx: AssessmentContext,
    email: str,
    actor: Actor,
    ip: str | None,
    link_minutes: int = 14 * 24 * 60,
) -> Invited:
    """Put the person with ``email`` on the team. An address without an account gets one
    without any role grant, with an unusable password and a link to set one."""
    address = normalise_email(email)[:254]
    if not valid_email(address):
        raise InvalidInput("err.team.email", email=email[:254])
    if ctx.assessment.state == "submitted" or ctx.round.state == "closed":
        raise ReadOnly("err.answer.submitted")
    user = session.exec(select(User).where(User.email == address)).first()
    new_account = user is None
    if user is None:
        user = User(email=address, password_hash=hash_password(new_token()))
        session.add(user)
        session.flush()
    elif not user.is_active:
        raise InvalidInput("err.team.inactive", email=address)
    exists = session.exec(
        select(AssessmentMember.id).where(
            AssessmentMember.assessment_id == ctx.assessment.id,
            AssessmentMember.user_id == user.id,
        )
    ).first()
    if exists is not None:
        raise Conflict("err.team.already_member", email=address)
    member = AssessmentMember(
        assessment_id=id_of(ctx.assessment), user_id=id_of(user), invited_by=actor.id
    )
    session.add(member)
    session.flush()
    record_assessment(
        session,
        "team.invite",
        assessment=ctx.assessment,
        user_id=actor.id,
        ip=ip,
        detail={"member_user_id": user.id, "new_account": new_account},
    )
    token = None
    if new_account:
        token = new_token()
        session.add(
            PasswordReset(
                email=address,
                ip=(ip or "")[:64],
                user_id=user.id,
                token_hash=token_digest(token),
                expires_at=utcnow() + timedelta(minutes=link_minutes),
            )
        )
        session.flush()
    return Invited(member, user, token)


# ------------------------------------------------------------------------ a member's own ratings


def ratings_of(session: Session, *, member_id: int) -> dict[str, MemberRating]:
    rows = session.exec(select(MemberRating).where(MemberRating.member_id == member_id)).all()
    return {r.item_id: r for r in rows}


def rating_editable(ctx: AssessmentContext, member: AssessmentMember) -> bool:
    return (
        member.submitted_at is None
        and ctx.assessment.state != "submitted"
        and ctx.round.state != "closed"
    )


def save_rating(
    session: Session,
    *,
    ctx: AssessmentContext,
    q: Questionnaire,
    member: AssessmentMember,
    item_id: str,
    choice_raw: str | None,
    comment: str | None,
) -> MemberRating | None:
    """Save the member's rating of one item (the later save wins); None when cleared."""
    if not rating_editable(ctx, member):
        raise ReadOnly("err.team.rating_closed")
    item = q.item_by_id.get(item_id)
    if item is None:
        raise InvalidInput("err.answer.unknown_item", item=item_id)
    choice = parse_choice(item, q, choice_raw)
    if member.joined_at is None:
        member.joined_at = utcnow()
        session.add(member)
    existing = session.exec(
        select(MemberRating).where(
            MemberRating.member_id == member.id, MemberRating.item_id == item_id
        )
    ).first()
    if comment is None and existing is not None:
        comment = existing.comment
    comment = (comment or "").strip()[:4000] or None
    if choice is None and comment is None:
        if existing is not None:
            session.delete(existing)
            session.flush()
        return None
    kind, value = (choice.kind, choice.value) if choice else ("none", None)
    rating = existing or MemberRating(member_id=id_of(member), item_id=item_id)
    rating.kind, rating.value, rating.comment, rating.updated_at = kind, value, comment, utcnow()
    session.add(rating)
    session.flush()
    return rating


def save_rating_area(
    session: Session,
    *,
    ctx: AssessmentContext,
    q: Questionnaire,
    member: AssessmentMember,
    area: str,
    given: Mapping[str, tuple[str | None, str | None]],
) -> None:
    """The no-JavaScript save of one area of the member's page."""
    if area not in q.area_ids:
        raise InvalidInput("err.answer.unknown_area", area=area)
    for item in q.items_in("area", area):
        raw, comment = given.get(item.id, (None, None))
        save_rating(
            session, ctx=ctx, q=q, member=member, item_id=item.id,
            choice_raw=raw, comment=comment or "",
        )  # fmt: skip


def submit_rating(
    session: Session, *, ctx: AssessmentContext, member: AssessmentMember, ip: str | None
) -> None:
    """Hand in the member's view: it no longer changes, and the others' ratings are shown."""
    if not rating_editable(ctx, member):
        raise ReadOnly("err.team.rating_closed")
    member.submitted_at = utcnow()
    session.add(member)
    record_assessment(
        session, "team.submit", assessment=ctx.assessment, user_id=member.user_id, ip=ip
    )
    session.flush()


# ---------------------------------------------------------------------------- the team's spread


def spread_of(
    q: Questionnaire, members: Sequence[Member], ratings: Mapping[int, Mapping[str, MemberRating]]
) -> list[ItemSpread]:
    """Per item of ``q`` (in order): the submitted members' ratings and their spread."""
    result = []
    for item in q.items:
        spread = ItemSpread(item.id)
        for m in members:
            r = ratings.get(m.id, {}).get(item.id)
            if r is None or r.kind == "none":
                continue
            spread.ratings.append(Rating(m.id, m.name or m.email, r.kind, r.value, r.comment))
            if r.kind == "level" and r.value is not None:
                spread.counts[r.value] = spread.counts.get(r.value, 0) + 1
            else:
                spread.others[r.kind] = spread.others.get(r.kind, 0) + 1
        spread.counts = dict(sorted(spread.counts.items()))
        result.append(spread)
    return result


def team_spread(
    session: Session, *, ctx: AssessmentContext, q: Questionnaire
) -> tuple[list[Member], list[ItemSpread]]:
    """The team and the spread of the ratings of those who have handed in their view."""
    members = members_of(session, assessment_id=id_of(ctx.assessment))
    done = [m for m in members if m.submitted_at is not None]
    ratings = {m.id: ratings_of(session, member_id=m.id) for m in done}
    return members, spread_of(q, done, ratings)


def spread_for_member(
    session: Session, *, ctx: AssessmentContext, q: Questionnaire, member: AssessmentMember
) -> list[ItemSpread]:
    """What a member sees of the others: nothing before handing in their own view."""
    if member.submitted_at is None:
        raise NotFound("err.team.submit_first")
    return team_spread(session, ctx=ctx, q=q)[1]


def disagreed(spreads: Sequence[ItemSpread]) -> list[str]:
    """The items where views differ (ratings span ``DIFFER_SPAN`` levels or more)."""
    return [s.item_id for s in spreads if s.differs]


def agree(
    session: Session,
    *,
    ctx: AssessmentContext,
    q: Questionnaire,
    item_id: str,
    choice_raw: str | None,
    note: str | None,
    actor: Actor,
    ip: str | None,
) -> Answer | None:
    """Set the agreed value of an item: it is the unit's answer (the note its comment)."""
    saved = save_answer(
        session,
        ctx=ctx,
        q=q,
        respondent=unit_respondent(session, assessment=ctx.assessment),
        item_id=item_id,
        choice_raw=choice_raw,
        comment=note or "",
        user_id=actor.id,
    )
    record_assessment(
        session,
        "team.agree",
        assessment=ctx.assessment,
        user_id=actor.id,
        ip=ip,
        detail={"item": item_id, "kind": saved.kind if saved else None,
                "value": saved.value if saved else None},
    )  # fmt: skip
    return saved


def plan_disagreed(
    session: Session, *, ctx: AssessmentContext, q: Questionnaire, actor: Actor, ip: str | None
) -> int:
    """Add an action plan row for each item where views differ and none exists yet (a row of
    the unit's own, titled with the item); returns how many were added."""
    _, spreads = team_spread(session, ctx=ctx, q=q)
    titles = set(
        session.exec(
            select(ActionPlanRow.title).where(ActionPlanRow.assessment_id == ctx.assessment.id)
        ).all()
    )
    added = 0
    for item_id in disagreed(spreads):
        item = q.item_by_id[item_id]
        title = f"{item.id} {item.text.sv}"[:500]
        if title in titles:
            continue
        add_row(session, ctx=ctx, title=title, priority="1")
        added += 1
    record_assessment(
        session, "team.plan", assessment=ctx.assessment, user_id=actor.id, ip=ip,
        detail={"added": added},
    )  # fmt: skip
    return added


def level_counter(spreads: Sequence[ItemSpread]) -> Counter[str]:
    """How many items differ and how many have any rating (for the summary's line)."""
    return Counter("differs" if s.differs else "rated" if s.ratings else "unrated" for s in spreads)


@dataclass(frozen=True)
class Membership:
    assessment_id: int
    unit_name: str
    round_title: str
    submitted_at: datetime | None


def memberships_of(session: Session, *, user_id: int) -> list[Membership]:
    """The assessments whose team the user is on (for the start page), newest first."""
    rows = session.exec(
        select(AssessmentMember, Unit.name, Round.title)
        .join(Assessment, col(Assessment.id) == AssessmentMember.assessment_id)
        .join(Unit, col(Unit.id) == Assessment.unit_id)
        .join(Round, col(Round.id) == Assessment.round_id)
        .where(AssessmentMember.user_id == user_id)
        .order_by(col(AssessmentMember.id).desc())
    ).all()
    return [Membership(m.assessment_id, unit, title, m.submitted_at) for m, unit, title in rows]

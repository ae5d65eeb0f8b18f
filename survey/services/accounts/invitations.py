"""Invitations by e-mail to a role on a unit (README "Invitations").

An administrator invites to any role on any unit; a strategist to principal or strategist on
units of their own organiser's subtree. The link's token is stored hashed and works once, until
it expires; resending replaces it. Accepting creates the account (or uses the existing one with
that address) and grants the role. Every step is audited. The mail itself is written by the web
layer into the outbox in the same transaction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, or_, select

from survey.clock import utcnow
from survey.errors import Conflict, DomainError, Forbidden, InvalidInput, Message, NotFound, msg
from survey.models import ROLES, Invitation, Unit, User, id_of
from survey.security import hash_password, new_token, token_digest
from survey.services.access import Actor
from survey.services.accounts.users import (
    check_password,
    find_unit,
    grant_role,
    normalise_email,
    valid_email,
)
from survey.services.audit import record

STRATEGIST_ROLES = ("principal", "strategist")
LANGUAGES = ("sv", "en")
CSV_COLUMNS = ("email", "role", "unit")
MAX_CSV_ROWS = 2000
MAX_NAME = 200


class LinkGone(DomainError):
    """A link that no longer works (unknown, used, expired or revoked): 410."""

    status_code = 410


@dataclass(frozen=True)
class InviteRequest:
    email: str
    role: str
    unit: Unit
    language: str


@dataclass(frozen=True)
class FieldProblem:
    field: str  # email | role | unit | language
    message: Message


def state_of(invitation: Invitation, now: datetime | None = None) -> str:
    """pending | accepted | expired | revoked."""
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.accepted_at is not None:
        return "accepted"
    return "expired" if invitation.expires_at <= (now or utcnow()) else "pending"


def invitable_roles(actor: Actor) -> tuple[str, ...]:
    if actor.is_admin:
        return ROLES
    return STRATEGIST_ROLES if actor.has("strategist") else ()


def may_invite(actor: Actor, *, unit: Unit, role: str) -> bool:
    return actor.is_admin or (role in STRATEGIST_ROLES and actor.has("strategist", unit))


def _require_inviter(actor: Actor) -> None:
    if not invitable_roles(actor):
        raise NotFound("err.page_not_found")


def check_invitation(
    session: Session, *, actor: Actor, email: str, role: str, unit_ref: str, language: str
) -> tuple[InviteRequest | None, list[FieldProblem]]:
    """One invitation as typed: the request, or the problems with each field. A unit outside
    the actor's reach reads as unknown (its existence is not revealed)."""
    _require_inviter(actor)
    problems: list[FieldProblem] = []
    email = normalise_email(email)
    if not valid_email(email):
        problems.append(FieldProblem("email", msg("err.user.email", value=email)))
    roles = invitable_roles(actor)
    if role not in roles:
        problems.append(
            FieldProblem(
                "role",
                msg("err.field.not_one_of", field="role", value=role, allowed=", ".join(roles)),
            )
        )
    unit: Unit | None = None
    ref = unit_ref.strip()
    if not ref:
        problems.append(FieldProblem("unit", msg("err.field.empty", field="unit")))
    else:
        try:
            unit = find_unit(session, ref=ref)
        except NotFound:
            unit = None
        if unit is None or not (actor.is_admin or actor.has("strategist", unit)):
            problems.append(FieldProblem("unit", msg("err.unit.not_found", ref=ref)))
            unit = None
    if language not in LANGUAGES:
        problems.append(
            FieldProblem(
                "language",
                msg(
                    "err.field.not_one_of",
                    field="language",
                    value=language,
                    allowed=", ".join(LANGUAGES),
                ),
            )  # fmt: skip
        )
    if problems or unit is None:
        return None, problems
    if _pending(session, email=email, unit_id=id_of(unit), role=role) is not None:
        message = msg("err.invitation.pending", email=email, unit=unit.name, role=role)
        return None, [FieldProblem("email", message)]
    return InviteRequest(email=email, role=role, unit=unit, language=language), []


def _pending(session: Session, *, email: str, unit_id: int, role: str) -> Invitation | None:
    now = utcnow()
    return session.exec(
        select(Invitation).where(
            Invitation.email == email,
            Invitation.unit_id == unit_id,
            Invitation.role == role,
            col(Invitation.revoked_at).is_(None),
            col(Invitation.accepted_at).is_(None),
            Invitation.expires_at > now,
        )
    ).first()


def parse_invitations_csv(
    session: Session, *, actor: Actor, text: str, language: str, label: str = "invitations.csv"
) -> list[InviteRequest]:
    """Rows ``email,role,unit`` (a header line naming these columns; unit by id, school unit
    code or external id). Every bad row is reported with its line; InvalidInput if any."""
    _require_inviter(actor)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [(c or "").strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS if c not in columns]
    if missing:
        raise InvalidInput(
            "err.import.missing_columns", where=f"{label}:1", columns=", ".join(missing)
        )
    requests: list[InviteRequest] = []
    errors: list[Message] = []
    seen: dict[tuple[str, str, int], int] = {}
    for raw in reader:
        line = reader.line_num
        if len(requests) + len(errors) >= MAX_CSV_ROWS:
            errors.append(msg("err.invitation.too_many", f"{label}:{line}", max=MAX_CSV_ROWS))
            break
        values = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not any(values.values()):
            continue
        request, problems = check_invitation(
            session,
            actor=actor,
            email=values.get("email", ""),
            role=values.get("role", ""),
            unit_ref=values.get("unit", ""),
            language=language,
        )
        where = f"{label}:{line}"
        errors.extend(Message(p.message.key, p.message.params, where) for p in problems)
        if request is not None:
            key = (request.email, request.role, id_of(request.unit))
            if key in seen:
                errors.append(
                    msg("err.invitation.duplicate", where, email=request.email, line=seen[key])
                )
            seen.setdefault(key, line)
            requests.append(request)
    if not requests and not errors:
        errors.append(msg("err.import.no_rows", label))
    if errors:
        raise InvalidInput("err.import.problems", problems=errors, n=len(errors), file=label)
    return requests


def create_invitation(
    session: Session, *, actor: Actor, request: InviteRequest, days: int, ip: str | None = None
) -> tuple[Invitation, str]:
    """Store an invitation; returns it with the link's token (only its hash is kept)."""
    if not may_invite(actor, unit=request.unit, role=request.role):
        raise NotFound("err.unit.not_found", ref=str(request.unit.id))
    token = new_token()
    invitation = Invitation(
        email=request.email,
        role=request.role,
        unit_id=id_of(request.unit),
        language=request.language,
        token_hash=token_digest(token),
        expires_at=utcnow() + timedelta(days=days),
        created_by=actor.id,
    )
    session.add(invitation)
    session.flush()
    _audit(session, "invitation.create", invitation, actor.id, ip)
    return invitation, token


def _audit(
    session: Session, action: str, invitation: Invitation, user_id: int | None, ip: str | None
) -> None:
    record(
        session,
        action=action,
        object_type="invitation",
        object_id=invitation.id,
        user_id=user_id,
        unit_id=invitation.unit_id,
        detail={"email": invitation.email, "role": invitation.role},
        ip=ip,
    )


def visible_invitations(
    session: Session, *, actor: Actor, limit: int = 500
) -> list[tuple[Invitation, Unit]]:
    """The invitations the actor may manage, newest first."""
    _require_inviter(actor)
    query = (
        select(Invitation, Unit)
        .join(Unit, col(Unit.id) == Invitation.unit_id)
        .order_by(col(Invitation.id).desc())
        .limit(limit)
    )
    if not actor.is_admin:
        paths = [g.path for g in actor.grants if g.role == "strategist"]
        query = query.where(or_(*(col(Unit.path).startswith(p) for p in paths)))
    return [(i, u) for i, u in session.exec(query)]


def get_invitation_for(
    session: Session, *, actor: Actor, invitation_id: int
) -> tuple[Invitation, Unit]:
    row = session.exec(
        select(Invitation, Unit)
        .join(Unit, col(Unit.id) == Invitation.unit_id)
        .where(Invitation.id == invitation_id)
    ).first()
    if row is None or not may_invite(actor, unit=row[1], role=row[0].role):
        raise NotFound("err.invitation.not_found")
    return row[0], row[1]


def resend_invitation(
    session: Session, *, actor: Actor, invitation_id: int, days: int, ip: str | None = None
) -> tuple[Invitation, Unit, str]:
    """A new token and expiry for a pending or expired invitation (the old link stops working)."""
    invitation, unit = get_invitation_for(session, actor=actor, invitation_id=invitation_id)
    if state_of(invitation) in ("accepted", "revoked"):
        raise Conflict("err.invitation.closed", email=invitation.email)
    token = new_token()
    invitation.token_hash = token_digest(token)
    invitation.expires_at = utcnow() + timedelta(days=days)
    session.add(invitation)
    session.flush()
    _audit(session, "invitation.resend", invitation, actor.id, ip)
    return invitation, unit, token


def revoke_invitation(
    session: Session, *, actor: Actor, invitation_id: int, ip: str | None = None
) -> Invitation:
    invitation, _ = get_invitation_for(session, actor=actor, invitation_id=invitation_id)
    if state_of(invitation) == "accepted":
        raise Conflict("err.invitation.closed", email=invitation.email)
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        session.add(invitation)
        session.flush()
        _audit(session, "invitation.revoke", invitation, actor.id, ip)
    return invitation


@dataclass(frozen=True)
class OpenInvitation:
    invitation: Invitation
    unit: Unit
    user: User | None  # the account that already has the invited address


def open_invitation(session: Session, *, token: str) -> OpenInvitation:
    """The invitation behind a link while it can be accepted; LinkGone otherwise."""
    invitation = session.exec(
        select(Invitation).where(Invitation.token_hash == token_digest(token))
    ).first()
    if invitation is None or state_of(invitation) != "pending":
        raise LinkGone("err.link.gone")
    unit = session.get(Unit, invitation.unit_id)
    if unit is None:
        raise LinkGone("err.link.gone")
    user = session.exec(select(User).where(User.email == invitation.email)).first()
    return OpenInvitation(invitation, unit, user)


def accept_invitation(
    session: Session, *, token: str, name: str, password: str, ip: str | None = None
) -> User:
    """Grant the role: to the account with the invited address, or to a new account with the
    given name and password. The link then no longer works."""
    found = open_invitation(session, token=token)
    user = found.user
    if user is None:
        name = _checked_name(name)
        check_password(password)
        user = _new_user(session, found.invitation, name, hash_password(password), ip)
    return _accept(session, found, user, ip)


def accept_invitation_verified(
    session: Session,
    *,
    token: str,
    email: str,
    name: str,
    organiser_id: int | None,
    ip: str | None = None,
) -> User:
    """Accept through the organisation's identity provider, which has verified ``email``: it
    must be the invited address, and an organiser's provider (``organiser_id``) vouches only for
    invitations to units of that organiser. A new account gets no password it knows (password
    sign-in stays possible through "forgot your password"). Nothing is written when refused."""
    found = open_invitation(session, token=token)
    invitation = found.invitation
    if normalise_email(email) != invitation.email:
        raise Forbidden("err.oidc.invitation_email", email=normalise_email(email))
    if organiser_id is not None:
        organiser = session.get(Unit, organiser_id)
        if organiser is None or not found.unit.path.startswith(organiser.path):
            raise Forbidden("err.oidc.other_organiser", email=invitation.email)
    user = found.user
    if user is None:
        shown = " ".join(name.split())[:MAX_NAME] or invitation.email.split("@")[0]
        user = _new_user(session, invitation, shown, hash_password(new_token()), ip)
    return _accept(session, found, user, ip)


def _checked_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("err.field.empty", field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput("err.field.too_long", field="name", max=MAX_NAME)
    return name


def _new_user(
    session: Session, invitation: Invitation, name: str, password_hash: str, ip: str | None
) -> User:
    user = User(
        email=invitation.email,
        name=name,
        password_hash=password_hash,
        language=invitation.language,
    )
    session.add(user)
    session.flush()
    record(session, action="user.create", object_type="user", object_id=user.id,
           user_id=user.id, detail={"invitation": invitation.id}, ip=ip)  # fmt: skip
    return user


def _accept(session: Session, found: OpenInvitation, user: User, ip: str | None) -> User:
    invitation = found.invitation
    if not user.is_active:
        raise LinkGone("err.link.gone")
    grant_role(session, user=user, unit=found.unit, role=invitation.role,
               actor_id=invitation.created_by)  # fmt: skip
    invitation.accepted_at = utcnow()
    invitation.accepted_user_id = user.id
    session.add(invitation)
    session.flush()
    _audit(session, "invitation.accept", invitation, user.id, ip)
    return user

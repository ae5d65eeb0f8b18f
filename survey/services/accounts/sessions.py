"""Sign-in: password check with throttling, server-side sessions, sign-out."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from survey.clock import utcnow
from survey.errors import DomainError, message_key
from survey.models import LoginAttempt, RoleGrant, Unit, User, UserSession, id_of
from survey.security import hash_password, new_token, token_digest, verify_password
from survey.services.access import Actor, Grant, UserInfo
from survey.services.accounts.users import normalise_email
from survey.services.audit import record

MAX_FAILURES = 5  # for one account from one address
MAX_ACCOUNT_FAILURES = 10  # for one account from any addresses (a distributed guess)
MAX_ADDRESS_FAILURES = 30  # from one address over any accounts (trying many accounts)
WINDOW = timedelta(minutes=15)
# Verified when the account does not exist, so that an unknown address takes as long as a wrong
# password for a real account (no account enumeration by timing).
_DUMMY_HASH = hash_password("not a password anyone has: " + secrets.token_hex(8))


class TooManyAttempts(DomainError):
    status_code = 429

    def __init__(self, *, minutes: int, retry_after: int):
        super().__init__(message_key("err.login.throttled"), minutes=minutes)
        self.retry_after = retry_after


class PasswordSignInOff(DomainError):
    """The account's organiser signs its people in with its own provider only."""

    status_code = 403

    def __init__(self, *, organiser_id: int):
        super().__init__(message_key("err.login.password_off"), organiser_id=organiser_id)
        self.organiser_id = organiser_id


@dataclass(frozen=True)
class SignedIn:
    user: User
    session: UserSession
    token: str


def check_throttle(session: Session, *, email: str, ip: str) -> None:
    """Within 15 minutes: 5 failures for one account from one address, 10 for one account from
    any addresses, or 30 from one address over any accounts → wait until the oldest of them is
    15 minutes old."""
    since = utcnow() - WINDOW
    failed = (col(LoginAttempt.success).is_(False), col(LoginAttempt.at) >= since)
    for limit, where in (
        (MAX_FAILURES, (LoginAttempt.email == email, LoginAttempt.ip == ip)),
        (MAX_ACCOUNT_FAILURES, (LoginAttempt.email == email,)),
        (MAX_ADDRESS_FAILURES, (LoginAttempt.ip == ip,)),
    ):
        count, first = session.exec(
            select(func.count(), func.min(LoginAttempt.at)).where(*where, *failed)
        ).one()
        if count >= limit and first is not None:
            wait = first + WINDOW - utcnow()
            minutes = max(1, int(wait.total_seconds() // 60) + 1)
            raise TooManyAttempts(minutes=minutes, retry_after=max(1, int(wait.total_seconds())))


def _grant_paths(session: Session, user: User) -> list[tuple[str, str]]:
    """(role, unit path) of each of the user's role grants."""
    return [
        (role, path)
        for role, path in session.exec(
            select(RoleGrant.role, Unit.path)
            .join(Unit, col(Unit.id) == RoleGrant.unit_id)
            .where(RoleGrant.user_id == user.id)
        ).all()
    ]


def all_grants_under(session: Session, *, user: User, organiser_id: int) -> bool:
    """The user has role grants and every one is on the organiser or below it, none an admin's."""
    organiser = session.get(Unit, organiser_id)
    grants = _grant_paths(session, user)
    if organiser is None or not grants:
        return False
    return all(role != "admin" and path.startswith(organiser.path) for role, path in grants)


def password_blocked_by(session: Session, *, user: User, password_off: Sequence[int]) -> int | None:
    """The organiser (of ``password_off``) whose people may not sign in with a password that
    holds every grant of the user, or None: admins and people with grants elsewhere may."""
    for organiser_id in password_off:
        if all_grants_under(session, user=user, organiser_id=organiser_id):
            return organiser_id
    return None


def sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    ip: str,
    hours: int,
    password_off: Sequence[int] = (),
) -> SignedIn | None:
    """Check the password and open a server-side session; None (and a logged failure) if wrong.

    Returns instead of raising on a wrong password so that the request's transaction commits
    the failed attempt, which the throttle counts. ``password_off``: organisers whose people
    sign in with their provider only (``PasswordSignInOff``, said only after the right
    password, so it reveals nothing to a guesser).
    """
    email = normalise_email(email)
    check_throttle(session, email=email, ip=ip)
    user = session.exec(select(User).where(User.email == email)).first()
    checked = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    ok = user is not None and user.is_active and checked
    session.add(LoginAttempt(email=email, ip=ip, success=ok))
    if not ok or user is None:
        session.flush()
        return None
    blocked = password_blocked_by(session, user=user, password_off=password_off)
    if blocked is not None:
        raise PasswordSignInOff(organiser_id=blocked)
    return open_session(session, user=user, ip=ip, hours=hours)


def open_session(
    session: Session, *, user: User, ip: str, hours: int, provider: str | None = None
) -> SignedIn:
    """A new server-side session for a user who proved who they are (password or provider);
    audited as ``auth.sign_in`` (with the provider's name for a provider's sign-in)."""
    token = new_token()
    user_session = UserSession(
        token_hash=token_digest(token),
        user_id=id_of(user),
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + timedelta(hours=hours),
        ip=ip,
    )
    session.add(user_session)
    record(
        session,
        action="auth.sign_in",
        object_type="user",
        object_id=user.id,
        user_id=user.id,
        detail={"provider": provider} if provider else None,
        ip=ip,
    )
    session.flush()
    return SignedIn(user=user, session=user_session, token=token)


@dataclass(frozen=True)
class LiveSession:
    """A signed-in request: who, and the session row's id and CSRF token."""

    actor: Actor
    session_id: int
    csrf_token: str


_SESSIONS = UserSession.__table__  # type: ignore[attr-defined]
_USERS = User.__table__  # type: ignore[attr-defined]
_GRANTS = RoleGrant.__table__  # type: ignore[attr-defined]
_UNITS = Unit.__table__  # type: ignore[attr-defined]
_LIVE = (
    sa_select(
        _SESSIONS.c.id,
        _SESSIONS.c.csrf_token,
        _SESSIONS.c.expires_at,
        _SESSIONS.c.revoked_at,
        _USERS.c.id.label("user_id"),
        _USERS.c.email,
        _USERS.c.name,
        _USERS.c.is_active,
        _GRANTS.c.role,
        _GRANTS.c.unit_id,
        _UNITS.c.path,
    )  # fmt: skip
    .join(_USERS, _USERS.c.id == _SESSIONS.c.user_id)
    .outerjoin(_GRANTS, _GRANTS.c.user_id == _USERS.c.id)
    .outerjoin(_UNITS, _UNITS.c.id == _GRANTS.c.unit_id)
    .where(_SESSIONS.c.token_hash == bindparam("token_hash"))
)


def live_session(connection: Connection, *, token: str) -> LiveSession | None:
    """The signed-in actor (user and role grants) behind a cookie token, in one statement built
    once; None for an unknown, revoked or expired session or an inactive user. Runs on any
    connection (the web app uses one outside the request's transaction: one round trip)."""
    rows = connection.execute(_LIVE, {"token_hash": token_digest(token)}).all()
    if not rows:
        return None
    first = rows[0]
    if first.revoked_at is not None or first.expires_at <= utcnow():
        return None
    if not first.is_active:
        return None
    grants = tuple(Grant(r.role, r.unit_id, r.path) for r in rows if r.role)
    actor = Actor(user=UserInfo(id=first.user_id, email=first.email, name=first.name),
                  grants=grants)  # fmt: skip
    return LiveSession(actor, first.id, first.csrf_token)


def sign_out(session: Session, *, session_id: int, ip: str | None = None) -> None:
    user_session = session.get(UserSession, session_id)
    if user_session is None:
        return
    user_session.revoked_at = utcnow()
    session.add(user_session)
    record(
        session,
        action="auth.sign_out",
        object_type="user",
        object_id=user_session.user_id,
        user_id=user_session.user_id,
        ip=ip,
    )

"""Sign-in: password check with throttling, server-side sessions, sign-out."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from survey.errors import DomainError
from survey.models import LoginAttempt, User, UserSession, utcnow
from survey.security import new_token, token_digest, verify_password
from survey.services.audit import record
from survey.services.users import normalise_email

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


class TooManyAttempts(DomainError):
    status_code = 429

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class SignedIn:
    user: User
    session: UserSession
    token: str


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; everything we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def check_throttle(session: Session, *, email: str, ip: str) -> None:
    """Five failures for one account from one address within 15 minutes → wait."""
    since = utcnow() - WINDOW
    failures = session.exec(
        select(func.count(), func.min(LoginAttempt.at)).where(
            LoginAttempt.email == email,
            LoginAttempt.ip == ip,
            LoginAttempt.success.is_(False),  # type: ignore[attr-defined]
            LoginAttempt.at >= since,
        )
    ).one()
    count, first = failures
    if count >= MAX_FAILURES and first is not None:
        wait = _aware(first) + WINDOW - utcnow()
        minutes = max(1, int(wait.total_seconds() // 60) + 1)
        raise TooManyAttempts(
            f"För många misslyckade inloggningsförsök. Vänta {minutes} minuter och försök igen.",
            retry_after=max(1, int(wait.total_seconds())),
        )


def sign_in(session: Session, *, email: str, password: str, ip: str, hours: int) -> SignedIn | None:
    """Check the password and open a server-side session; None (and a logged failure) if wrong.

    Returns instead of raising on a wrong password so that the request's transaction commits
    the failed attempt, which the throttle counts.
    """
    email = normalise_email(email)
    check_throttle(session, email=email, ip=ip)
    user = session.exec(select(User).where(User.email == email)).first()
    ok = user is not None and user.is_active and verify_password(user.password_hash, password)
    session.add(LoginAttempt(email=email, ip=ip, success=ok))
    if not ok or user is None:
        session.flush()
        return None
    token = new_token()
    user_session = UserSession(
        token_hash=token_digest(token),
        user_id=user.id,  # type: ignore[arg-type]
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
        ip=ip,
    )
    session.flush()
    return SignedIn(user=user, session=user_session, token=token)


def session_for_token(session: Session, *, token: str) -> tuple[User, UserSession] | None:
    """The live session behind a cookie token, or None (unknown, revoked, expired)."""
    row = session.exec(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == token_digest(token))
    ).first()
    if row is None:
        return None
    user_session, user = row
    if user_session.revoked_at is not None or _aware(user_session.expires_at) <= utcnow():
        return None
    if not user.is_active:
        return None
    return user, user_session


def sign_out(session: Session, *, user_session: UserSession, ip: str | None = None) -> None:
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

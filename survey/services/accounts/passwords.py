"""Password reset by e-mail (README "Password reset").

A request always gets the same answer whether or not the address has an account (the web layer
says so); behind it, an active account gets a single-use link that works for a limited time, and
its token is stored hashed. Requests are limited per address and per IP. Setting a new password
through the link ends every session of that user. Audited.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select, update

from survey.clock import utcnow
from survey.models import PasswordReset, User, UserSession
from survey.security import hash_password, new_token, token_digest
from survey.services.accounts.invitations import LinkGone
from survey.services.accounts.users import check_password, normalise_email, valid_email
from survey.services.audit import record

WINDOW = timedelta(hours=1)
MAX_PER_ADDRESS = 3  # requests for one address within the window
MAX_PER_IP = 20  # requests from one IP within the window


def _recent(session: Session, *where: ColumnElement[bool]) -> int:
    since = utcnow() - WINDOW
    count = session.exec(
        select(func.count()).where(col(PasswordReset.created_at) >= since, *where)
    ).one()
    return int(count)


def request_reset(
    session: Session, *, email: str, ip: str, minutes: int
) -> tuple[User, str] | None:
    """The user and the link's token when a link should be mailed; None otherwise (no such
    active account, or too many requests for the address or from the IP: nothing is stored
    then, so the limit is a sliding window)."""
    email = normalise_email(email)[:254]
    if not valid_email(email):
        return None
    if _recent(session, col(PasswordReset.email) == email) >= MAX_PER_ADDRESS:
        return None
    if _recent(session, col(PasswordReset.ip) == ip) >= MAX_PER_IP:
        return None
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None or not user.is_active:
        session.add(PasswordReset(email=email, ip=ip[:64]))
        session.flush()
        return None
    token = new_token()
    session.add(
        PasswordReset(
            email=email,
            ip=ip[:64],
            user_id=user.id,
            token_hash=token_digest(token),
            expires_at=utcnow() + timedelta(minutes=minutes),
        )
    )
    record(session, action="auth.password_reset_request", object_type="user",
           object_id=user.id, ip=ip)  # fmt: skip
    session.flush()
    return user, token


def open_reset(session: Session, *, token: str) -> tuple[PasswordReset, User]:
    """The request behind a reset link while it works; LinkGone otherwise."""
    row = session.exec(
        select(PasswordReset).where(PasswordReset.token_hash == token_digest(token))
    ).first()
    if row is None or row.used_at is not None or row.user_id is None:
        raise LinkGone("err.link.gone")
    if row.expires_at is None or row.expires_at <= utcnow():
        raise LinkGone("err.link.gone")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise LinkGone("err.link.gone")
    return row, user


def reset_password(session: Session, *, token: str, password: str, ip: str | None = None) -> User:
    """Set the new password, use up every open reset link of the user and end all their
    sessions."""
    row, user = open_reset(session, token=token)
    check_password(password)
    now = utcnow()
    user.password_hash = hash_password(password)
    session.add(user)
    session.exec(
        update(PasswordReset)
        .where(col(PasswordReset.user_id) == user.id, col(PasswordReset.used_at).is_(None))
        .values(used_at=now)
    )
    ended = session.exec(
        update(UserSession)
        .where(col(UserSession.user_id) == user.id, col(UserSession.revoked_at).is_(None))
        .values(revoked_at=now)
    ).rowcount
    record(session, action="auth.password_reset", object_type="user", object_id=user.id,
           user_id=user.id, detail={"sessions_ended": ended}, ip=ip)  # fmt: skip
    session.flush()
    return user

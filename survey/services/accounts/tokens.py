"""Personal API tokens: created by a signed-in user for scripts and BI tools, sent as
``Authorization: Bearer svy_…`` on ``/api/`` only.

A token is ``svy_`` and 43 random URL-safe characters (256 bits). The table keeps its SHA-256
(``survey.security.token_digest``), never the token itself, and its first 12 characters
(``hint``) so that users can tell their tokens apart. It acts as its owner (the same ``Actor`` as
a session), ``read`` tokens only for safe methods; it stops working when it expires, is revoked
or its owner is deactivated.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, time, timedelta

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from survey.bulk import table_of
from survey.clock import LOCAL_TZ, utcnow
from survey.errors import DomainError, Forbidden, InvalidInput, NotFound, message_key
from survey.models import TOKEN_SCOPES, ApiToken, RoleGrant, Unit, User
from survey.security import new_token, token_digest
from survey.services.access import Actor, Grant, UserInfo
from survey.services.audit import record

PREFIX = "svy_"
HINT_LENGTH = 12  # "svy_" and the first 8 random characters
DEFAULT_DAYS = 90
MAX_DAYS = 365
MAX_NAME = 100
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often per token


class TokenRejected(DomainError):
    """An unknown, expired or revoked token, or a deactivated owner: 401."""

    status_code = 401
    headers = {"WWW-Authenticate": 'Bearer realm="api"'}


class TokenReadOnly(Forbidden):
    """A read-only token used for a method that changes something."""


@dataclass(frozen=True)
class TokenIssue:
    field: str  # name | expires | scope
    key: str  # name_missing | name_long | expires_invalid | expires_past | expires_far | scope
    values: dict[str, object] = dataclass_field(default_factory=dict)


class TokenInputError(InvalidInput):
    """The form's problems, one per bad field (the web names the field and says what is wrong)."""

    def __init__(self, issues: list[TokenIssue]):
        super().__init__(message_key("err.token.input"))
        self.issues = issues


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str  # shown once, never stored


@dataclass(frozen=True)
class LiveToken:
    """A request authenticated by a token: its owner as an Actor, the token's id and scope."""

    actor: Actor
    token_id: int
    scope: str
    last_used_at: datetime | None

    @property
    def read_only(self) -> bool:
        return self.scope == "read"


def default_expiry(today: date) -> date:
    return today + timedelta(days=DEFAULT_DAYS)


def _end_of(day: date) -> datetime:
    """A token chosen to expire on ``day`` (a Swedish date) works through that whole day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)


def last_day(token: ApiToken) -> date:
    """The last Swedish date on which the token works."""
    return (token.expires_at.astimezone(LOCAL_TZ) - timedelta(microseconds=1)).date()


def check_request(*, name: str, expires: str, scope: str, today: date) -> tuple[str, date, str]:
    """The form's values, or TokenInputError with one issue per bad field."""
    issues = []
    name = name.strip()
    if not name:
        issues.append(TokenIssue("name", "name_missing"))
    elif len(name) > MAX_NAME:
        issues.append(TokenIssue("name", "name_long", {"max": MAX_NAME}))
    expires_on = None
    latest = today + timedelta(days=MAX_DAYS)
    try:
        expires_on = date.fromisoformat(expires.strip())
    except ValueError:
        issues.append(TokenIssue("expires", "expires_invalid", {"value": expires[:40]}))
    if expires_on is not None and expires_on <= today:
        issues.append(TokenIssue("expires", "expires_past"))
    elif expires_on is not None and expires_on > latest:
        issues.append(TokenIssue("expires", "expires_far", {"days": MAX_DAYS}))
    if scope not in TOKEN_SCOPES:
        issues.append(TokenIssue("scope", "scope"))
    if issues or expires_on is None:
        raise TokenInputError(issues)
    return name, expires_on, scope


def create_token(
    session: Session,
    *,
    user_id: int,
    name: str,
    expires: str,
    scope: str,
    today: date,
    ip: str | None = None,
) -> CreatedToken:
    """A new token for the user (expiring at the end of ``expires``, at most a year ahead)."""
    name, expires_on, scope = check_request(name=name, expires=expires, scope=scope, today=today)
    secret = PREFIX + new_token()
    token = ApiToken(
        user_id=user_id,
        name=name,
        scope=scope,
        token_hash=token_digest(secret),
        hint=secret[:HINT_LENGTH],
        expires_at=_end_of(expires_on),
    )
    session.add(token)
    session.flush()
    record(
        session,
        action="token.create",
        object_type="api_token",
        object_id=token.id,
        user_id=user_id,
        detail={"name": name, "scope": scope, "expires": expires_on.isoformat(),
                "hint": token.hint},
        ip=ip,
    )  # fmt: skip
    return CreatedToken(token, secret)


def user_tokens(session: Session, *, user_id: int) -> list[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones too)."""
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == user_id)
            .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
        )
    )


def revoke_token(
    session: Session, *, user_id: int, token_id: int, ip: str | None = None
) -> ApiToken:
    """Revoke one of the user's own tokens (another user's is 404); revoking twice is a no-op."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise NotFound("err.token.not_found")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        record(
            session,
            action="token.revoke",
            object_type="api_token",
            object_id=token.id,
            user_id=user_id,
            detail={"hint": token.hint},
            ip=ip,
        )
        session.flush()
    return token


def record_use(
    session: Session, *, live: LiveToken, method: str, path: str, ip: str | None
) -> None:
    """The audit entry of a request that changed something with a token."""
    record(
        session,
        action="token.use",
        object_type="api_token",
        object_id=live.token_id,
        user_id=live.actor.id,
        detail={"method": method, "path": path[:300]},
        ip=ip,
    )


_TOKENS = table_of(ApiToken)
_USERS = table_of(User)
_GRANTS = table_of(RoleGrant)
_UNITS = table_of(Unit)
_LIVE = (
    sa_select(
        _TOKENS.c.id,
        _TOKENS.c.token_hash,
        _TOKENS.c.scope,
        _TOKENS.c.expires_at,
        _TOKENS.c.revoked_at,
        _TOKENS.c.last_used_at,
        _USERS.c.id.label("user_id"),
        _USERS.c.email,
        _USERS.c.name,
        _USERS.c.is_active,
        _GRANTS.c.role,
        _GRANTS.c.unit_id,
        _UNITS.c.path,
    )  # fmt: skip
    .join(_USERS, _USERS.c.id == _TOKENS.c.user_id)
    .outerjoin(_GRANTS, _GRANTS.c.user_id == _USERS.c.id)
    .outerjoin(_UNITS, _UNITS.c.id == _GRANTS.c.unit_id)
    .where(_TOKENS.c.token_hash == bindparam("token_hash"))
)
_TOUCH = (
    update(_TOKENS)
    .where(_TOKENS.c.id == bindparam("token_id"))
    .where(_TOKENS.c.last_used_at.is_(None) | (_TOKENS.c.last_used_at < bindparam("stale_before")))
    .values(last_used_at=bindparam("now"))
)


def live_token(connection: Connection, *, token: str) -> LiveToken:
    """The owner (as an Actor) behind a token, in one statement built once; TokenRejected for an
    unknown, expired or revoked token or a deactivated owner."""
    if not token.startswith(PREFIX) or len(token) > 200:
        raise TokenRejected("err.token.unknown")
    digest = token_digest(token)
    rows = connection.execute(_LIVE, {"token_hash": digest}).all()
    if not rows or not hmac.compare_digest(rows[0].token_hash, digest):
        raise TokenRejected("err.token.unknown")
    first = rows[0]
    if first.revoked_at is not None:
        raise TokenRejected("err.token.revoked")
    if first.expires_at <= utcnow():
        day = (first.expires_at.astimezone(LOCAL_TZ) - timedelta(microseconds=1)).date()
        raise TokenRejected("err.token.expired", date=day.isoformat())
    if not first.is_active:
        raise TokenRejected("err.token.inactive")
    grants = tuple(Grant(r.role, r.unit_id, r.path) for r in rows if r.role)
    actor = Actor(user=UserInfo(id=first.user_id, email=first.email, name=first.name),
                  grants=grants)  # fmt: skip
    return LiveToken(actor, first.id, first.scope, first.last_used_at)


def needs_touch(live: LiveToken, now: datetime) -> bool:
    return live.last_used_at is None or live.last_used_at < now - TOUCH_EVERY


def touch(connection: Connection, *, token_id: int, now: datetime) -> None:
    """Note the token's use (at most once a minute: a later write finds it fresh and skips)."""
    connection.execute(
        _TOUCH, {"token_id": token_id, "now": now, "stale_before": now - TOUCH_EVERY}
    )

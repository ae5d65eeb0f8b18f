"""Personal API tokens in the domain: created with a hash only, checked on use (unknown, revoked,
expired, deactivated owner), revoked by their owner only, every step in the audit log."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from survey.clock import utcnow
from survey.errors import NotFound
from survey.models import ApiToken, AuditLog, User
from survey.services.accounts.tokens import (
    TokenInputError,
    TokenRejected,
    create_token,
    last_day,
    live_token,
    needs_touch,
    revoke_token,
    touch,
    user_tokens,
)
from tests.factories import build_world

TODAY = date(2026, 3, 10)


def _create(session: Session, user_id: int, **kw: str):  # type: ignore[no-untyped-def]
    values = {"name": "Power BI", "expires": "2026-06-08", "scope": "read", **kw}
    return create_token(session, user_id=user_id, today=TODAY, ip="192.0.2.1", **values)


def test_created_token_is_stored_as_its_hash_only(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    user_id = world.users["principal-a@example.org"]
    with Session(engine, expire_on_commit=False) as session:
        made = _create(session, user_id)
        session.commit()
    secret = made.secret
    assert secret.startswith("svy_") and len(secret) >= 40
    with Session(engine) as session:
        row = session.exec(select(ApiToken)).one()
        assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in {row.name, row.hint, row.token_hash}
        assert secret.startswith(row.hint) and len(row.hint) == 12
        assert (row.scope, last_day(row)) == ("read", date(2026, 6, 8))
        audit = session.exec(select(AuditLog).where(AuditLog.action == "token.create")).one()
        assert (audit.object_id, audit.user_id) == (row.id, user_id)
        assert secret not in str(audit.detail)


def test_the_owner_acts_through_the_token(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    user_id = world.users["strategist-a@example.org"]
    with Session(engine, expire_on_commit=False) as session:
        made = _create(
            session, user_id, scope="write", expires=(date.today() + timedelta(days=5)).isoformat()
        )
        session.commit()
    with engine.connect() as connection:
        live = live_token(connection, token=made.secret)
    assert live.actor.id == user_id and live.scope == "write" and not live.read_only
    assert [(g.role, g.unit_id) for g in live.actor.grants] == [("strategist", world.org_a)]


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        ({"name": "  "}, ["name"]),
        ({"name": "x" * 101}, ["name"]),
        ({"expires": "2026-03-10"}, ["expires"]),  # today: must be later
        ({"expires": "2027-03-11"}, ["expires"]),  # more than 365 days
        ({"expires": "10/3/2026"}, ["expires"]),
        ({"scope": "admin"}, ["scope"]),
        ({"name": "", "expires": "", "scope": ""}, ["name", "expires", "scope"]),
    ],
)
def test_bad_input_names_each_field_and_creates_nothing(engine, values, fields) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    with Session(engine) as session:
        with pytest.raises(TokenInputError) as caught:
            _create(session, world.users["principal-a@example.org"], **values)
        assert [i.field for i in caught.value.issues] == fields
        assert session.exec(select(ApiToken)).all() == []


def test_a_year_ahead_is_the_latest_expiry(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    with Session(engine) as session:
        made = _create(session, world.users["principal-a@example.org"], expires="2027-03-10")
        assert last_day(made.token) == date(2027, 3, 10)


def _reject(engine, secret: str) -> str:  # type: ignore[no-untyped-def]
    with engine.connect() as connection, pytest.raises(TokenRejected) as caught:
        live_token(connection, token=secret)
    assert caught.value.status_code == 401
    return caught.value.key


def test_unknown_revoked_expired_and_deactivated_are_refused(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    user_id = world.users["principal-a@example.org"]
    later = (date.today() + timedelta(days=30)).isoformat()
    with Session(engine, expire_on_commit=False) as session:
        revoked, expired, owner_off = (_create(session, user_id, expires=later) for _ in range(3))
        session.commit()
    assert _reject(engine, "svy_" + "A" * 43) == "err.token.unknown"
    assert _reject(engine, revoked.secret[:-1]) == "err.token.unknown"
    assert _reject(engine, "not-a-token") == "err.token.unknown"
    with Session(engine) as session:
        revoke_token(session, user_id=user_id, token_id=revoked.token.id, ip=None)  # type: ignore[arg-type]
        token = session.get(ApiToken, expired.token.id)
        token.expires_at = utcnow() - timedelta(seconds=1)  # type: ignore[union-attr]
        session.add(token)
        session.commit()
    assert _reject(engine, revoked.secret) == "err.token.revoked"
    assert _reject(engine, expired.secret) == "err.token.expired"
    with engine.connect() as connection:
        assert live_token(connection, token=owner_off.secret).actor.id == user_id
    with Session(engine) as session:
        user = session.get(User, user_id)
        user.is_active = False  # type: ignore[union-attr]
        session.add(user)
        session.commit()
    assert _reject(engine, owner_off.secret) == "err.token.inactive"


def test_only_the_owner_revokes_and_twice_is_once(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    owner = world.users["principal-a@example.org"]
    with Session(engine, expire_on_commit=False) as session:
        made = _create(session, owner)
        session.commit()
    token_id: int = made.token.id  # type: ignore[assignment]
    with Session(engine) as session:
        with pytest.raises(NotFound):
            revoke_token(session, user_id=world.users["admin@example.org"], token_id=token_id)
        with pytest.raises(NotFound):
            revoke_token(session, user_id=owner, token_id=token_id + 1)
        revoke_token(session, user_id=owner, token_id=token_id)
        revoke_token(session, user_id=owner, token_id=token_id)
        session.commit()
        revokes = session.exec(select(AuditLog).where(AuditLog.action == "token.revoke")).all()
        assert [(a.object_id, a.user_id) for a in revokes] == [(token_id, owner)]
        assert [t.revoked_at is not None for t in user_tokens(session, user_id=owner)] == [True]
        assert user_tokens(session, user_id=world.users["admin@example.org"]) == []


def test_last_use_is_written_at_most_once_a_minute(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    with Session(engine, expire_on_commit=False) as session:
        made = _create(session, world.users["principal-a@example.org"],
                       expires=(date.today() + timedelta(days=9)).isoformat())  # fmt: skip
        session.commit()
    now = utcnow()
    with engine.begin() as connection:
        live = live_token(connection, token=made.secret)
        assert needs_touch(live, now)
        touch(connection, token_id=live.token_id, now=now)
    with engine.begin() as connection:
        live = live_token(connection, token=made.secret)
        assert live.last_used_at == now and not needs_touch(live, now + timedelta(seconds=59))
        touch(connection, token_id=live.token_id, now=now + timedelta(seconds=30))  # too soon
    with engine.connect() as connection:
        assert live_token(connection, token=made.secret).last_used_at == now
        assert needs_touch(live, now + timedelta(seconds=61))

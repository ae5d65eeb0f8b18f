"""User accounts and role grants."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from survey.errors import Conflict, InvalidInput, NotFound
from survey.models import ROLES, RoleGrant, Unit, User, id_of
from survey.parsing import ascii_int
from survey.security import hash_password
from survey.services.audit import record

MIN_PASSWORD_LENGTH = 4
MAX_PASSWORD_LENGTH = 1000
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def valid_email(email: str) -> bool:
    """One @, something on either side, a dot in the domain, no spaces; at most 254 characters."""
    return len(email) <= 254 and _EMAIL.fullmatch(email) is not None


def check_password(password: str) -> None:
    """The password rules (for every way a password is set)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("err.user.password_short", min=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput("err.user.password_long", max=MAX_PASSWORD_LENGTH)


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    name: str = "",
    actor_id: int | None = None,
) -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise InvalidInput("err.user.email", value=email)
    check_password(password)
    if session.exec(select(User).where(User.email == email)).first():
        raise Conflict("err.user.exists", value=email)
    user = User(email=email, name=name, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    record(session, action="user.create", object_type="user", object_id=user.id, user_id=actor_id)
    return user


def grant_role(
    session: Session,
    *,
    user: User,
    unit: Unit,
    role: str,
    actor_id: int | None = None,
) -> RoleGrant:
    if role not in ROLES:
        raise InvalidInput(
            "err.field.not_one_of", field="role", value=role, allowed=", ".join(ROLES)
        )
    existing = session.exec(
        select(RoleGrant).where(
            RoleGrant.user_id == user.id, RoleGrant.unit_id == unit.id, RoleGrant.role == role
        )
    ).first()
    if existing:
        return existing
    grant = RoleGrant(user_id=id_of(user), unit_id=id_of(unit), role=role, granted_by=actor_id)
    session.add(grant)
    session.flush()
    record(
        session,
        action="role.grant",
        object_type="user",
        object_id=user.id,
        unit_id=unit.id,
        user_id=actor_id,
        detail={"role": role},
    )
    return grant


def find_unit(session: Session, *, ref: str) -> Unit:
    """A unit by external id, school unit code, or numeric id."""
    unit = session.exec(select(Unit).where(Unit.external_id == ref)).first()
    unit = unit or session.exec(select(Unit).where(Unit.school_unit_code == ref)).first()
    number = ascii_int(ref)
    if unit is None and number is not None:
        unit = session.get(Unit, number)
    if unit is None:
        raise NotFound("err.unit.not_found", ref=ref)
    return unit

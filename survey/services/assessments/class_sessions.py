"""Class sessions (issue 18): pupils answer an individual questionnaire without accounts.

The principal opens a session with a label, a validity and a number of pupils; the pupils enter
its short code. Each pupil becomes an anonymous respondent exactly like a teacher's single-use
link (the respondent's ``token_hash`` is the hash of a random token kept in the pupil's browser
cookie), so answering, submitting, counting and the release in batches of at least k are the
links' own. Nothing identifies a pupil: no name, no e-mail, no IP address, no audit entry.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from survey.clock import utcnow
from survey.errors import Conflict, InvalidInput, NotFound, message_key
from survey.models import ClassPupil, ClassSession, Respondent, id_of
from survey.security import new_token, token_digest
from survey.services.access import Actor, AssessmentContext, load_assessment
from survey.services.audit import record_assessment

# No 0/O, 1/I/L: read off a board without doubt. 31 characters, 6 of them: ~887 million codes.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
MAX_PUPILS = 40
MAX_MINUTES = 600  # a school day
MIN_MINUTES = 5
LABEL_LENGTH = 40


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str | None:
    """The code as typed (any case, spaces or dashes) in its stored form, None when it cannot be
    one (wrong length or a character outside the alphabet)."""
    code = "".join(raw.split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def state_of(row: ClassSession, *, now: datetime | None = None) -> str:
    """open | closed | expired | full (full: no place for a new pupil)."""
    now = now or utcnow()
    if row.closed_at is not None:
        return "closed"
    if now >= row.expires_at:
        return "expired"
    if row.used >= row.max_pupils:
        return "full"
    return "open"


def open_session(
    session: Session,
    *,
    ctx: AssessmentContext,
    label: str,
    minutes: int,
    max_pupils: int,
    actor: Actor,
    ip: str | None,
) -> ClassSession:
    label = " ".join(label.split())
    if not label or len(label) > LABEL_LENGTH:
        raise InvalidInput("err.class.label", max=LABEL_LENGTH)
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise InvalidInput("err.class.minutes", min=MIN_MINUTES, max=MAX_MINUTES)
    if not 1 <= max_pupils <= MAX_PUPILS:
        raise InvalidInput("err.class.pupils", max=MAX_PUPILS)
    if ctx.round.state != "open" or ctx.assessment.state == "submitted":
        raise Conflict("err.links.collection_closed")
    code = new_code()
    while session.exec(select(ClassSession.id).where(ClassSession.code == code)).first():
        code = new_code()  # unique across all sessions, open or not: a code never comes back
    now = utcnow()
    row = ClassSession(
        assessment_id=id_of(ctx.assessment),
        code=code,
        label=label,
        max_pupils=max_pupils,
        created_at=now,
        expires_at=now + timedelta(minutes=minutes),
        created_by=actor.id,
    )
    session.add(row)
    session.flush()
    record_assessment(
        session,
        "class_session.open",
        assessment=ctx.assessment,
        user_id=actor.id,
        ip=ip,
        detail={"session": row.id, "minutes": minutes, "max_pupils": max_pupils},
    )
    return row


def sessions_of(session: Session, *, assessment_id: int) -> list[ClassSession]:
    return list(
        session.exec(
            select(ClassSession)
            .where(ClassSession.assessment_id == assessment_id)
            .order_by(col(ClassSession.created_at).desc(), col(ClassSession.id).desc())
        )
    )


def session_of(session: Session, *, ctx: AssessmentContext, session_id: int) -> ClassSession:
    row = session.get(ClassSession, session_id)
    if row is None or row.assessment_id != ctx.assessment.id:
        raise NotFound("err.class.not_found")
    return row


def close_session(
    session: Session,
    *,
    ctx: AssessmentContext,
    session_id: int,
    actor: Actor,
    ip: str | None,
) -> ClassSession:
    row = session_of(session, ctx=ctx, session_id=session_id)
    if row.closed_at is None:
        row.closed_at = utcnow()
        session.add(row)
        record_assessment(
            session,
            "class_session.close",
            assessment=ctx.assessment,
            user_id=actor.id,
            ip=ip,
            detail={"session": row.id, "used": row.used},
        )
        session.flush()
    return row


@dataclass(frozen=True)
class Pupil:
    """A pupil's place in a session: the anonymous respondent and the session's assessment."""

    class_session: ClassSession
    respondent: Respondent
    ctx: AssessmentContext


def session_by_code(session: Session, *, code: str) -> tuple[ClassSession, AssessmentContext]:
    """The session of a code (404 when there is none); its state says whether it still takes
    answers. A session whose collection or round has ended counts as closed."""
    row = session.exec(select(ClassSession).where(ClassSession.code == code)).first()
    if row is None:
        raise NotFound("err.class.unknown")
    return row, load_assessment(session, assessment_id=row.assessment_id)


_REFUSALS = {
    "closed": message_key("err.class.closed"),
    "expired": message_key("err.class.expired"),
    "full": message_key("err.class.full"),
}


def pupil_state(row: ClassSession, ctx: AssessmentContext) -> str:
    if ctx.round.state != "open" or ctx.assessment.state == "submitted":
        return "closed"
    return state_of(row)


def pupil_by_token(
    session: Session, *, row: ClassSession, ctx: AssessmentContext, token: str | None
) -> Pupil | None:
    """The pupil this browser's cookie belongs to in this session, else None."""
    if not token:
        return None
    found = session.exec(
        select(Respondent)
        .join(ClassPupil, col(ClassPupil.respondent_id) == col(Respondent.id))
        .where(
            Respondent.token_hash == token_digest(token),
            ClassPupil.class_session_id == row.id,
        )
    ).first()
    return Pupil(row, found, ctx) if found is not None else None


def join(session: Session, *, row: ClassSession, ctx: AssessmentContext) -> tuple[Pupil, str]:
    """A new pupil: a fresh anonymous respondent and the token for the browser's cookie. The
    place is taken atomically (no more than ``max_pupils``, even when two join at once)."""
    state = pupil_state(row, ctx)
    if state != "open":
        raise Conflict(_REFUSALS[state])
    taken = session.execute(
        update(ClassSession)
        .where(
            col(ClassSession.id) == row.id,
            col(ClassSession.used) < col(ClassSession.max_pupils),
            col(ClassSession.closed_at).is_(None),
            col(ClassSession.expires_at) > utcnow(),
        )
        .values(used=col(ClassSession.used) + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("err.class.full")
    session.refresh(row)
    token = new_token()
    respondent = Respondent(assessment_id=row.assessment_id, token_hash=token_digest(token))
    session.add(respondent)
    session.flush()
    session.add(ClassPupil(respondent_id=id_of(respondent), class_session_id=id_of(row)))
    session.flush()
    return Pupil(row, respondent, ctx), token

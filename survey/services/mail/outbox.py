"""The outbox: mail is added in the same transaction as the action that causes it, so a message
is stored exactly when its cause is committed, and never lost while the mail server is away.

``enqueue`` takes finished texts (subject, plain text, HTML) in the recipient's language: the web
layer builds them (survey/web/mail/compose.py). Any feature that sends mail calls it with its own
``kind`` (``invitation``, ``password_reset``, …) and the recipient.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from survey.clock import utcnow
from survey.errors import InvalidInput, NotFound
from survey.models import MAIL_STATUSES, OutboxMessage
from survey.services.accounts.users import valid_email

MAX_SUBJECT = 300
#: Kinds whose message is deleted from the outbox as soon as it is sent (or has failed for good),
#: and whose recipient and body /admin/mail does not show: a teacher's anonymous link must not
#: stay next to the address it went to (README "E-mail").
EPHEMERAL_KINDS = frozenset({"teacher_link"})


def recipient_shown(message: OutboxMessage) -> str | None:
    """The address for logs and the CLI; None for an ephemeral kind (kept out of both)."""
    return None if message.kind in EPHEMERAL_KINDS else message.recipient


def enqueue(
    session: Session,
    *,
    recipient: str,
    language: str,
    subject: str,
    text: str,
    html: str,
    kind: str,
) -> OutboxMessage:
    """Store a message to send; the caller's transaction decides whether it is ever sent."""
    recipient = recipient.strip()
    if not valid_email(recipient):
        raise InvalidInput("err.user.email", value=recipient)
    # Header injection: a subject is one line.
    subject = " ".join(subject.split())[:MAX_SUBJECT]
    message = OutboxMessage(
        recipient=recipient,
        language=language,
        subject=subject,
        body_text=text,
        body_html=html,
        kind=kind[:40],
        next_attempt_at=utcnow(),
    )
    session.add(message)
    session.flush()
    return message


@dataclass(frozen=True)
class OutboxCounts:
    queued: int
    sent: int
    failed: int


def outbox_counts(session: Session) -> OutboxCounts:
    rows = dict(
        session.exec(
            select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status))
        ).all()
    )
    return OutboxCounts(*(int(rows.get(s, 0)) for s in MAIL_STATUSES))


def list_messages(
    session: Session, *, status: str | None = None, limit: int = 200
) -> list[OutboxMessage]:
    """The newest messages first (of one status when given)."""
    query = select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(limit)
    if status in MAIL_STATUSES:
        query = query.where(OutboxMessage.status == status)
    return list(session.exec(query))


def get_message(session: Session, *, message_id: int) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("err.mail.not_found")
    return message


def due_ids(session: Session, *, now: datetime, limit: int) -> list[int]:
    """Queued messages whose next attempt is due, oldest first."""
    ids = session.exec(
        select(col(OutboxMessage.id))
        .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    )
    return [i for i in ids if i is not None]  # a primary key: never None

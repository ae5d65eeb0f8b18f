"""Delivering the outbox over SMTP (standard library ``smtplib``).

One pass: find the due messages, then send each in a transaction of its own and record the
outcome in that transaction. On PostgreSQL the row is taken with ``SELECT … FOR UPDATE SKIP
LOCKED``, so two senders (the web app's thread, ``survey send-mail``) never send the same
message; on SQLite run a single sender. A failed attempt is retried after 1, 5, 25, …
minutes; after ``max_attempts`` the message is marked failed with the reason.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from survey.clock import utcnow
from survey.config import Settings
from survey.db import WRITE
from survey.models import OutboxMessage
from survey.services.mail.outbox import EPHEMERAL_KINDS, due_ids, recipient_shown

log = logging.getLogger("survey.mail")

FIRST_RETRY_MINUTES = 1
BACKOFF = 5  # each wait is five times the one before: 1, 5, 25, 125, … minutes
MAX_ERROR = 1000


class SmtpUrlError(ValueError):
    """SURVEY_SMTP_URL cannot be used (the reason is the message)."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    # "smtp": plain, upgraded with STARTTLS when the server offers it; "starttls": STARTTLS
    # required; "smtps": TLS from the first byte.
    mode: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str) -> SmtpConfig:
    """``smtp://user:pass@host:587[?starttls=1]`` or ``smtps://user:pass@host:465``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise SmtpUrlError("SURVEY_SMTP_URL must start with smtp:// or smtps://")
    if not parts.hostname:
        raise SmtpUrlError("SURVEY_SMTP_URL names no host")
    try:
        port = parts.port
    except ValueError as exc:
        raise SmtpUrlError(f"SURVEY_SMTP_URL has a bad port: {exc}") from None
    query = parse_qs(parts.query)
    starttls = query.get("starttls", ["0"])[-1].lower() in ("1", "true", "yes")
    mode = "smtps" if parts.scheme == "smtps" else ("starttls" if starttls else "smtp")
    return SmtpConfig(
        host=parts.hostname,
        port=port or (465 if mode == "smtps" else 25),
        mode=mode,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def tls_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """Certificates are always checked: against ``ca_file`` when given, else the system's."""
    return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1, 5, 25, … minutes."""
    return timedelta(minutes=FIRST_RETRY_MINUTES * BACKOFF ** max(0, attempts - 1))


def build_message(row: OutboxMessage, *, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    # After the parts: making the message multipart moves Content-* headers into its first part.
    message["Content-Language"] = row.language
    return message


class Connection:
    """One SMTP connection for a pass, opened when the first message needs it and opened again
    after the server dropped it."""

    def __init__(self, config: SmtpConfig, context: ssl.SSLContext, timeout: float):
        self.config, self.context, self.timeout = config, context, timeout
        self.smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        c = self.config
        smtp: smtplib.SMTP
        if c.mode == "smtps":
            smtp = smtplib.SMTP_SSL(c.host, c.port, timeout=self.timeout, context=self.context)
        else:
            smtp = smtplib.SMTP(c.host, c.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if c.mode == "starttls" or (c.mode == "smtp" and smtp.has_extn("starttls")):
                smtp.starttls(context=self.context)
                smtp.ehlo()
            if c.username:
                smtp.login(c.username, c.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self.smtp is None:
            self.smtp = self._open()
        try:
            self.smtp.send_message(message)
        except smtplib.SMTPServerDisconnected:
            self.close()
            raise
        except smtplib.SMTPResponseException:
            # The server refused this message; reset the transaction for the next one.
            try:
                self.smtp.rset()
            except smtplib.SMTPException:
                self.close()
            raise

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def describe(exc: BaseException) -> str:
    """The reason a message was not sent, as the operator should read it."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        reasons = [
            f"{addr}: {code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for addr, (code, text) in exc.recipients.items()
        ]
        text = "recipient refused: " + "; ".join(reasons)
    elif isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        reason = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        text = f"{exc.smtp_code} {reason}"
    elif isinstance(exc, ssl.SSLError | ssl.CertificateError):
        text = f"TLS: {exc}"
    elif isinstance(exc, OSError):
        text = f"connection: {exc}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text[:MAX_ERROR]


@dataclass
class PassResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def tried(self) -> int:
        return self.sent + self.retrying + self.failed


def _take(session: Session, message_id: int, now: datetime) -> OutboxMessage | None:
    """The message if it is still due and no other sender holds it (PostgreSQL: row lock)."""
    query = select(OutboxMessage).where(
        OutboxMessage.id == message_id,
        OutboxMessage.status == "queued",
        OutboxMessage.next_attempt_at <= now,
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.exec(query).first()


def _attempt(connection: Connection, row: OutboxMessage, sender: str) -> str | None:
    try:
        connection.send(build_message(row, sender=sender))
    except (smtplib.SMTPException, OSError) as exc:
        return describe(exc)
    return None


def _record(
    session: Session,
    row: OutboxMessage,
    error: str | None,
    *,
    now: datetime,
    max_attempts: int,
    result: PassResult,
) -> None:
    """The outcome of one attempt; an ephemeral kind's message (a teacher's link) is deleted
    once it is sent or has failed for good, so its body and address are not kept."""
    row.attempts += 1
    who = recipient_shown(row) or "(hidden)"
    if error is None:
        row.status, row.sent_at, row.last_error = "sent", utcnow(), None
        result.sent += 1
    elif row.attempts >= max_attempts:
        row.status, row.last_error = "failed", error
        result.failed += 1
        log.warning("mail %s to %s failed for good: %s", row.id, who, _hide(row, error))
    else:
        row.last_error = error
        row.next_attempt_at = now + retry_delay(row.attempts)
        result.retrying += 1
        log.info("mail %s to %s not sent (will retry): %s", row.id, who, _hide(row, error))
    if row.kind in EPHEMERAL_KINDS and row.status in ("sent", "failed"):
        session.delete(row)


def _hide(row: OutboxMessage, error: str) -> str:
    return error if recipient_shown(row) else error.replace(row.recipient, "(hidden)")


def send_pending(
    engine: Engine,
    *,
    config: SmtpConfig,
    sender: str,
    max_attempts: int,
    context: ssl.SSLContext | None = None,
    timeout: float = 30,
    now: datetime | None = None,
    limit: int = 500,
    progress: Callable[[OutboxMessage, str | None], None] | None = None,
) -> PassResult:
    """One pass over the due messages; each one is sent and recorded in its own transaction.
    ``progress(message, error)`` is called after each (error None when sent).

    PostgreSQL: the row stays locked (FOR UPDATE SKIP LOCKED) while it is sent, so a second
    sender skips it. SQLite: the message is read, sent, then its outcome written in a short
    transaction, so a slow mail server never holds the database's write lock (one sender)."""
    now = now or utcnow()
    result = PassResult()
    with Session(engine) as session:
        ids = due_ids(session, now=now, limit=limit)
    if not ids:
        return result
    connection = Connection(config, context or tls_context(), timeout)
    writer = engine.execution_options(**{WRITE: True})
    locking = engine.dialect.name == "postgresql"
    try:
        for message_id in ids:
            if locking:
                with Session(writer, expire_on_commit=False) as session, session.begin():
                    row = _take(session, message_id, now)
                    if row is None:
                        continue
                    error = _attempt(connection, row, sender)
                    _record(session, row, error, now=now, max_attempts=max_attempts, result=result)
            else:
                with Session(engine, expire_on_commit=False) as session:
                    found = _take(session, message_id, now)
                if found is None:
                    continue
                error = _attempt(connection, found, sender)
                with Session(writer, expire_on_commit=False) as session, session.begin():
                    row = session.get(OutboxMessage, message_id)
                    if row is None:
                        continue
                    _record(session, row, error, now=now, max_attempts=max_attempts, result=result)
            if progress is not None:
                progress(row, error)
    finally:
        connection.close()
    return result


def send_with_settings(
    engine: Engine,
    settings: Settings,
    *,
    now: datetime | None = None,
    progress: Callable[[OutboxMessage, str | None], None] | None = None,
) -> PassResult:
    """One pass with the configured server (SURVEY_SMTP_URL, SURVEY_SMTP_CA_FILE, …)."""
    return send_pending(
        engine,
        config=parse_smtp_url(settings.smtp_url),
        sender=settings.mail_from,
        max_attempts=settings.mail_max_attempts,
        context=tls_context(settings.smtp_ca_file),
        timeout=settings.smtp_timeout,
        now=now,
        progress=progress,
    )

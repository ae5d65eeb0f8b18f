"""The outbox and its SMTP sender against a real SMTP server (aiosmtpd) started by each test."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from survey.clock import utcnow
from survey.models import OutboxMessage
from survey.services.mail.outbox import enqueue
from survey.services.mail.sender import (
    SmtpConfig,
    SmtpUrlError,
    parse_smtp_url,
    retry_delay,
    send_pending,
    tls_context,
)
from tests.mail_server import USER, smtp_server


def _queue(engine, n: int = 1, recipient: str = "anna@example.org") -> list[int]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        ids = [
            enqueue(
                session,
                recipient=recipient,
                language="sv",
                subject=f"Ämne {i}\r\nBcc: evil@example.org",
                text=f"Hej {i}! Åäö.",
                html=f"<p>Hej {i}! <b>Åäö</b></p>",
                kind="test",
            ).id
            for i in range(n)
        ]
        session.commit()
    return ids  # type: ignore[return-value]


def _rows(engine) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_parse_smtp_url() -> None:
    assert parse_smtp_url("smtp://u%40x:p%3Aw@mail.example.org:587") == SmtpConfig(
        "mail.example.org", 587, "smtp", "u@x", "p:w"
    )
    assert parse_smtp_url("smtp://mail.example.org?starttls=1").mode == "starttls"
    assert parse_smtp_url("smtp://mail.example.org").port == 25
    assert parse_smtp_url("smtps://mail.example.org") == SmtpConfig(
        "mail.example.org", 465, "smtps"
    )
    for bad in ("http://mail.example.org", "smtp://", "smtp://host:99999"):
        with pytest.raises(SmtpUrlError):
            parse_smtp_url(bad)
    assert "p:w" not in repr(parse_smtp_url("smtp://u:p%3Aw@h"))


def test_retry_delays_grow_five_times() -> None:
    assert [retry_delay(n) for n in (1, 2, 3)] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=25),
    ]


def test_queued_mail_arrives_with_text_and_html(engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _queue(engine, 2)
    with smtp_server(tmp_path) as server:
        result = send_pending(
            engine, config=parse_smtp_url(server.url), sender="survey@example.org", max_attempts=3
        )
        assert (result.sent, result.retrying, result.failed) == (2, 0, 0)
        got = server.handler.received
    assert [r.recipients for r in got] == [["anna@example.org"], ["anna@example.org"]]
    first = got[0]
    assert first.message["Subject"] == "Ämne 0 Bcc: evil@example.org"  # one line: no injection
    assert first.message["Bcc"] is None
    assert first.message["From"] == "survey@example.org"
    assert first.text.strip() == "Hej 0! Åäö."
    assert "<b>Åäö</b>" in first.html
    rows = _rows(engine)
    assert [r.status for r in rows] == ["sent", "sent"]
    assert all(r.attempts == 1 and r.sent_at is not None and r.last_error is None for r in rows)
    # Sent messages are never sent again.
    with smtp_server(tmp_path) as server:
        again = send_pending(
            engine, config=parse_smtp_url(server.url), sender="survey@example.org", max_attempts=3
        )
        assert again.tried == 0 and server.handler.received == []


def test_starttls_with_login_against_the_test_ca(engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _queue(engine)
    with smtp_server(tmp_path, mode="starttls") as server:
        config = parse_smtp_url(server.url)
        # Without the test CA the certificate is not trusted: nothing is sent, the reason kept.
        refused = send_pending(engine, config=config, sender="s@example.org", max_attempts=3)
        assert refused.retrying == 1 and server.handler.received == []
        assert "certificate" in (_rows(engine)[0].last_error or "").lower()
        later = utcnow() + timedelta(minutes=2)
        result = send_pending(
            engine,
            config=config,
            sender="s@example.org",
            max_attempts=3,
            context=tls_context(server.ca_file),
            now=later,
        )
        assert result.sent == 1
        assert server.logins == [USER]
        assert len(server.handler.received) == 1
    row = _rows(engine)[0]
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)


def test_implicit_tls(engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _queue(engine)
    with smtp_server(tmp_path, mode="smtps") as server:
        result = send_pending(
            engine,
            config=parse_smtp_url(server.url),
            sender="s@example.org",
            max_attempts=3,
            context=tls_context(server.ca_file),
        )
        assert result.sent == 1 and server.logins == [USER]
        assert server.handler.received[0].text.strip() == "Hej 0! Åäö."


def test_refused_mail_is_retried_with_back_off_then_failed(engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _queue(engine)
    start = utcnow()
    with smtp_server(tmp_path, refuse="550 5.1.1 mailbox unavailable") as server:
        config = parse_smtp_url(server.url)

        def run(at):  # type: ignore[no-untyped-def]
            return send_pending(engine, config=config, sender="s@example.org", max_attempts=3,
                                now=at)  # fmt: skip

        assert run(start).retrying == 1
        row = _rows(engine)[0]
        assert (row.status, row.attempts) == ("queued", 1)
        assert row.last_error == "550 5.1.1 mailbox unavailable"
        assert row.next_attempt_at >= start + timedelta(minutes=1)
        # Not due yet: nothing is tried.
        assert run(start + timedelta(seconds=30)).tried == 0
        assert run(start + timedelta(minutes=1, seconds=1)).retrying == 1
        assert _rows(engine)[0].next_attempt_at >= start + timedelta(minutes=6)
        assert run(start + timedelta(minutes=7)).failed == 1
        assert server.handler.refused == 3
    row = _rows(engine)[0]
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.last_error == "550 5.1.1 mailbox unavailable"
    assert run(start + timedelta(days=1)).tried == 0  # failed for good


def test_unreachable_server_is_recorded(engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.mail_server import free_port

    _queue(engine)
    config = parse_smtp_url(f"smtp://127.0.0.1:{free_port()}")
    result = send_pending(engine, config=config, sender="s@example.org", max_attempts=5, timeout=5)
    assert result.retrying == 1
    assert (_rows(engine)[0].last_error or "").startswith("connection:")


def test_a_rolled_back_action_leaves_no_mail(engine) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        enqueue(session, recipient="a@example.org", language="en", subject="s", text="t",
                html="<p>t</p>", kind="test")  # fmt: skip
        session.rollback()
    assert _rows(engine) == []


def test_enqueue_refuses_a_bad_address(engine) -> None:  # type: ignore[no-untyped-def]
    from survey.errors import InvalidInput

    with Session(engine) as session, pytest.raises(InvalidInput):
        enqueue(session, recipient="not an address", language="sv", subject="s", text="t",
                html="t", kind="test")  # fmt: skip

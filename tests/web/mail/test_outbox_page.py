"""/admin/mail: without SMTP it says plainly that mail is only stored; with a refusing server the
failures and their reasons show; message bodies on the detail page; administrators only."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from survey.clock import utcnow
from survey.models import OutboxMessage
from survey.services.mail.outbox import enqueue
from survey.services.mail.sender import send_with_settings
from tests.factories import build_world, login
from tests.mail_server import smtp_server


def _queue(engine) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        message = enqueue(session, recipient="anna@example.org", language="sv",
                          subject="Välkommen <b>", text="Hej Anna!\nRad två.",
                          html="<p>Hej <script>alert(1)</script></p>", kind="invitation")  # fmt: skip
        session.commit()
        return message.id  # type: ignore[return-value]


def test_without_smtp_messages_are_only_stored_and_shown(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    message_id = _queue(engine)
    login(client, "admin@example.org")
    page = client.get("/admin/mail")
    assert page.status_code == 200
    assert 'id="no-smtp"' in page.text and "Ingen e-postserver (SMTP) är inställd" in page.text
    assert "anna@example.org" in page.text and "Välkommen &lt;b&gt;" in page.text
    detail = client.get(f"/admin/mail/{message_id}")
    assert detail.status_code == 200
    assert "Hej Anna!\nRad två." in detail.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail.text  # the HTML shown as text
    assert client.get("/admin/mail/999999").status_code == 404
    assert client.get("/admin/mail?status=failed").text.count("anna@example.org") == 0


def test_failures_show_their_reason(client: TestClient, engine, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    message_id = _queue(engine)
    with smtp_server(tmp_path, refuse="550 5.7.1 relaying denied") as server:
        settings.smtp_url = server.url
        settings.mail_max_attempts = 2
        now = utcnow()
        assert send_with_settings(engine, settings, now=now).retrying == 1
        assert send_with_settings(engine, settings, now=now + timedelta(minutes=2)).failed == 1
    with Session(engine) as session:
        assert session.exec(select(OutboxMessage.status)).one() == "failed"
    login(client, "admin@example.org")
    page = client.get("/admin/mail?status=failed")
    assert 'id="no-smtp"' not in page.text and 'id="smtp-on"' in page.text
    assert 'data-status="failed"' in page.text and "550 5.7.1 relaying denied" in page.text
    detail = client.get(f"/admin/mail/{message_id}")
    assert 'id="mail-error">550 5.7.1 relaying denied<' in detail.text


def test_only_administrators(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    message_id = _queue(engine)
    login(client, "strategist-a@example.org")
    assert client.get("/admin/mail").status_code == 404
    assert client.get(f"/admin/mail/{message_id}").status_code == 404

"""Password reset end to end: the same answer for any address, the mail through a real SMTP
server sent by `survey send-mail --once`, the link sets a new password, every session ends."""

from __future__ import annotations

from urllib.parse import urlsplit

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from survey.models import AuditLog, OutboxMessage, PasswordReset
from tests.factories import PASSWORD, build_world, csrf_of, login
from tests.mail_server import Received, smtp_server


def _forgot(client: TestClient, email: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/password/forgot").text)
    return client.post("/password/forgot", data={"email": email, "csrf_token": token})


def _main(html: str) -> str:
    return html.split('<main id="main" tabindex="-1">')[1].split("</main>")[0]


def _outbox(engine) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(OutboxMessage)).one())


def _send_with_cli(tmp_path, monkeypatch) -> list[Received]:  # type: ignore[no-untyped-def]
    from survey.cli import main
    from survey.config import get_settings

    with smtp_server(tmp_path) as server:
        monkeypatch.setenv("SURVEY_SMTP_URL", server.url)
        get_settings.cache_clear()
        result = CliRunner().invoke(main, ["send-mail", "--once"])
        get_settings.cache_clear()
        assert result.exit_code == 0, result.output
        assert "sent #" in result.output and "1 sent, 0 to retry, 0 failed" in result.output
        return list(server.handler.received)


def test_forgot_reset_sign_in_and_old_sessions_end(
    client, engine, settings, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    signed_in = TestClient(client.app, base_url="https://testserver")
    login(signed_in, "principal-a@example.org")
    assert signed_in.get("/api/v1/me").status_code == 200

    known = _forgot(client, "Principal-A@example.org ")
    unknown = _forgot(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert _main(known.text) == _main(unknown.text)  # the same answer
    assert 'id="forgot-sent"' in known.text
    assert _outbox(engine) == 1

    [mail] = _send_with_cli(tmp_path, monkeypatch)
    assert mail.recipients == ["principal-a@example.org"]
    assert mail.message["Subject"] == "Byt lösenord – Digital självvärdering"
    assert "60 minuter" in mail.text and "Välj nytt lösenord" in mail.html
    path = urlsplit(mail.link("/password/reset/")).path

    reader = TestClient(client.app, base_url="https://testserver")
    page = reader.get(path)
    assert page.status_code == 200 and "principal-a@example.org" in page.text
    csrf = csrf_of(page.text)
    short = reader.post(path, data={"csrf_token": csrf, "password": "x", "password2": "x"})
    assert short.status_code == 422 and 'id="reset-error"' in short.text
    done = reader.post(path, data={"csrf_token": csrf, "password": "helt-nytt", "password2": "helt-nytt"},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == "/login?done=reset"

    assert signed_in.get("/api/v1/me").status_code == 401  # the old session has ended
    assert reader.get(path).status_code == 410  # single use
    old = TestClient(client.app, base_url="https://testserver")
    token = csrf_of(old.get("/login").text)
    refused = old.post("/login", data={"email": "principal-a@example.org", "password": PASSWORD,
                                       "csrf_token": token}, follow_redirects=False)  # fmt: skip
    assert refused.status_code == 401
    login(reader, "principal-a@example.org", "helt-nytt")
    with Session(engine) as session:
        actions = set(session.exec(select(AuditLog.action)))
    assert {"auth.password_reset_request", "auth.password_reset"} <= actions


def test_requests_are_limited_per_address_without_saying_so(client, engine) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    answers = {_main(_forgot(client, "principal-a@example.org").text) for _ in range(5)}
    assert len(answers) == 1
    assert _outbox(engine) == 3  # the fourth and fifth request mailed nothing
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(PasswordReset)).one() == 3


def test_a_bad_address_is_a_form_error(client, engine) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    response = _forgot(client, "inte en adress")
    assert response.status_code == 422 and 'id="forgot-error"' in response.text
    assert _outbox(engine) == 0


def test_expired_link_is_gone(client, engine) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from survey.clock import utcnow
    from survey.security import token_digest

    build_world(engine)
    _forgot(client, "principal-a@example.org")
    with Session(engine) as session:
        row = session.exec(select(PasswordReset)).one()
        row.token_hash = token_digest("known")
        row.expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)
        session.commit()
    assert client.get("/password/reset/known").status_code == 410


def test_login_page_links_to_forgot_password(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/login")
    assert 'href="/password/forgot"' in page.text and "Glömt lösenordet?" in page.text

"""The web app's mail thread: with SMTP configured it sends queued mail by itself."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlmodel import Session

from survey.config import Settings
from survey.services.mail.outbox import enqueue
from survey.web.app import create_app
from tests.mail_server import smtp_server


def test_the_app_sends_queued_mail_in_the_background(db_url, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        enqueue(session, recipient="a@example.org", language="en", subject="Hello", text="Hi",
                html="<p>Hi</p>", kind="test")  # fmt: skip
        session.commit()
    with smtp_server(tmp_path) as server:
        settings = Settings(database_url=db_url, gc_freeze=False, smtp_url=server.url,
                            mail_send_interval=1)  # fmt: skip
        with TestClient(create_app(settings)):
            deadline = time.monotonic() + 10
            while not server.handler.received and time.monotonic() < deadline:
                time.sleep(0.05)
        assert [m.message["Subject"] for m in server.handler.received] == ["Hello"]


def test_no_thread_without_smtp(db_url) -> None:  # type: ignore[no-untyped-def]
    import threading

    with TestClient(create_app(Settings(database_url=db_url, gc_freeze=False))):
        assert not any(t.name == "survey-mail" for t in threading.enumerate())

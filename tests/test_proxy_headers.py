"""X-Forwarded-For is believed only from proxies the operator names (issue 14): `survey serve`
without SURVEY_TRUSTED_PROXIES records the connecting address, whatever the header says (uvicorn's
own default would trust 127.0.0.1); with the proxy named, the forwarded client."""

from __future__ import annotations

import os
import re

import httpx2 as httpx
import pytest
from sqlmodel import Session, select

from bench.bench_autosave import free_port, start, stop
from survey.db import make_engine
from survey.models import LoginAttempt
from tests.factories import build_world

SURVEY = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".venv",
                      "bin", "survey")  # fmt: skip


def _failed_sign_in_address(url: str, trusted: str | None) -> str:
    port = free_port()
    env = {**os.environ, "SURVEY_DATABASE_URL": url, "SURVEY_COOKIE_SECURE": "false"}
    env.pop("SURVEY_TRUSTED_PROXIES", None)
    if trusted is not None:
        env["SURVEY_TRUSTED_PROXIES"] = trusted
    server = start([SURVEY, "serve", "--port", str(port)], env, port, "/healthz")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            page = client.get("/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            response = client.post(
                "/login", headers={"X-Forwarded-For": "203.0.113.9"},
                data={"email": "nobody@example.org", "password": "x", "csrf_token": token},
            )  # fmt: skip
            assert response.status_code == 401
    finally:
        stop(server)
    engine = make_engine(url)
    with Session(engine) as session:
        attempt = session.exec(select(LoginAttempt)).one()
        address = attempt.ip
        session.delete(attempt)
        session.commit()
    engine.dispose()
    return address


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_forwarded_addresses_only_from_trusted_proxies(db_url: str, engine) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    assert _failed_sign_in_address(db_url, None) == "127.0.0.1"
    assert _failed_sign_in_address(db_url, "127.0.0.1") == "203.0.113.9"

"""Sign-in, sessions, throttling and CSRF."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from survey.models import AuditLog, UserSession
from tests.factories import PASSWORD, build_world, csrf_of, login


def _login_form_token(client: TestClient) -> str:
    return csrf_of(client.get("/login").text)


def test_sign_in_sets_a_safe_session_cookie_and_audits(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    token = _login_form_token(client)
    response = client.post(
        "/login",
        data={
            "email": "Principal-A@example.org",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "survey_session=" in cookie
    for flag in ("HttpOnly", "Secure", "SameSite=lax"):
        assert flag.lower() in cookie.lower()
    page = client.get("/")
    assert "Mina bedömningar" in page.text
    with Session(engine) as session:
        assert session.exec(select(AuditLog).where(AuditLog.action == "auth.sign_in")).one()


def test_wrong_password_then_throttled(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    token = _login_form_token(client)
    data = {
        "email": "principal-a@example.org",
        "password": "wrong",
        "csrf_token": token,
        "next": "/",
    }
    for _ in range(5):
        response = client.post("/login", data=data)
        assert response.status_code == 401
        assert "Fel e-postadress eller lösenord." in response.text
    # Even the right password waits now, with a clear message.
    response = client.post("/login", data={**data, "password": PASSWORD})
    assert response.status_code == 429
    assert "Vänta" in response.text and int(response.headers["retry-after"]) > 0
    assert "survey_session" not in response.headers.get("set-cookie", "")


def test_sign_out_ends_the_session_on_the_server(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    csrf = login(client, "principal-a@example.org")
    stolen = client.cookies.get("survey_session")
    response = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    with Session(engine) as session:
        assert session.exec(select(UserSession)).one().revoked_at is not None
    client.cookies.set("survey_session", stolen)  # replaying the old cookie does not work
    response = client.get("/assessments/1", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_state_changing_requests_need_a_csrf_token(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    assert (
        client.post("/login", data={"email": "x@example.org", "password": "x"}).status_code == 403
    )
    csrf = login(client, "principal-a@example.org")
    assert client.post("/logout").status_code == 403
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    cross_site = client.post(
        "/logout", data={"csrf_token": csrf}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross_site.status_code == 403
    other_origin = client.post(
        "/logout", data={"csrf_token": csrf}, headers={"Origin": "https://evil.example"}
    )
    assert other_origin.status_code == 403
    # The htmx way: the token in a header.
    ok = client.post(
        "/logout", headers={"X-CSRF-Token": csrf, "HX-Request": "true"}, follow_redirects=False
    )
    assert ok.status_code == 303


def test_no_open_redirect_after_sign_in(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        client.cookies.clear()
        token = _login_form_token(client)
        response = client.post(
            "/login",
            data={
                "email": "principal-a@example.org",
                "password": PASSWORD,
                "csrf_token": token,
                "next": target,
            },
            follow_redirects=False,
        )
        assert response.status_code == 303, (target, response.status_code, response.text[:300])
        assert response.headers["location"] == "/"


def test_signed_out_user_is_sent_to_sign_in(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    response = client.get("/assessments/1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/assessments/1"
    # The sign-in page says why the user is there; signing in straight away says nothing.
    page = client.get(response.headers["location"]).text
    assert "Logga in för att fortsätta." in page and 'name="next" value="/assessments/1"' in page
    assert "Logga in för att fortsätta." not in client.get("/login").text


def _attempt(app, ip: str, email: str, password: str) -> int:  # type: ignore[no-untyped-def]
    other = TestClient(app, base_url="https://testserver", client=(ip, 50000))
    token = _login_form_token(other)
    response = other.post("/login", data={"email": email, "password": password,
                                          "csrf_token": token}, follow_redirects=False)  # fmt: skip
    return response.status_code


def test_a_distributed_guess_at_one_account_is_throttled(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    """Ten wrong passwords for one account from ten addresses: the eleventh try is refused, from
    any address, even with the right password; other accounts are not affected."""
    build_world(engine)
    for n in range(10):
        assert _attempt(client.app, f"10.0.0.{n}", "principal-a@example.org", "fel") == 401
    assert _attempt(client.app, "10.0.1.1", "principal-a@example.org", PASSWORD) == 429
    assert _attempt(client.app, "10.0.1.1", "principal-b@example.org", PASSWORD) == 303


def test_one_address_trying_many_accounts_is_throttled(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    for n in range(30):
        assert _attempt(client.app, "10.9.9.9", f"nobody{n}@example.org", "fel") == 401
    assert _attempt(client.app, "10.9.9.9", "principal-a@example.org", PASSWORD) == 429
    assert _attempt(client.app, "10.9.9.8", "principal-a@example.org", PASSWORD) == 303


def test_an_unknown_address_costs_a_password_check_too(
    client: TestClient, engine, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """No account enumeration by timing: a password is verified (Argon2, the slow part) whether
    or not the account exists. Observed by wrapping the real verification, not by replacing it."""
    import survey.services.accounts.sessions as auth

    build_world(engine)
    calls: list[bool] = []
    real = auth.verify_password

    def counted(password_hash: str, password: str) -> bool:
        result = real(password_hash, password)
        calls.append(result)
        return result

    monkeypatch.setattr(auth, "verify_password", counted)
    assert _attempt(client.app, "10.1.1.1", "nobody@example.org", "fel") == 401
    assert _attempt(client.app, "10.1.1.2", "principal-a@example.org", "fel") == 401
    assert calls == [False, False]


def test_signing_in_again_while_signed_in_works(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    login(client, "principal-a@example.org")
    token = _login_form_token(client)  # the form as a signed-in user sees it
    again = client.post("/login", data={"email": "strategist-a@example.org",
                                        "password": PASSWORD, "csrf_token": token},
                        follow_redirects=False)  # fmt: skip
    assert again.status_code == 303
    assert client.get("/api/v1/me").json()["email"] == "strategist-a@example.org"


def test_api_answers_are_never_cached(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    login(client, "principal-a@example.org")
    for path in ("/api/v1/me", "/api/v1/assessments", "/api/v1/rounds", "/api/v1/assessments/999"):
        assert client.get(path).headers["cache-control"] == "no-store", path

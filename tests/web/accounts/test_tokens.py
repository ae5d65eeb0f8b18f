"""API tokens on the web: the page (create shown once, list, revoke) and ``Authorization: Bearer``
on /api/ (no CSRF; read-only tokens read only; revoked, expired, unknown → 401; never on HTML
pages; the owner's access, no more; audited)."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from survey.clock import utcnow
from survey.models import Answer, ApiToken, AuditLog
from survey.services.accounts.tokens import create_token
from tests.factories import build_world, csrf_of, login, make_round

LATER = (date.today() + timedelta(days=30)).isoformat()


def _world(engine):  # type: ignore[no-untyped-def]
    world = build_world(engine)
    _, a = make_round(engine, questionnaire_id=world.questionnaires["skola"], owner=world.org_a,
                      units=[world.school_a])  # fmt: skip
    _, b = make_round(engine, questionnaire_id=world.questionnaires["skola"], owner=world.org_b,
                      units=[world.school_b])  # fmt: skip
    return world, a[world.school_a], b[world.school_b]


def _token(engine, user_id: int, scope: str = "write") -> tuple[int, str]:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as session:
        made = create_token(session, user_id=user_id, name=f"script {scope}", expires=LATER,
                            scope=scope, today=date.today())  # fmt: skip
        session.commit()
    return made.token.id, made.secret  # type: ignore[return-value]


def _bearer(client: TestClient) -> TestClient:
    """A client of the same app without any cookie (a script)."""
    return TestClient(client.app, base_url="https://testserver")


def _auth(secret: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **extra}


# ------------------------------------------------------------------------------ the page


def test_create_shows_the_token_once_and_stores_its_hash(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, _, _ = _world(engine)
    csrf = login(client, "principal-a@example.org")
    page = client.get("/account/tokens")
    assert page.status_code == 200 and 'id="f-name"' in page.text
    default = re.search(r'name="expires" type="date"[^>]* value="([^"]+)"', page.text)
    assert default and date.fromisoformat(default.group(1)) > date.today() + timedelta(days=80)
    response = client.post("/account/tokens", data={"csrf_token": csrf, "name": "Power BI",
                                                    "expires": LATER, "scope": "read"},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303 and response.headers["location"] == "/account/tokens"
    response = client.get("/account/tokens")  # the page after creating (reloading creates nothing)
    assert response.status_code == 200
    secret = re.search(r'id="new-token" type="text" readonly value="(svy_[^"]+)"', response.text)
    assert secret, response.text
    secret_text = secret.group(1)
    with Session(engine) as session:
        row = session.exec(select(ApiToken)).one()
        assert row.user_id == world.users["principal-a@example.org"]
        assert row.token_hash == hashlib.sha256(secret_text.encode()).hexdigest()
        assert session.exec(select(AuditLog).where(AuditLog.action == "token.create")).one()
    listed = client.get("/account/tokens")
    assert secret_text not in listed.text  # shown once
    assert "survey_new_token" not in client.cookies
    with Session(engine) as session:
        assert len(session.exec(select(ApiToken)).all()) == 1
    assert "Power BI" in listed.text and f"{row.hint}…" in listed.text
    assert "Aldrig" in listed.text  # never used
    # The token works at once.
    me = _bearer(client).get("/api/v1/me", headers=_auth(secret_text))
    assert me.status_code == 200 and me.json()["email"] == "principal-a@example.org"
    assert "Aldrig" not in client.get("/account/tokens").text  # last used is shown


def test_bad_input_is_named_and_creates_nothing(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _world(engine)
    csrf = login(client, "principal-a@example.org")
    far = (date.today() + timedelta(days=400)).isoformat()
    response = client.post("/account/tokens", data={"csrf_token": csrf, "name": "",
                                                    "expires": far, "scope": "root"})  # fmt: skip
    assert response.status_code == 422
    problems = re.findall(r'<li data-field="(\w+)">', response.text)
    assert problems == ["name", "expires", "scope"]
    assert "högst 365 dagar framåt" in response.text and "ange ett namn" in response.text
    assert f'value="{far}"' in response.text  # the input is kept
    with Session(engine) as session:
        assert session.exec(select(ApiToken)).all() == []


def test_revoke_from_the_page_then_the_token_is_refused(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, own, _ = _world(engine)
    token_id, secret = _token(engine, world.users["principal-a@example.org"], "read")
    script = _bearer(client)
    assert script.get(f"/api/v1/assessments/{own}", headers=_auth(secret)).status_code == 200
    csrf = login(client, "principal-a@example.org")
    assert client.post(f"/account/tokens/{token_id}/revoke", data={}).status_code == 403  # CSRF
    response = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303 and response.headers["location"] == "/account/tokens"
    assert 'data-state="revoked"' in client.get("/account/tokens").text
    refused = script.get(f"/api/v1/assessments/{own}", headers=_auth(secret))
    assert refused.status_code == 401
    assert refused.json()["detail"] == "API-nyckeln är återkallad."
    assert refused.headers["www-authenticate"].startswith("Bearer")
    english = script.get("/api/v1/me", headers=_auth(secret, **{"Accept-Language": "en"}))
    assert english.json()["detail"] == "The API token has been revoked."
    with Session(engine) as session:
        audit = session.exec(select(AuditLog).where(AuditLog.action == "token.revoke")).one()
        assert audit.object_id == token_id


def test_nobody_revokes_someone_elses_token(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, _, _ = _world(engine)
    token_id, secret = _token(engine, world.users["principal-a@example.org"])
    csrf = login(client, "admin@example.org")
    response = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 404
    assert _bearer(client).get("/api/v1/me", headers=_auth(secret)).status_code == 200
    assert "script write" not in client.get("/account/tokens").text


# ------------------------------------------------------------------------------ the API


def test_read_write_token_saves_an_answer_without_csrf_and_is_audited(
    client: TestClient, engine
) -> None:  # type: ignore[no-untyped-def]
    world, own, _ = _world(engine)
    user_id = world.users["principal-a@example.org"]
    token_id, secret = _token(engine, user_id, "write")
    script = _bearer(client)
    url = f"/api/v1/assessments/{own}/answers/L.01"
    assert script.put(url, json={"choice": "3"}).status_code == 403  # no token: CSRF refuses
    response = script.put(url, json={"choice": "3"}, headers=_auth(secret))
    assert response.status_code == 200, response.text
    assert response.json() == {"item_id": "L.01", "kind": "level", "value": 3, "comment": None}
    # Even from a page of another site: the header is the credential (never sent by a browser).
    other = _auth(secret, Origin="https://evil.example", **{"Sec-Fetch-Site": "cross-site"})
    assert script.put(url, json={"choice": "4"}, headers=other).status_code == 200
    with Session(engine) as session:
        assert [a.value for a in session.exec(select(Answer).where(Answer.item_id == "L.01"))] == [
            4
        ]
        uses = session.exec(select(AuditLog).where(AuditLog.action == "token.use")).all()
        assert [(u.object_id, u.user_id, u.detail["method"]) for u in uses] == [
            (token_id, user_id, "PUT"), (token_id, user_id, "PUT")]  # fmt: skip
        assert uses[0].detail["path"] == url
        token = session.get(ApiToken, token_id)
        assert token is not None and token.last_used_at is not None
    # Reading is not audited (nothing changed) but counts as a use.
    assert script.get(f"/api/v1/assessments/{own}", headers=_auth(secret)).status_code == 200
    with Session(engine) as session:
        assert len(session.exec(select(AuditLog).where(AuditLog.action == "token.use")).all()) == 2


def test_read_only_token_reads_but_may_not_change(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, own, _ = _world(engine)
    _, secret = _token(engine, world.users["principal-a@example.org"], "read")
    script = _bearer(client)
    assert script.get(f"/api/v1/assessments/{own}", headers=_auth(secret)).status_code == 200
    assert script.head("/api/v1/me", headers=_auth(secret)).status_code != 401
    response = script.put(f"/api/v1/assessments/{own}/answers/L.01", json={"choice": "3"},
                          headers=_auth(secret))  # fmt: skip
    assert response.status_code == 403
    assert "bara läsa" in response.json()["detail"]
    submit = script.post(f"/api/v1/assessments/{own}/submit", headers=_auth(secret))
    assert submit.status_code == 403
    with Session(engine) as session:
        assert session.exec(select(Answer)).all() == []
        assert session.exec(select(AuditLog).where(AuditLog.action == "token.use")).all() == []


def test_expired_and_unknown_tokens_are_401(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, _, _ = _world(engine)
    token_id, secret = _token(engine, world.users["principal-a@example.org"])
    with Session(engine) as session:
        token = session.get(ApiToken, token_id)
        token.expires_at = utcnow() - timedelta(minutes=1)  # type: ignore[union-attr]
        session.add(token)
        session.commit()
    script = _bearer(client)
    expired = script.get("/api/v1/me", headers=_auth(secret))
    assert expired.status_code == 401 and "gick ut" in expired.json()["detail"]
    for bad in ("svy_" + "x" * 43, "", secret[:-2]):
        response = script.get("/api/v1/assessments", headers=_auth(bad))
        assert response.status_code == 401 and "Okänd API-nyckel" in response.json()["detail"]


def test_the_owners_access_and_no_more(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, own, other = _world(engine)
    _, secret = _token(engine, world.users["principal-a@example.org"])
    script = _bearer(client)
    assert script.get(f"/api/v1/assessments/{other}", headers=_auth(secret)).status_code == 404
    put = script.put(f"/api/v1/assessments/{other}/answers/L.01", json={"choice": "2"},
                     headers=_auth(secret))  # fmt: skip
    assert put.status_code == 404
    listed = script.get("/api/v1/assessments", headers=_auth(secret)).json()
    assert [a["id"] for a in listed] == [own]
    _, strategist = _token(engine, world.users["strategist-a@example.org"])
    # A strategist does not answer a school's assessment, with a token or without.
    assert script.get(f"/api/v1/assessments/{own}", headers=_auth(strategist)).status_code == 404


def test_a_token_never_opens_an_html_page(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, own, _ = _world(engine)
    _, secret = _token(engine, world.users["principal-a@example.org"])
    script = _bearer(client)
    for path in (f"/assessments/{own}", "/account/tokens", "/rounds", "/"):
        response = script.get(path, headers=_auth(secret), follow_redirects=False)
        assert response.status_code in (200, 303), path
        if response.status_code == 303:
            assert response.headers["location"].startswith("/login"), path
        else:  # the public start page, signed out
            assert "principal-a" not in response.text
    posted = script.post(f"/assessments/{own}/items/L.01", data={"answer-L.01": "2"},
                         headers=_auth(secret), follow_redirects=False)  # fmt: skip
    assert posted.status_code == 403  # no CSRF token: the header counts for nothing here
    created = script.post("/account/tokens", data={"name": "x", "expires": LATER, "scope": "write"},
                          headers=_auth(secret), follow_redirects=False)  # fmt: skip
    assert created.status_code == 403
    with Session(engine) as session:
        assert len(session.exec(select(ApiToken)).all()) == 1


def test_a_cookie_session_is_unchanged_and_the_token_wins_on_the_api(
    client: TestClient, engine
) -> None:  # type: ignore[no-untyped-def]
    world, own, _ = _world(engine)
    _, secret = _token(engine, world.users["strategist-a@example.org"], "read")
    csrf = login(client, "principal-a@example.org")
    url = f"/api/v1/assessments/{own}/answers/L.01"
    assert client.put(url, json={"choice": "2"}).status_code == 403  # a session needs CSRF
    assert client.put(url, json={"choice": "2"}, headers={"X-CSRF-Token": csrf}).status_code == 200
    # With a token the cookie is ignored: the request is the token's owner's (read-only here).
    assert (
        client.get("/api/v1/me", headers=_auth(secret)).json()["email"]
        == "strategist-a@example.org"
    )
    assert (
        client.put(
            url, json={"choice": "3"}, headers=_auth(secret, **{"X-CSRF-Token": csrf})
        ).status_code
        == 403
    )
    assert csrf_of(client.get("/").text) == csrf

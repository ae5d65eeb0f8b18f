"""Sign-in with the organisation's own account, against a real OpenID provider (tests/oidc):
the code flow with PKCE, state and nonce; the ID token checked by Authlib against the
provider's JWKS; the person matched to an existing account by verified address; password
sign-in switched off per organiser."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from survey.config import OidcProvider
from survey.errors import Forbidden
from survey.models import AuditLog, User, UserSession
from survey.web.accounts.oidc import PENDING_COOKIE, Pending
from survey.web.accounts.oidc_client import Client
from survey.web.app import create_app
from tests.factories import PASSWORD, build_world, csrf_of
from tests.oidc.provider import sign_in_at_provider

BACK = "https://testserver/login/oidc/{name}/callback"


@pytest.fixture
def world(engine):  # type: ignore[no-untyped-def]
    return build_world(engine)


def _app_client(settings, providers: list[dict[str, object]]) -> TestClient:  # type: ignore[no-untyped-def]
    configured = settings.model_copy(
        update={"oidc_providers": [OidcProvider(**p) for p in providers]}
    )
    return TestClient(create_app(configured), base_url="https://testserver")


@pytest.fixture
def app(settings, oidc_provider, world):  # type: ignore[no-untyped-def]
    """The app with two providers on the test provider: "any" (for every account) and "org"
    (organiser A's, password sign-in off for its people)."""
    providers = [
        oidc_provider.settings("any", label="Hela tjänstens konto"),
        oidc_provider.settings("org", organiser_id=world.org_a, password_sign_in=False),
    ]
    with _app_client(settings, providers) as client:
        yield client


def _start(client: TestClient, name: str) -> str:
    """Press "Logga in med …" on the sign-in page; returns the provider's authorization URL."""
    page = client.get("/login")
    response = client.post(
        f"/login/oidc/{name}",
        data={"csrf_token": csrf_of(page.text), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response.headers["location"]


def _come_back(client: TestClient, name: str, login: str) -> str:
    """The whole trip to the provider; returns the callback URL the provider sends back."""
    return sign_in_at_provider(_start(client, name), login, BACK.format(name=name))


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _users(engine) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(User)).one()


def test_the_login_page_offers_each_provider(app: TestClient) -> None:
    page = app.get("/login").text
    assert "Logga in med Hela tjänstens konto" in page
    assert "Logga in med Testkommunens konto" in page
    assert 'action="/login/oidc/org"' in page


def test_the_authorization_request_has_state_nonce_and_pkce(app: TestClient) -> None:
    query = parse_qs(urlsplit(_start(app, "any")).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [BACK.format(name="any")]
    pending = Pending.decode(app.cookies.get(PENDING_COOKIE))
    assert pending is not None and pending.state == query["state"][0]
    assert pending.nonce == query["nonce"][0]


def test_sign_in_with_the_provider_as_the_matching_account(app: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    callback = _come_back(app, "any", "Principal-A@example.org")
    response = app.get(_path(callback), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers.get_list("set-cookie")
    assert any(c.startswith("survey_session=") and "HttpOnly" in c for c in cookie)
    assert "Mina bedömningar" in app.get("/").text
    with Session(engine) as session:
        entry = session.exec(select(AuditLog).where(AuditLog.action == "auth.sign_in")).one()
        assert entry.detail == {"provider": "any"}
        user = session.get(User, entry.user_id)
        assert user is not None and user.email == "principal-a@example.org"
        assert session.exec(select(UserSession)).one().user_id == user.id
    # The code is spent: the same callback again signs nobody in.
    again = app.get(_path(callback), follow_redirects=False)
    assert again.status_code == 403


def test_a_tampered_id_token_is_refused(app: TestClient, oidc_provider) -> None:  # type: ignore[no-untyped-def]
    """The callback's checks fed with the real provider's tokens: the genuine ID token passes,
    the same token with its signature altered does not (checked against the provider's JWKS)."""
    callback = _come_back(app, "any", "principal-a@example.org")
    pending = Pending.decode(app.cookies.get(PENDING_COOKIE))
    assert pending is not None
    client = Client(OidcProvider(**oidc_provider.settings("any")))
    code = parse_qs(urlsplit(callback).query)["code"][0]
    token = client.exchange(
        code=code, code_verifier=pending.verifier, redirect_uri=BACK.format(name="any")
    )
    header, payload, signature = token["id_token"].split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[len(raw) // 2] ^= 0x01
    altered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(Forbidden) as refused:
        client.claims({**token, "id_token": f"{header}.{payload}.{altered}"}, nonce=pending.nonce)
    assert refused.value.key == "err.oidc.token_invalid"
    # Claims changed under the genuine signature: refused as well.
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = (
        base64.urlsafe_b64encode(json.dumps({**claims, "sub": "admin@example.org"}).encode())
        .rstrip(b"=")
        .decode()
    )
    with pytest.raises(Forbidden):
        client.claims({**token, "id_token": f"{header}.{forged}.{signature}"}, nonce=pending.nonce)
    with pytest.raises(Forbidden):  # a wrong nonce, the token itself genuine
        client.claims(token, nonce="not-the-nonce-we-sent")
    # The genuine token passes (so the refusals above are the checks', not a broken setup).
    assert client.claims(token, nonce=pending.nonce)["email"] == "principal-a@example.org"


def test_a_wrong_nonce_is_refused_by_the_callback(app: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    """The browser's pending sign-in holds another nonce than the one in the ID token."""
    callback = _come_back(app, "any", "principal-a@example.org")
    pending = Pending.decode(app.cookies.get(PENDING_COOKIE))
    assert pending is not None
    other = Pending(pending.provider, pending.state, "another-nonce", pending.verifier, "/")
    (stored,) = [c for c in app.cookies.jar if c.name == PENDING_COOKIE]
    app.cookies.set(PENDING_COOKIE, other.encode(), domain=stored.domain, path=stored.path)
    response = app.get(_path(callback), follow_redirects=False)
    assert response.status_code == 403
    assert "kunde inte kontrolleras" in response.text
    assert "survey_session=" not in response.headers.get("set-cookie", "")
    with Session(engine) as session:
        assert session.exec(select(UserSession)).first() is None


def test_a_wrong_state_is_refused(app: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    callback = _come_back(app, "any", "principal-a@example.org")
    forged = callback.replace("state=", "state=x")
    response = app.get(_path(forged), follow_redirects=False)
    assert response.status_code == 403
    with Session(engine) as session:
        assert session.exec(select(UserSession)).first() is None


def test_an_unknown_address_gets_a_clear_page_and_no_account(app: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    before = _users(engine)
    callback = _come_back(app, "any", "stranger@example.org")
    response = app.get(_path(callback), follow_redirects=False)
    assert response.status_code == 403
    assert "Det finns inget konto för stranger@example.org" in response.text
    assert "Be din administratör om en inbjudan" in response.text
    assert _users(engine) == before
    with Session(engine) as session:
        assert session.exec(select(UserSession)).first() is None


def test_an_unverified_address_is_refused(app: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    callback = _come_back(app, "any", "unverified:principal-a@example.org")
    response = app.get(_path(callback), follow_redirects=False)
    assert response.status_code == 403
    assert "inte bekräftat" in response.text
    with Session(engine) as session:
        assert session.exec(select(UserSession)).first() is None


def test_an_organisers_provider_signs_in_its_own_people_only(app: TestClient) -> None:
    # Organiser A's provider may not vouch for an admin (or anyone outside organiser A).
    response = app.get(_path(_come_back(app, "org", "admin@example.org")), follow_redirects=False)
    assert response.status_code == 403 and "survey_session=" not in str(response.headers)
    response = app.get(
        _path(_come_back(app, "org", "principal-b@example.org")), follow_redirects=False
    )
    assert response.status_code == 403
    response = app.get(
        _path(_come_back(app, "org", "strategist-a@example.org")), follow_redirects=False
    )
    assert response.status_code == 303


def _password(client: TestClient, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    client.cookies.clear()
    page = client.get("/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text), "next": "/"},
        follow_redirects=False,
    )


def test_password_sign_in_off_for_the_organisers_people_not_for_admins(
    settings,  # type: ignore[no-untyped-def]
    world,
) -> None:
    providers = [
        {
            "name": "org",
            "label": "Uppsala kommuns konto",
            "issuer": "https://idp.invalid",  # never contacted: the sign-in page needs no discovery
            "client_id": "survey",
            "client_secret": "secret",
            "organiser_id": world.org_a,
            "password_sign_in": False,
        }
    ]
    with _app_client(settings, providers) as client:
        for email in ("principal-a@example.org", "strategist-a@example.org"):
            refused = _password(client, email)
            assert refused.status_code == 403, email
            assert "loggar in med Uppsala kommuns konto" in refused.text
            assert "Logga in med Uppsala kommuns konto" in refused.text  # the button is there
        # A wrong password says only that: the switch is told to who knows the password.
        assert _password(client, "principal-a@example.org", "wrong").status_code == 401
        # Admins are never locked out; other organisers' people still use passwords.
        assert _password(client, "admin@example.org").status_code == 303
        assert _password(client, "principal-b@example.org").status_code == 303
        assert _password(client, "national@example.org").status_code == 303


def test_unknown_provider_stray_callback_and_unreachable_provider(settings, world) -> None:  # type: ignore[no-untyped-def]
    """Never a 500: an unknown provider is 404, a callback without a sign-in under way a clear
    refusal, a provider that does not answer a clear page."""
    from tests.oidc.provider import free_port

    down = {
        "name": "down",
        "label": "Nedlagda kontot",
        "issuer": f"http://127.0.0.1:{free_port()}",  # nothing listens there
        "client_id": "survey",
        "client_secret": "secret",
    }
    with _app_client(settings, [down]) as client:
        csrf = csrf_of(client.get("/login").text)
        assert client.post("/login/oidc/nope", data={"csrf_token": csrf}).status_code == 404
        assert client.get("/login/oidc/nope/callback").status_code == 404
        stray = client.get("/login/oidc/down/callback?code=abc&state=xyz")
        assert stray.status_code == 403 and "Börja om från inloggningssidan" in stray.text
        response = client.post("/login/oidc/down", data={"csrf_token": csrf, "next": "/"})
        assert response.status_code == 502 and "svarar inte just nu" in response.text
        # Starting needs the CSRF token like every form.
        assert client.post("/login/oidc/down", data={"next": "/"}).status_code == 403


# ------------------------------------------------------------- an invitation accepted at the provider


def _invite(engine, world, email: str) -> str:  # type: ignore[no-untyped-def]
    """An administrator's invitation of ``email`` as principal of school A; the link's token."""
    from survey.models import Unit
    from survey.services.access import load_actor
    from survey.services.accounts.invitations import InviteRequest, create_invitation

    with Session(engine) as session:
        admin = session.get(User, world.users["admin@example.org"])
        assert admin is not None
        actor = load_actor(session, user=admin)
        unit = session.get(Unit, world.school_a)
        assert unit is not None
        request = InviteRequest(email=email, role="principal", unit=unit, language="sv")
        _, token = create_invitation(session, actor=actor, request=request, days=14)
        session.commit()
    return token


def _accept_at_provider(app: TestClient, token: str, name: str, login: str) -> str:
    """On the invitation page, press "Logga in med …"; returns the provider's callback URL."""
    page = app.get(f"/invite/{token}")
    assert page.status_code == 200 and f'id="accept-with-{name}"' in page.text
    response = app.post(
        f"/login/oidc/{name}",
        data={"csrf_token": csrf_of(page.text), "next": "/", "invitation": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return sign_in_at_provider(response.headers["location"], login, BACK.format(name=name))


def test_an_invitation_is_accepted_by_signing_in_at_the_provider(
    app: TestClient, engine, world
) -> None:  # type: ignore[no-untyped-def]
    """A person without an account accepts an invitation through the organisation's provider:
    the account is made for the verified, invited address (no password it knows), the role is
    granted, the link is spent and the person is signed in."""
    from survey.models import Invitation, RoleGrant

    token = _invite(engine, world, "ny.rektor@example.org")
    before = _users(engine)
    callback = _accept_at_provider(app, token, "any", "ny.rektor@example.org")
    response = app.get(_path(callback), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert "Mina bedömningar" in app.get("/").text
    assert _users(engine) == before + 1
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == "ny.rektor@example.org")).one()
        grant = session.exec(select(RoleGrant).where(RoleGrant.user_id == user.id)).one()
        assert (grant.role, grant.unit_id) == ("principal", world.school_a)
        invitation = session.exec(select(Invitation)).one()
        assert invitation.accepted_user_id == user.id
        assert session.exec(select(UserSession).where(UserSession.user_id == user.id)).first()
    # The link is spent.
    assert app.get(f"/invite/{token}").status_code == 410
    # Nobody knows a password for the new account.
    page = app.get("/login")
    refused = app.post("/login", data={"csrf_token": csrf_of(page.text), "email": "ny.rektor@example.org", "password": PASSWORD}, follow_redirects=False)  # fmt: skip
    assert refused.status_code == 401


def test_another_address_at_the_provider_accepts_nothing(app: TestClient, engine, world) -> None:  # type: ignore[no-untyped-def]
    from survey.models import Invitation

    token = _invite(engine, world, "ny.rektor@example.org")
    before = _users(engine)
    callback = _accept_at_provider(app, token, "any", "someone.else@example.org")
    response = app.get(_path(callback), follow_redirects=False)
    assert response.status_code == 403
    assert "someone.else@example.org" in response.text
    assert _users(engine) == before
    with Session(engine) as session:
        assert session.exec(select(Invitation)).one().accepted_at is None
    assert app.get(f"/invite/{token}").status_code == 200  # still open


def test_an_organisers_provider_accepts_only_invitations_to_its_units(
    app: TestClient, engine, world
) -> None:  # type: ignore[no-untyped-def]
    """The "org" provider vouches for organiser A's people: an invitation to a unit of
    organiser B is refused through it, and nothing is written."""
    from survey.models import Invitation, Unit
    from survey.services.access import load_actor
    from survey.services.accounts.invitations import InviteRequest, create_invitation

    with Session(engine) as session:
        admin = session.get(User, world.users["admin@example.org"])
        assert admin is not None
        unit = session.get(Unit, world.school_b)
        assert unit is not None
        request = InviteRequest(
            email="rektor-b2@example.org", role="principal", unit=unit, language="sv"
        )
        _, token = create_invitation(session, actor=load_actor(session, user=admin), request=request, days=14)  # fmt: skip
        session.commit()
    callback = _accept_at_provider(app, token, "org", "rektor-b2@example.org")
    assert app.get(_path(callback), follow_redirects=False).status_code == 403
    with Session(engine) as session:
        assert session.exec(select(Invitation)).one().accepted_at is None
        assert (
            session.exec(select(User).where(User.email == "rektor-b2@example.org")).first() is None
        )

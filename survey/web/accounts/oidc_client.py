"""The OpenID Connect relying party, built from Authlib's own parts (the ones its Flask and
Django integrations are made of): discovery, the authorization URL with ``state``, ``nonce`` and
PKCE (S256), the code exchange, and the ID token's check (signature against the provider's JWKS,
issuer, audience, expiry, nonce, ``at_hash``). Nothing here parses or checks a token by hand.

Authlib's framework integrations keep ``state`` in a server-side session; this app has none, so
the web layer keeps it in a short-lived cookie of its own (``survey/web/accounts/oidc.py``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.base_client.sync_app import BaseApp, OAuth2Mixin
from authlib.integrations.base_client.sync_openid import OpenIDMixin
from authlib.integrations.httpx_client import OAuth2Client
from joserfc.errors import JoseError

from survey.config import OidcProvider
from survey.errors import DomainError, Forbidden, message_key

TIMEOUT_SECONDS = 10
LEEWAY_SECONDS = 60  # clock skew allowed on exp, iat


class ProviderUnreachable(DomainError):
    status_code = 502

    def __init__(self) -> None:
        super().__init__(message_key("err.oidc.unreachable"))


class _NoTokenStore:
    """Authlib calls ``framework.update_token`` only when it refreshes a token: never here."""

    def update_token(self, *args: object, **kwargs: object) -> None:
        return None


class RelyingParty(OAuth2Mixin, OpenIDMixin, BaseApp):
    """Authlib's synchronous OAuth 2 / OpenID client over httpx."""

    client_cls = OAuth2Client


@dataclass(frozen=True)
class Authorization:
    url: str
    state: str
    nonce: str
    code_verifier: str


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


class Client:
    """One configured provider; its discovery document and keys are fetched once per process
    (Authlib fetches the JWKS again when a token names a key it does not know: key rotation)."""

    def __init__(self, provider: OidcProvider):
        self.provider = provider
        self._lock = threading.Lock()
        self.rp = RelyingParty(
            _NoTokenStore(),
            name=provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=discovery_url(provider.issuer),
            client_kwargs={
                "scope": provider.scope,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic",
                "timeout": TIMEOUT_SECONDS,
            },
        )

    def metadata(self) -> dict[str, Any]:
        """The discovery document, whose issuer must be the configured one exactly (OpenID
        Connect Discovery 4.3; a trailing slash aside)."""
        try:
            with self._lock:
                metadata: dict[str, Any] = self.rp.load_server_metadata()
        except (httpx2.HTTPError, ValueError) as exc:
            raise ProviderUnreachable() from exc
        if str(metadata.get("issuer", "")).rstrip("/") != self.provider.issuer.rstrip("/"):
            raise Forbidden("err.oidc.token_invalid")
        return metadata

    def authorization(self, redirect_uri: str) -> Authorization:
        self.metadata()
        try:
            found = self.rp.create_authorization_url(redirect_uri)
        except (httpx2.HTTPError, RuntimeError) as exc:
            raise ProviderUnreachable() from exc
        return Authorization(
            url=found["url"],
            state=found["state"],
            nonce=found["nonce"],
            code_verifier=found["code_verifier"],
        )

    def exchange(self, *, code: str, code_verifier: str, redirect_uri: str) -> dict[str, Any]:
        """The token response for an authorization code (with the PKCE verifier)."""
        self.metadata()
        try:
            token: dict[str, Any] = self.rp.fetch_access_token(
                redirect_uri=redirect_uri, code=code, code_verifier=code_verifier
            )
        except OAuthError as exc:
            raise Forbidden("err.oidc.provider_error", error=str(exc.error)[:100]) from exc
        except (httpx2.HTTPError, ValueError) as exc:
            raise ProviderUnreachable() from exc
        return token

    def claims(self, token: dict[str, Any], *, nonce: str) -> dict[str, Any]:
        """The ID token's claims once Authlib has verified it (signature against the JWKS; iss,
        aud, exp, iat, nonce, at_hash); the e-mail claims from the UserInfo endpoint when the ID
        token leaves them out (as providers may for the code flow), for the same subject."""
        metadata = self.metadata()
        if not nonce or not token.get("id_token"):
            raise Forbidden("err.oidc.token_invalid")
        try:
            verified = self.rp.parse_id_token(
                token,
                nonce=nonce,
                claims_options={"iss": {"essential": True, "values": [metadata["issuer"]]}},
                leeway=LEEWAY_SECONDS,
            )
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise Forbidden("err.oidc.token_invalid") from exc
        except httpx2.HTTPError as exc:
            raise ProviderUnreachable() from exc
        claims = dict(verified)
        if "email" not in claims and metadata.get("userinfo_endpoint"):
            try:
                info = dict(self.rp.userinfo(token=token))
            except (httpx2.HTTPError, OAuthError, ValueError) as exc:
                raise ProviderUnreachable() from exc
            if info.get("sub") != claims.get("sub"):
                raise Forbidden("err.oidc.token_invalid")
            claims.update({k: info[k] for k in ("email", "email_verified", "name") if k in info})
        return claims


class Clients:
    """The app's clients by provider name (made on first use)."""

    def __init__(self, providers: tuple[OidcProvider, ...]):
        self._providers = {p.name: p for p in providers}
        self._clients: dict[str, Client] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> Client | None:
        provider = self._providers.get(name)
        if provider is None:
            return None
        with self._lock:
            if name not in self._clients:
                self._clients[name] = Client(provider)
            return self._clients[name]

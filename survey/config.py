"""Settings, read once from the environment (prefix ``SURVEY_``) or a ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from survey.resources import data_dir


class OidcProvider(BaseModel):
    """One OpenID Connect provider people may sign in with (README "Sign-in with your
    organisation's account")."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$", description="In the URLs.")
    label: str = Field(min_length=1, max_length=80, description='"Logga in med <label>".')
    issuer: str = Field(pattern=r"^https?://[^\s?#]+$")
    client_id: str = Field(min_length=1)
    client_secret: str = Field(min_length=1)
    organiser_id: int | None = Field(
        default=None,
        description="The organiser whose provider it is: it signs in only accounts whose every "
        "role grant is on that organiser or below. None: a provider for every account.",
    )
    password_sign_in: bool = Field(
        default=True,
        description="False: the organiser's people (every grant under organiser_id) cannot sign "
        "in with a password; admins always can.",
    )
    scope: str = "openid email profile"

    @model_validator(mode="after")
    def _password_off_needs_organiser(self) -> OidcProvider:
        if not self.password_sign_in and self.organiser_id is None:
            raise ValueError(f"provider {self.name}: password_sign_in false needs organiser_id")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SURVEY_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///survey.db",
        description="SQLAlchemy URL; SQLite file by default, postgresql+psycopg://… in production.",
    )
    questionnaire_dir: Path = Field(
        default_factory=lambda: data_dir("questionnaires"),
        description="Folder with framework.yaml, schema.json and the questionnaire files.",
    )
    templates_dir: Path = Field(default_factory=lambda: data_dir("templates"))
    static_dir: Path = Field(default_factory=lambda: data_dir("static"))
    default_language: str = "sv"
    min_group_size: int = Field(
        default=5, ge=2, description="k: smallest group whose aggregates may be shown."
    )
    detail_group_size: int = Field(
        default=10,
        ge=2,
        description="Smallest group whose median, quartiles, min, max, sd, Gini and Theil are "
        "shown; smaller shown groups get n, mean and shares only (at least k).",
    )

    threads: int = Field(
        default=32,
        ge=2,
        le=500,
        description="Worker threads per process for requests; the database pool holds as many "
        "connections, so no request waits for a connection while another thread is idle.",
    )
    max_waiting: int = Field(
        default=2000,
        ge=1,
        description="Requests a process accepts while all its threads are busy; beyond that it "
        "answers 503 with Retry-After at once instead of letting them queue.",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses (or networks) of reverse proxies whose "
        "X-Forwarded-For/-Proto headers are believed; empty: none (the client's own address "
        "counts). Behind nginx or a load balancer on the same host: 127.0.0.1.",
    )
    api_docs: bool = Field(
        default=True,
        description="Serve the API's interactive documentation at /docs (vendored Swagger UI).",
    )
    cookie_secure: bool = Field(
        default=True, description="Mark cookies Secure (browsers accept them on localhost too)."
    )
    session_hours: int = 12

    # --- mail (README "E-mail") ---
    smtp_url: str = Field(
        default="",
        description="SMTP server for outgoing mail: smtp://user:pass@host:587 (STARTTLS when "
        "the server offers it, required with ?starttls=1) or smtps://user:pass@host:465 "
        "(implicit TLS). Empty: no mail is sent; messages are only stored and shown at "
        "/admin/mail.",
    )
    smtp_ca_file: Path | None = Field(
        default=None,
        description="A PEM file of certificate authorities to trust for the SMTP server's "
        "certificate instead of the system's (an internal CA).",
    )
    smtp_timeout: float = Field(default=30, gt=0, description="Seconds to wait for the server.")
    mail_from: str = Field(default="survey@localhost", description="Sender address of mail.")
    base_url: str = Field(
        default="",
        description="The app's public address for links in mail, e.g. https://survey.example.se; "
        "empty: the address the request that caused the mail came to.",
    )
    mail_send_interval: int = Field(
        default=60,
        ge=0,
        description="With SMTP configured, the web app sends queued mail every so many seconds "
        "in a background thread; 0: never (run `survey send-mail` instead).",
    )
    mail_max_attempts: int = Field(
        default=5,
        ge=1,
        le=20,
        description="Attempts to deliver a message (after 1, 5, 25, … minutes) before it is "
        "marked failed.",
    )
    invitation_days: int = Field(default=14, ge=1, le=365, description="An invitation's life.")
    password_reset_minutes: int = Field(
        default=60, ge=5, le=24 * 60, description="How long a password reset link works."
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, validation_alias=AliasChoices("SURVEY_PORT", "PORT"))
    gc_freeze: bool = Field(
        default=True,
        description="At start-up, move the long-lived objects (modules, the app, the "
        "questionnaires) out of the garbage collector's reach (gc.freeze) so that full "
        "collections do not rescan them during requests.",
    )

    oidc_issuer: str = Field(
        default="",
        description="One OpenID Connect provider for every account: its issuer URL (discovery at "
        "{issuer}/.well-known/openid-configuration); empty: none.",
    )
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_label: str = Field(
        default="organisationens konto", description='The button says "Logga in med <label>".'
    )
    oidc_providers: list[OidcProvider] = Field(
        default_factory=list,
        description="More providers, one per organiser: a JSON list of {name, label, issuer, "
        "client_id, client_secret, organiser_id, password_sign_in}.",
    )

    def oidc(self) -> tuple[OidcProvider, ...]:
        """Every configured provider: SURVEY_OIDC_ISSUER's (named "oidc") first."""
        single: tuple[OidcProvider, ...] = ()
        if self.oidc_issuer:
            single = (
                OidcProvider(
                    name="oidc",
                    label=self.oidc_label,
                    issuer=self.oidc_issuer,
                    client_id=self.oidc_client_id,
                    client_secret=self.oidc_client_secret,
                ),
            )
        return (*single, *self.oidc_providers)

    @model_validator(mode="after")
    def _oidc_names_unique(self) -> Settings:
        names = [p.name for p in self.oidc()]
        if len(names) != len(set(names)):
            raise ValueError("SURVEY_OIDC_PROVIDERS: every provider needs a name of its own")
        return self

    @model_validator(mode="after")
    def _detail_at_least_k(self) -> Settings:
        if self.detail_group_size < self.min_group_size:
            raise ValueError("SURVEY_DETAIL_GROUP_SIZE must be at least SURVEY_MIN_GROUP_SIZE")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

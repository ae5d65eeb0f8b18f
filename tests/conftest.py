"""Shared fixtures: a fresh, migrated database per test on SQLite and on a real PostgreSQL.

PostgreSQL comes from SURVEY_TEST_POSTGRES_URL (default: the local server's ``test`` database).
When it cannot be reached the PostgreSQL variants are skipped with that reason, except under CI,
where an unreachable database fails the run.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from survey.migrate import upgrade

POSTGRES_URL = os.environ.get(
    "SURVEY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = bool(os.environ.get("CI"))


def _admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


def _postgres_unavailable() -> str | None:
    try:
        engine = _admin_engine()
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any connection failure means "unreachable"
        return f"PostgreSQL at {make_url(POSTGRES_URL).render_as_string()} unreachable: {exc}"
    return None


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated template database; each test clones it (CREATE DATABASE … TEMPLATE)."""
    reason = _postgres_unavailable()
    if reason:
        if IN_CI:
            pytest.fail(f"{reason} (CI is set: PostgreSQL tests must run)")
        pytest.skip(reason)
    name = f"survey_tmpl_{uuid.uuid4().hex[:10]}"
    engine = _admin_engine()
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield name
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def _fresh_postgres(template: str) -> Iterator[str]:
    name = f"survey_t_{uuid.uuid4().hex[:12]}"
    engine = _admin_engine()
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh database at the latest migration, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        yield from _fresh_postgres(request.getfixturevalue("postgres_template"))


@pytest.fixture
def postgres_engine(postgres_template: str):  # type: ignore[no-untyped-def]
    """An engine on a fresh PostgreSQL database only: for what can happen only there (two
    writers interleaving; SQLite serialises writers with BEGIN IMMEDIATE)."""
    from survey.db import make_engine

    for url in _fresh_postgres(postgres_template):
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    from survey.db import make_engine

    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Settings pointing at the test database (and the environment agreeing, for the CLI)."""
    from survey.config import Settings, get_settings
    from survey.db import dispose_engines

    monkeypatch.setenv("SURVEY_DATABASE_URL", db_url)
    get_settings.cache_clear()
    # gc_freeze: the suite builds hundreds of apps in one process; frozen objects are never
    # collected (tests/web/test_pages.py checks the setting itself).
    yield Settings(database_url=db_url, gc_freeze=False)
    get_settings.cache_clear()
    dispose_engines()


@pytest.fixture
def client(settings):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from survey.web.app import create_app

    with TestClient(create_app(settings), base_url="https://testserver") as test_client:
        yield test_client


# --- A real OpenID Provider (tests/oidc) ------------------------------------------------------


@pytest.fixture(scope="session")
def oidc_app_port() -> int:
    """The port of the app server the browser test signs in to (known before the provider
    starts: the provider must know the client's redirect URIs)."""
    from tests.oidc.provider import free_port

    return free_port()


@pytest.fixture(scope="session")
def oidc_provider(oidc_app_port: int, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The test OpenID provider for the whole run: its client may come back to the TestClient's
    app (https://testserver) and to the browser test's server, for the providers named in
    ``tests.oidc.provider.NAMES``."""
    from tests.oidc.provider import NAMES, run_provider

    bases = ("https://testserver", f"http://127.0.0.1:{oidc_app_port}")
    uris = [f"{base}/login/oidc/{name}/callback" for base in bases for name in NAMES]
    with run_provider(uris, tmp_path_factory.mktemp("oidc") / "provider.log") as provider:
        yield provider

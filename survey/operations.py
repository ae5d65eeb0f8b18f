"""Running the database: is it there and migrated, backups and restores.

- :func:`database_status` — reachable, migrated to this code's head revision, or why not (the
  health check and ``survey serve`` ask it).
- :func:`backup` / :func:`restore` — SQLite through its online backup API (a consistent copy while
  the app runs); PostgreSQL through ``pg_dump`` / ``pg_restore`` in the custom format, after
  checking that the client tools are at least the server's major version (an older ``pg_dump``
  refuses a newer server).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from survey.migrate import alembic_config


class OperationError(Exception):
    """Something an operator has to fix; the message says what, in one line."""


@dataclass(frozen=True)
class Status:
    ok: bool
    reason: str


@lru_cache(maxsize=1)
def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = script.get_current_head()
    assert head is not None
    return head


def check_url(url: str) -> None:
    """OperationError with the reason when ``url`` is not a database URL this app can use."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise OperationError(f"SURVEY_DATABASE_URL is not a database URL: {exc}") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise OperationError(
            f"SURVEY_DATABASE_URL: '{parsed.get_backend_name()}' is not supported "
            "(sqlite:///path.db or postgresql+psycopg://user@host/db)"
        )
    try:
        parsed.get_dialect()
    except NoSuchModuleError as exc:
        raise OperationError(f"SURVEY_DATABASE_URL: {exc}") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise OperationError(
            "SURVEY_DATABASE_URL: a SQLite database in a file is needed (sqlite:///path.db)"
        )


def database_status(engine: Engine) -> Status:
    """Whether the database answers and is at this code's schema, with the reason if not."""
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError as exc:
        message = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if "alembic_version" in message or "no such table" in message.lower():
            return Status(False, "the database is not migrated: run `survey db upgrade`")
        return Status(False, f"the database cannot be reached: {message}")
    if found != head_revision():
        return Status(
            False,
            f"the database is at revision {found}, this version needs {head_revision()}: "
            "run `survey db upgrade`",
        )
    return Status(True, "ok")


# ------------------------------------------------------------------------------- backup, restore


def backup(url: str, target: Path) -> None:
    """Write a consistent copy of the database at ``url`` to ``target``."""
    check_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        source = _sqlite_file(url)
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return
    _check_pg_tools(url)
    _run(url, [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target),
               *_pg_args(url)])  # fmt: skip


def restore(url: str, source: Path) -> None:
    """Replace the database at ``url`` with the copy in ``source`` (made by :func:`backup`)."""
    check_url(url)
    if not source.is_file():
        raise OperationError(f"{source}: no such backup file")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with open(source, "rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                raise OperationError(f"{source}: not a SQLite backup")
        target = _sqlite_file(url)
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return
    _check_pg_tools(url)
    with open(source, "rb") as handle:
        if handle.read(5) != b"PGDMP":
            raise OperationError(f"{source}: not a pg_dump backup (custom format)")
    _run(url, [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
               "--single-transaction", "--exit-on-error", *_pg_args(url, dbname_flag=True),
               str(source)])  # fmt: skip


def _sqlite_file(url: str) -> str:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise OperationError("SURVEY_DATABASE_URL: a SQLite database in a file is needed")
    return database


def _pg_args(url: str, *, dbname_flag: bool = False) -> list[str]:
    parsed = make_url(url)
    args = ["--host", parsed.host or "localhost", "--port", str(parsed.port or 5432)]
    if parsed.username:
        args += ["--username", parsed.username]
    args += ["--dbname", parsed.database or ""] if dbname_flag else [parsed.database or ""]
    return args


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise OperationError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _check_pg_tools(url: str) -> None:
    """The client tools must be at least the server's major version."""
    from survey.db import make_engine

    version = subprocess.run([_tool("pg_dump"), "--version"], capture_output=True, text=True,
                             check=True).stdout  # fmt: skip
    # "pg_dump (PostgreSQL) 15.20 (Debian …)": the first word that starts with a digit
    client = next((int(w.split(".")[0]) for w in version.split() if w[:1].isdigit()), 0)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            server = int(connection.execute(text("SHOW server_version_num")).scalar()) // 10000  # type: ignore[arg-type]
    except DBAPIError as exc:
        raise OperationError(f"the database cannot be reached: {exc.orig}") from None
    finally:
        engine.dispose()
    if client < server:
        raise OperationError(
            f"pg_dump {client} is older than the server ({server}): install postgresql-client-"
            f"{server}"
        )


def _run(url: str, command: list[str]) -> None:
    import os

    password = make_url(url).password
    env = {**os.environ, **({"PGPASSWORD": str(password)} if password else {})}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise OperationError(f"{Path(command[0]).name}: {last}")

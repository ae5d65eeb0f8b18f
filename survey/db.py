"""Database engine and sessions. SQLite runs in WAL mode with foreign keys on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from survey.config import get_settings

WRITE = "survey_write"  # execution option: this transaction will write (SQLite: BEGIN IMMEDIATE)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver must not open transactions by itself: _sqlite_begin does, so that a writing
    # transaction takes the write lock at its start (no "database is locked" when two readers
    # both try to become writers; the second waits up to busy_timeout instead).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    writing = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


POOL_SIZE = 32  # default connections per process; the web app sizes it to its thread pool


def make_engine(url: str, *, pool_size: int = POOL_SIZE) -> Engine:
    """Create an engine for ``url`` with the settings this product relies on.

    The pool holds as many connections as the process has worker threads (``pool_size``, no
    overflow), so a thread never waits for a connection another thread is not using; a
    connection that cannot be had within 10 s means the database is overloaded or gone, and is
    answered as such (503), never by a long hang. Connections are not pinged before use (one
    round trip per request); a dropped one is replaced and the request answered 503."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 10},
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=10,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=10,
        pool_recycle=1800,
        connect_args={"connect_timeout": 5},  # an unreachable server: an answer within 5 s
    )


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for ``url`` (default: the configured database)."""
    return _cached_engine(url or get_settings().database_url)


_engines: dict[str, Engine] = {}


def _cached_engine(url: str) -> Engine:
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def dispose_engines() -> None:
    """Close every pooled connection (end of a CLI command, a test, or a worker)."""
    while _engines:
        _engines.popitem()[1].dispose()


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error (CLI and scripts)."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

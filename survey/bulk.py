"""Bulk loading for big data sets (``survey demo --national``, benchmarks): rows written on a
session's own connection and transaction without an ORM object per row — PostgreSQL gets
``COPY … FROM STDIN`` through psycopg, SQLite one ``executemany`` per chunk — with progress on
stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

import click
import numpy as np
from sqlalchemy import Table, func, select
from sqlmodel import Session

CHUNK = 20_000


class BulkLoader:
    """Bulk writes on the session's own connection and transaction."""

    def __init__(self, session: Session, progress: bool):
        self.connection = session.connection()
        self.dialect = self.connection.dialect
        self.postgres = self.dialect.name == "postgresql"
        self.progress = progress
        self.rows = 0

    def value(self, table: Table, column: str, value: Any) -> Any:
        """A constant as the driver wants it (SQLite: the dialect's own text for datetimes)."""
        if self.postgres:
            return value
        impl = table.c[column].type.dialect_impl(self.dialect)
        process = impl.bind_processor(self.dialect)
        return process(value) if process else value

    def moments(
        self,
        table: Table,
        column: str,
        rng: np.random.Generator,
        n: int,
        start: datetime,
        days: int,
    ) -> list[Any]:
        """``n`` random moments during ``days`` from ``start`` (when people submitted), as the
        driver wants them."""
        seconds = rng.integers(0, days * 86_400, size=n).tolist()
        return [self.value(table, column, start + timedelta(seconds=s)) for s in seconds]

    @contextmanager
    def bar(self, total: int, label: str) -> Iterator[Callable[[int], None]]:
        if not self.progress:
            yield lambda n: None
            return
        with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True) as bar:
            yield bar.update

    def load(
        self,
        table: Table,
        columns: Sequence[str],
        rows: Iterable[tuple[Any, ...]],
        *,
        total: int,
        label: str,
    ) -> None:
        iterator = iter(rows)
        with self.bar(total, label) as advance:
            if self.postgres:
                raw = self.connection.connection.driver_connection
                statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
                with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
                    while chunk := list(islice(iterator, CHUNK)):
                        for row in chunk:
                            copy.write_row(row)
                        self.rows += len(chunk)
                        advance(len(chunk))
                return
            marks = ", ".join("?" for _ in columns)
            statement = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
            while chunk := list(islice(iterator, CHUNK)):
                self.connection.exec_driver_sql(statement, chunk)
                self.rows += len(chunk)
                advance(len(chunk))

    def fix_sequences(self, tables: Sequence[Table]) -> None:
        """Rows were written with explicit ids: move PostgreSQL's sequences past them."""
        if not self.postgres:
            return
        for table in tables:
            self.connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT max(id) FROM {table.name}))"
            )

    def analyze(self) -> None:
        """Fresh planner statistics: without them PostgreSQL plans the first queries over
        millions of new rows as if the tables were empty (nested loops instead of hash joins)."""
        self.connection.exec_driver_sql("ANALYZE")


def table_of(model: type[Any]) -> Table:
    """A model's table (SQLModel does not declare ``__table__`` for type checkers)."""
    return model.__table__  # type: ignore[no-any-return]


def next_id(session: Session, model: type[Any]) -> int:
    return int(session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0) + 1

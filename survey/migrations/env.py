"""Alembic environment: batch mode (SQLite cannot alter constraints), naming convention from
models.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

import survey.models  # noqa: F401  (registers every table on the metadata)
from survey.db import make_engine
from survey.models import metadata

config = context.config


def run_migrations_offline() -> None:
    context.configure(
        url=config.attributes["database_url"],
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


# Any constant of our own: two `survey db upgrade` at the same time (two containers starting)
# take turns on PostgreSQL instead of both creating the same tables.
MIGRATION_LOCK = 7_460_200_001


def run_migrations_online() -> None:
    engine = make_engine(config.attributes["database_url"], pool_size=1)
    with engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                render_as_batch=True,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if postgres:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

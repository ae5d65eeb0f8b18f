"""units can be deactivated (unit administration in the browser)

An inactive unit (closed or dormant in the school unit register, or deactivated by an
administrator) keeps its history and receives no new rounds.

Revision ID: 0006_units
Revises: 0005_mail
Create Date: 2026-12-20 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_units"
down_revision = "0005_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("unit") as batch:
        batch.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.text("true"))
        )


def downgrade() -> None:
    with op.batch_alter_table("unit") as batch:
        batch.drop_column("active")

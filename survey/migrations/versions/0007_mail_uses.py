"""reminders sent from a round's participation page (at most one per unit and day)

Revision ID: 0007_mailuses
Revises: 0006_units
Create Date: 2026-12-21 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_mailuses"
down_revision = "0006_units"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "round_reminder",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("sent_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
            name=op.f("fk_round_reminder_round_id_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_round_reminder_unit_id_unit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by"], ["user_account.id"], name=op.f("fk_round_reminder_sent_by_user_account")
        ),
        sa.PrimaryKeyConstraint("round_id", "unit_id", "day", name=op.f("pk_round_reminder")),
    )


def downgrade() -> None:
    op.drop_table("round_reminder")

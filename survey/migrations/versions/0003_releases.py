"""releases of rounds and release batches of anonymous respondents

Aggregates that leave a unit come from a release: a frozen snapshot of a round's submitted data
with its published tables. Anonymous respondents are released in batches of at least k.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "round_release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("k_detail", sa.Integer(), nullable=False),
        sa.Column("n_units", sa.Integer(), nullable=False),
        sa.Column("n_respondents", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("publication", sa.LargeBinary(), nullable=False),
        sa.Column("snapshot", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('preliminary', 'final', 'revision')", name=op.f("ck_round_release_kind")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_round_release_created_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["round.id"], name=op.f("fk_round_release_round_id_round")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_release")),
        sa.UniqueConstraint("round_id", "number", name="uq_round_release_round_number"),
    )
    with op.batch_alter_table("round_release", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_round_release_round_id"), ["round_id"], unique=False)
    with op.batch_alter_table("respondent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("release_batch", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("respondent", schema=None) as batch_op:
        batch_op.drop_column("release_batch")
    with op.batch_alter_table("round_release", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_release_round_id"))
    op.drop_table("round_release")

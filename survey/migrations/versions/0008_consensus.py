"""team consensus: assessment members and their own ratings

Revision ID: 0008_consensus
Revises: 0007_mailuses
Create Date: 2026-12-22 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_consensus"
down_revision = "0007_mailuses"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessment_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_assessment_member_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["user_account.id"],
            name=op.f("fk_assessment_member_invited_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_assessment_member_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_member")),
        sa.UniqueConstraint("assessment_id", "user_id", name=op.f("uq_assessment_member_user")),
    )
    with op.batch_alter_table("assessment_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_member_assessment_id"), ["assessment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assessment_member_user_id"), ["user_id"], unique=False)

    op.create_table(
        "member_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'level' AND value IS NOT NULL) OR (kind <> 'level' AND value IS NULL)",
            name=op.f("ck_member_rating_value_matches_kind"),
        ),
        sa.CheckConstraint(
            "kind IN ('level', 'na', 'dk', 'none')", name=op.f("ck_member_rating_kind")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["assessment_member.id"],
            name=op.f("fk_member_rating_member_id_assessment_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_rating")),
        sa.UniqueConstraint("member_id", "item_id", name=op.f("uq_member_rating_item")),
    )
    with op.batch_alter_table("member_rating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_rating_member_id"), ["member_id"], unique=False)


def downgrade() -> None:
    op.drop_table("member_rating")
    op.drop_table("assessment_member")

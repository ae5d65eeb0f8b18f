"""class sessions: pupils answer an individual questionnaire with a code (issue 18)

Revision ID: 0009_class_sessions
Revises: 0008_consensus
Create Date: 2026-12-05 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_class_sessions"
down_revision = "0008_consensus"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "class_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("max_pupils", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("max_pupils BETWEEN 1 AND 40", name=op.f("ck_class_session_max_pupils")),
        sa.CheckConstraint("used >= 0 AND used <= max_pupils", name=op.f("ck_class_session_used")),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_class_session_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_class_session_created_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_session")),
        sa.UniqueConstraint("code", name=op.f("uq_class_session_code")),
    )
    op.create_index(
        op.f("ix_class_session_assessment_id"), "class_session", ["assessment_id"], unique=False
    )
    op.create_table(
        "class_pupil",
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("class_session_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["respondent.id"],
            name=op.f("fk_class_pupil_respondent_id_respondent"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["class_session_id"],
            ["class_session.id"],
            name=op.f("fk_class_pupil_class_session_id_class_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("respondent_id", name=op.f("pk_class_pupil")),
    )
    op.create_index(
        op.f("ix_class_pupil_class_session_id"), "class_pupil", ["class_session_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_class_pupil_class_session_id"), table_name="class_pupil")
    op.drop_table("class_pupil")
    op.drop_index(op.f("ix_class_session_assessment_id"), table_name="class_session")
    op.drop_table("class_session")

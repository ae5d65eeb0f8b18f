"""partial indexes over submitted assessments and respondents (national follow-up)

The national publication is cached per round and rebuilt when the round's submitted data
change. The check runs on every request and reads only these indexes: the count and latest
change of the round's submitted assessments, and (individual questionnaires) the respondents
submitted since shortly before the latest submit the publication saw.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 17:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SUBMITTED = "state = 'submitted'"


def upgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessment_round_submitted",
            ["round_id", "updated_at"],
            unique=False,
            postgresql_where=sa.text(SUBMITTED),
            sqlite_where=sa.text(SUBMITTED),
        )
    with op.batch_alter_table("respondent", schema=None) as batch_op:
        batch_op.create_index(
            "ix_respondent_submitted",
            ["submitted_at", "assessment_id"],
            unique=False,
            postgresql_where=sa.text(SUBMITTED),
            sqlite_where=sa.text(SUBMITTED),
        )


def downgrade() -> None:
    with op.batch_alter_table("respondent", schema=None) as batch_op:
        batch_op.drop_index("ix_respondent_submitted")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_round_submitted")

"""follow-ups by date across every facility (progress over a period at national scale)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_follow_up_date_participant", "follow_up", ["followed_on", "participant_id"])


def downgrade() -> None:
    op.drop_index("ix_follow_up_date_participant", table_name="follow_up")

"""indexes for period filters across every facility (national scale)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_screening_date_participant", "screening", ["screened_on", "facility_id", "participant_id"]
    )
    op.create_index("ix_enrollment_end", "enrollment", ["ended_on"])


def downgrade() -> None:
    op.drop_index("ix_enrollment_end", table_name="enrollment")
    op.drop_index("ix_screening_date_participant", table_name="screening")

"""enrolments per facility × start day (and month) × programme × status, filled from the rows there

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _table(name: str) -> None:
    op.create_table(
        name,
        sa.Column("enrollments", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("programme", sa.String(length=11), nullable=False),
        sa.Column("status", sa.String(length=15), nullable=False),
        sa.ForeignKeyConstraint(["facility_id"], ["facility.id"]),
        sa.PrimaryKeyConstraint("facility_id", "day", "programme", "status"),
    )


def upgrade() -> None:
    _table("agg_enrollment_day")
    op.create_index("ix_agg_enrollment_day_day", "agg_enrollment_day", ["day", "facility_id"])
    _table("agg_enrollment_month")
    from rehabdata.aggregates import rebuild_in_migration  # the application's definition
    from rehabdata.models import AggEnrollmentDay

    rebuild_in_migration(op.get_bind(), (AggEnrollmentDay,))


def downgrade() -> None:
    op.drop_table("agg_enrollment_month")
    op.drop_table("agg_enrollment_day")

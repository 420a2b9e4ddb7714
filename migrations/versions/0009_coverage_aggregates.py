"""screenings per facility × day (and month) × previous screening there: distinct participants as sums

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _table(name: str) -> None:
    op.create_table(
        name,
        sa.Column("screenings", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("previous", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["facility_id"], ["facility.id"]),
        sa.PrimaryKeyConstraint("facility_id", "day", "previous"),
    )


def upgrade() -> None:
    # the previous screening of a participant at a facility is one probe of this index (it replaces
    # the participant-only one, a prefix of it)
    op.drop_index("ix_screening_participant_id", table_name="screening")
    op.create_index(
        "ix_screening_participant_facility_date", "screening", ["participant_id", "facility_id", "screened_on"]
    )
    _table("agg_coverage_day")
    op.create_index("ix_agg_coverage_day_day", "agg_coverage_day", ["day", "facility_id"])
    _table("agg_coverage_month")
    from rehabdata.aggregates import rebuild_in_migration  # the application's definition
    from rehabdata.models import AggCoverageDay

    rebuild_in_migration(op.get_bind(), (AggCoverageDay,))


def downgrade() -> None:
    op.drop_table("agg_coverage_month")
    op.drop_table("agg_coverage_day")
    op.drop_index("ix_screening_participant_facility_date", table_name="screening")
    op.create_index("ix_screening_participant_id", "screening", ["participant_id"])

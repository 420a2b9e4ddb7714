"""monthly aggregate tables get a day index; every aggregate table is rewritten in day order

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

MONTHLY_TABLES = ("agg_session_month", "agg_screening_month", "agg_enrollment_month", "agg_coverage_month")


def upgrade() -> None:
    for table in MONTHLY_TABLES:
        op.create_index(f"ix_{table}_day", table, ["day", "facility_id"])
    from rehabdata.aggregates import rebuild_in_migration  # today's definitions, in day order
    from rehabdata.models import AggCoverageDay, AggEnrollmentDay, AggScreeningDay, AggSessionDay

    dailies = (AggSessionDay, AggScreeningDay, AggEnrollmentDay, AggCoverageDay)  # those of 0004-0009
    rebuild_in_migration(op.get_bind(), dailies)


def downgrade() -> None:
    for table in MONTHLY_TABLES:
        op.drop_index(f"ix_{table}_day", table_name=table)

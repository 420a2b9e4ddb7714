"""agg_follow_up: each follow-up with its baseline screening looked up, for the progress KPI

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agg_follow_up",
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("programme", sa.String(length=11), nullable=True),
        sa.Column("urine_result", sa.String(length=12), nullable=False),
        sa.Column("compared", sa.Integer(), nullable=False),
        sa.Column("score_change", sa.Integer(), nullable=True),
        sa.Column("risk_fell", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["facility_id"], ["facility.id"]),
        sa.PrimaryKeyConstraint("facility_id", "day", "participant_id"),
    )
    op.create_index("ix_agg_follow_up_day", "agg_follow_up", ["day", "participant_id"])
    from rehabdata.aggregates import rebuild_in_migration  # the application's definition
    from rehabdata.models import AggFollowUp

    rebuild_in_migration(op.get_bind(), (AggFollowUp,))


def downgrade() -> None:
    op.drop_table("agg_follow_up")

"""aggregate tables per facility × day (× programme), filled from the rows already there

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SUBSTANCES = (
    "tobacco",
    "alcohol",
    "cannabis",
    "cocaine",
    "amphetamines",
    "inhalants",
    "sedatives",
    "hallucinogens",
    "opioids",
    "other",
)


def _counts(*names: str) -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def upgrade() -> None:
    op.create_table(
        "agg_session_day",
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("programme", sa.String(length=11), nullable=False),
        *_counts("sessions", "skills_sessions", "attended", "expected"),
        sa.ForeignKeyConstraint(["facility_id"], ["facility.id"]),
        sa.PrimaryKeyConstraint("facility_id", "day", "programme"),
    )
    op.create_index("ix_agg_session_day_day", "agg_session_day", ["day", "facility_id"])
    op.create_table(
        "agg_screening_day",
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *_counts(
            "screenings",
            "risk_low",
            "risk_moderate",
            "risk_high",
            "assessed_30d",
            "enrolled_30d",
            "enrolled_30d_medical",
            "enrolled_30d_social",
            *(f"reported_{substance}" for substance in SUBSTANCES),
        ),
        sa.ForeignKeyConstraint(["facility_id"], ["facility.id"]),
        sa.PrimaryKeyConstraint("facility_id", "day"),
    )
    op.create_index("ix_agg_screening_day_day", "agg_screening_day", ["day", "facility_id"])
    # A populated database gets its aggregates now. The definition is the application's own
    # (rehabdata.aggregates), the one place that says what these tables hold.
    from rehabdata.aggregates import rebuild_in_migration
    from rehabdata.models import AggScreeningDay, AggSessionDay

    rebuild_in_migration(op.get_bind(), (AggSessionDay, AggScreeningDay))  # what this revision creates


def downgrade() -> None:
    op.drop_table("agg_screening_day")
    op.drop_table("agg_session_day")

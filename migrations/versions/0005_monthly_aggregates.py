"""monthly aggregate tables, summed from the daily ones (long periods read months, not days)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SESSION_COUNTS = ("sessions", "skills_sessions", "attended", "expected")
SCREENING_COUNTS = (
    "screenings",
    "risk_low",
    "risk_moderate",
    "risk_high",
    "assessed_30d",
    "enrolled_30d",
    "enrolled_30d_medical",
    "enrolled_30d_social",
    *(
        f"reported_{substance}"
        for substance in (
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
    ),
)


def _counts(names: tuple[str, ...]) -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def upgrade() -> None:
    op.create_table(
        "agg_session_month",
        *_counts(SESSION_COUNTS),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("programme", sa.String(length=11), nullable=False),
        sa.ForeignKeyConstraint(["facility_id"], ["facility.id"]),
        sa.PrimaryKeyConstraint("facility_id", "day", "programme"),
    )
    op.create_table(
        "agg_screening_month",
        *_counts(SCREENING_COUNTS),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["facility_id"], ["facility.id"]),
        sa.PrimaryKeyConstraint("facility_id", "day"),
    )
    from rehabdata.aggregates import rebuild_in_migration  # the definition lives with the application
    from rehabdata.models import AggScreeningDay, AggSessionDay

    rebuild_in_migration(op.get_bind(), (AggSessionDay, AggScreeningDay))  # what this revision creates


def downgrade() -> None:
    op.drop_table("agg_screening_month")
    op.drop_table("agg_session_month")

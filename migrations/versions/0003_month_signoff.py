"""monthly sign-off of a facility's data (locks the facility-month)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "month_signoff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("signed_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("signed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reopened_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("reopened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reopen_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(["facility_id"], ["facility.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("facility_id", "month"),
    )


def downgrade() -> None:
    op.drop_table("month_signoff")

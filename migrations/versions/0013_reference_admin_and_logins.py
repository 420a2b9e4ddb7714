"""reference data an admin maintains (Kanwil, regency, capacity, agreement number, scope units and
due dates, active flags) and server-side login sessions

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Text = sqlmodel.sql.sqltypes.AutoString

# table -> columns added; existing rows get the server default (every record so far is active)
COLUMNS = {
    "region": (
        sa.Column("kanwil", Text(length=120), nullable=False, server_default=""),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
    ),
    "partner": (sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),),
    "facility": (
        sa.Column("regency", Text(length=80), nullable=False, server_default=""),
        sa.Column("capacity", sa.Integer(), nullable=True),
    ),
    "agreement": (
        sa.Column("number", Text(length=120), nullable=False, server_default=""),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
    ),
    "agreement_scope_item": (
        sa.Column("unit", Text(length=40), nullable=False, server_default=""),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
    ),
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        for column in columns:
            op.add_column(table, column)
    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", Text(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("remember", sa.Boolean(), nullable=False),
        sa.Column("claimed", sa.Boolean(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_login_session_user_id", "login_session", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_login_session_user_id", table_name="login_session")
    op.drop_table("login_session")
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_column(column.name)

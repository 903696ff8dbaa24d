"""people: user accounts, reviews of findings, the audit log, a report's state

Revision ID: 0008_people
Revises: 0007_json_content
Create Date: 2026-12-04 17:48:31.521934

Reports stored before are `submitted`; API keys stored before stay national (no region).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008_people"
down_revision: str | None = "0007_json_content"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_report_id"), ["report_id"], unique=False)

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("organs", sa.JSON(), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("session_nonce", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("disabled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
    )
    op.create_table(
        "finding_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("organ_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("table_code", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("row_code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("column_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_finding_review_report_id_report")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_review")),
    )
    with op.batch_alter_table("finding_review", schema=None) as batch_op:
        batch_op.create_index("ix_finding_review_body_year", ["organ_key", "year"], unique=False)
        batch_op.create_index(batch_op.f("ix_finding_review_report_id"), ["report_id"], unique=False)

    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
        batch_op.add_column(
            sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True)
        )
        batch_op.add_column(sa.Column("organs", sa.JSON(), nullable=True))

    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True)
        )

    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "state",
                sqlmodel.sql.sqltypes.AutoString(length=12),
                nullable=False,
                server_default="submitted",
            )
        )
        batch_op.add_column(sa.Column("state_note", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True)
        )
        batch_op.add_column(sa.Column("corrected_cells", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("corrected_from", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_report_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_state"))
        batch_op.drop_column("corrected_from")
        batch_op.drop_column("corrected_cells")
        batch_op.drop_column("created_by")
        batch_op.drop_column("state_note")
        batch_op.drop_column("state")

    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_column("region_code")

    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.drop_column("organs")
        batch_op.drop_column("region_code")
        batch_op.drop_column("actor")

    with op.batch_alter_table("finding_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_review_report_id"))
        batch_op.drop_index("ix_finding_review_body_year")

    op.drop_table("finding_review")
    op.drop_table("user_account")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_report_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")

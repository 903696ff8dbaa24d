"""registry of bodies, flags on figures that error findings read

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-04 18:00:00

`figure_flag` holds, per report, the figures an error finding reads (invalid: VALUE's), filled
here from the stored findings. `body` is the registry of bodies that must publish. A report's
`body_key` is its body's identity (region and the name below it), filled here for every report.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009_registry"
down_revision: str | None = "0008_people"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PATH = (
    "region_code",
    "region_province",
    "region_prefecture",
    "region_county",
    "region_township",
    "xpcc_corps",
    "xpcc_division",
    "xpcc_regiment",
)


def upgrade() -> None:
    op.create_table(
        "figure_flag",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("cell_id", sa.SmallInteger(), nullable=False),
        sa.Column("invalid", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("report_id", "cell_id", name="pk_figure_flag"),
    )
    op.create_index("ix_figure_flag_cell_report", "figure_flag", ["cell_id", "report_id"])
    op.create_table(
        "body",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=240), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("must_publish", sa.Boolean(), nullable=False),
        *(sa.Column(name, sa.String(length=12), nullable=True) for name in _PATH),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_body"),
        sa.UniqueConstraint("key", name="uq_body_key"),
    )
    for name in _PATH:
        op.create_index(f"ix_body_{name}", "body", [name])
    _fill_flags()
    op.add_column("report", sa.Column("body_key", sa.String(length=240), nullable=True))
    op.create_index("ix_report_body_key", "report", ["body_key"])
    _fill_body_keys()


def _fill_body_keys() -> None:
    """Each stored report's body identity, once per name and region."""
    from app.services.bodies import identity

    bind = op.get_bind()
    pairs = bind.execute(sa.text("SELECT DISTINCT organ, region_code, scope FROM report")).all()
    for organ, region_code, scope in pairs:
        key = identity(organ, region_code)[1] + ("#汇总" if scope == "汇总" else "")
        bind.execute(
            sa.text(
                "UPDATE report SET body_key = :key WHERE organ = :organ "
                "AND (region_code = :code OR (region_code IS NULL AND :code IS NULL)) "
                "AND (scope = :scope OR (scope IS NULL AND :scope IS NULL))"
            ),
            {"key": key, "organ": organ, "code": region_code, "scope": scope},
        )


def _fill_flags() -> None:
    """Flags from the error findings already stored, cells named by code through `cell`."""
    bind = op.get_bind()
    numbers = {
        f"{t}.{r}.{c}": n
        for n, t, r, c in bind.execute(sa.text("SELECT id, table_code, row_code, column_code FROM cell"))
    }
    flags: dict[tuple[int, int], bool] = {}
    rows = bind.execute(sa.text("SELECT report_id, rule, cells FROM finding WHERE severity = 'error'"))
    for report_id, rule, cells in rows:
        for code in json.loads(cells) if isinstance(cells, str) else cells or []:
            if code in numbers:
                key = (report_id, numbers[code])
                flags[key] = flags.get(key, False) or rule == "VALUE"
    if flags:
        table = sa.table("figure_flag", sa.column("report_id"), sa.column("cell_id"), sa.column("invalid"))
        op.bulk_insert(table, [{"report_id": r, "cell_id": c, "invalid": v} for (r, c), v in flags.items()])


def downgrade() -> None:
    op.drop_index("ix_report_body_key", table_name="report")
    with op.batch_alter_table("report") as batch:
        batch.drop_column("body_key")
    for name in _PATH:
        op.drop_index(f"ix_body_{name}", table_name="body")
    op.drop_table("body")
    op.drop_index("ix_figure_flag_cell_report", table_name="figure_flag")
    op.drop_table("figure_flag")

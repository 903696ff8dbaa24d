"""figures keyed by cell number

Revision ID: 0006_cells
Revises: 0005_confidence
Create Date: 2026-12-01 21:05:00

The figure table loses its surrogate id, its text codes and its foreign key: a figure is
(report, cell number) with a covering key, and the numbers are listed in the new table `cell`.
Every stored figure is copied over; the upgrade stops if one names a cell the list lacks.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_cells"
down_revision: str | None = "0005_confidence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# app.rules.cells.CELLS as of this revision; the number of a cell is its place here, from 1
CELLS = [
    ("table2", "regulations", "issued"),
    ("table2", "regulations", "repealed"),
    ("table2", "regulations", "in_force"),
    ("table2", "normative_documents", "issued"),
    ("table2", "normative_documents", "repealed"),
    ("table2", "normative_documents", "in_force"),
    ("table2", "licensing", "decisions"),
    ("table2", "penalty", "decisions"),
    ("table2", "coercion", "decisions"),
    ("table2", "fees", "amount_10k_yuan"),
    ("table3", "new_received", "natural_person"),
    ("table3", "new_received", "commercial_enterprise"),
    ("table3", "new_received", "research_institution"),
    ("table3", "new_received", "social_welfare_org"),
    ("table3", "new_received", "legal_service_agency"),
    ("table3", "new_received", "other_org"),
    ("table3", "new_received", "total"),
    ("table3", "carried_over", "natural_person"),
    ("table3", "carried_over", "commercial_enterprise"),
    ("table3", "carried_over", "research_institution"),
    ("table3", "carried_over", "social_welfare_org"),
    ("table3", "carried_over", "legal_service_agency"),
    ("table3", "carried_over", "other_org"),
    ("table3", "carried_over", "total"),
    ("table3", "result.disclosed", "natural_person"),
    ("table3", "result.disclosed", "commercial_enterprise"),
    ("table3", "result.disclosed", "research_institution"),
    ("table3", "result.disclosed", "social_welfare_org"),
    ("table3", "result.disclosed", "legal_service_agency"),
    ("table3", "result.disclosed", "other_org"),
    ("table3", "result.disclosed", "total"),
    ("table3", "result.partially_disclosed", "natural_person"),
    ("table3", "result.partially_disclosed", "commercial_enterprise"),
    ("table3", "result.partially_disclosed", "research_institution"),
    ("table3", "result.partially_disclosed", "social_welfare_org"),
    ("table3", "result.partially_disclosed", "legal_service_agency"),
    ("table3", "result.partially_disclosed", "other_org"),
    ("table3", "result.partially_disclosed", "total"),
    ("table3", "result.withheld.state_secret", "natural_person"),
    ("table3", "result.withheld.state_secret", "commercial_enterprise"),
    ("table3", "result.withheld.state_secret", "research_institution"),
    ("table3", "result.withheld.state_secret", "social_welfare_org"),
    ("table3", "result.withheld.state_secret", "legal_service_agency"),
    ("table3", "result.withheld.state_secret", "other_org"),
    ("table3", "result.withheld.state_secret", "total"),
    ("table3", "result.withheld.prohibited_by_law", "natural_person"),
    ("table3", "result.withheld.prohibited_by_law", "commercial_enterprise"),
    ("table3", "result.withheld.prohibited_by_law", "research_institution"),
    ("table3", "result.withheld.prohibited_by_law", "social_welfare_org"),
    ("table3", "result.withheld.prohibited_by_law", "legal_service_agency"),
    ("table3", "result.withheld.prohibited_by_law", "other_org"),
    ("table3", "result.withheld.prohibited_by_law", "total"),
    ("table3", "result.withheld.three_security_one_stability", "natural_person"),
    ("table3", "result.withheld.three_security_one_stability", "commercial_enterprise"),
    ("table3", "result.withheld.three_security_one_stability", "research_institution"),
    ("table3", "result.withheld.three_security_one_stability", "social_welfare_org"),
    ("table3", "result.withheld.three_security_one_stability", "legal_service_agency"),
    ("table3", "result.withheld.three_security_one_stability", "other_org"),
    ("table3", "result.withheld.three_security_one_stability", "total"),
    ("table3", "result.withheld.third_party_rights", "natural_person"),
    ("table3", "result.withheld.third_party_rights", "commercial_enterprise"),
    ("table3", "result.withheld.third_party_rights", "research_institution"),
    ("table3", "result.withheld.third_party_rights", "social_welfare_org"),
    ("table3", "result.withheld.third_party_rights", "legal_service_agency"),
    ("table3", "result.withheld.third_party_rights", "other_org"),
    ("table3", "result.withheld.third_party_rights", "total"),
    ("table3", "result.withheld.internal_affairs", "natural_person"),
    ("table3", "result.withheld.internal_affairs", "commercial_enterprise"),
    ("table3", "result.withheld.internal_affairs", "research_institution"),
    ("table3", "result.withheld.internal_affairs", "social_welfare_org"),
    ("table3", "result.withheld.internal_affairs", "legal_service_agency"),
    ("table3", "result.withheld.internal_affairs", "other_org"),
    ("table3", "result.withheld.internal_affairs", "total"),
    ("table3", "result.withheld.process_info", "natural_person"),
    ("table3", "result.withheld.process_info", "commercial_enterprise"),
    ("table3", "result.withheld.process_info", "research_institution"),
    ("table3", "result.withheld.process_info", "social_welfare_org"),
    ("table3", "result.withheld.process_info", "legal_service_agency"),
    ("table3", "result.withheld.process_info", "other_org"),
    ("table3", "result.withheld.process_info", "total"),
    ("table3", "result.withheld.enforcement_file", "natural_person"),
    ("table3", "result.withheld.enforcement_file", "commercial_enterprise"),
    ("table3", "result.withheld.enforcement_file", "research_institution"),
    ("table3", "result.withheld.enforcement_file", "social_welfare_org"),
    ("table3", "result.withheld.enforcement_file", "legal_service_agency"),
    ("table3", "result.withheld.enforcement_file", "other_org"),
    ("table3", "result.withheld.enforcement_file", "total"),
    ("table3", "result.withheld.administrative_query", "natural_person"),
    ("table3", "result.withheld.administrative_query", "commercial_enterprise"),
    ("table3", "result.withheld.administrative_query", "research_institution"),
    ("table3", "result.withheld.administrative_query", "social_welfare_org"),
    ("table3", "result.withheld.administrative_query", "legal_service_agency"),
    ("table3", "result.withheld.administrative_query", "other_org"),
    ("table3", "result.withheld.administrative_query", "total"),
    ("table3", "result.unable.not_held", "natural_person"),
    ("table3", "result.unable.not_held", "commercial_enterprise"),
    ("table3", "result.unable.not_held", "research_institution"),
    ("table3", "result.unable.not_held", "social_welfare_org"),
    ("table3", "result.unable.not_held", "legal_service_agency"),
    ("table3", "result.unable.not_held", "other_org"),
    ("table3", "result.unable.not_held", "total"),
    ("table3", "result.unable.needs_creation", "natural_person"),
    ("table3", "result.unable.needs_creation", "commercial_enterprise"),
    ("table3", "result.unable.needs_creation", "research_institution"),
    ("table3", "result.unable.needs_creation", "social_welfare_org"),
    ("table3", "result.unable.needs_creation", "legal_service_agency"),
    ("table3", "result.unable.needs_creation", "other_org"),
    ("table3", "result.unable.needs_creation", "total"),
    ("table3", "result.unable.unclear_after_correction", "natural_person"),
    ("table3", "result.unable.unclear_after_correction", "commercial_enterprise"),
    ("table3", "result.unable.unclear_after_correction", "research_institution"),
    ("table3", "result.unable.unclear_after_correction", "social_welfare_org"),
    ("table3", "result.unable.unclear_after_correction", "legal_service_agency"),
    ("table3", "result.unable.unclear_after_correction", "other_org"),
    ("table3", "result.unable.unclear_after_correction", "total"),
    ("table3", "result.not_processed.complaint", "natural_person"),
    ("table3", "result.not_processed.complaint", "commercial_enterprise"),
    ("table3", "result.not_processed.complaint", "research_institution"),
    ("table3", "result.not_processed.complaint", "social_welfare_org"),
    ("table3", "result.not_processed.complaint", "legal_service_agency"),
    ("table3", "result.not_processed.complaint", "other_org"),
    ("table3", "result.not_processed.complaint", "total"),
    ("table3", "result.not_processed.repeated", "natural_person"),
    ("table3", "result.not_processed.repeated", "commercial_enterprise"),
    ("table3", "result.not_processed.repeated", "research_institution"),
    ("table3", "result.not_processed.repeated", "social_welfare_org"),
    ("table3", "result.not_processed.repeated", "legal_service_agency"),
    ("table3", "result.not_processed.repeated", "other_org"),
    ("table3", "result.not_processed.repeated", "total"),
    ("table3", "result.not_processed.publication", "natural_person"),
    ("table3", "result.not_processed.publication", "commercial_enterprise"),
    ("table3", "result.not_processed.publication", "research_institution"),
    ("table3", "result.not_processed.publication", "social_welfare_org"),
    ("table3", "result.not_processed.publication", "legal_service_agency"),
    ("table3", "result.not_processed.publication", "other_org"),
    ("table3", "result.not_processed.publication", "total"),
    ("table3", "result.not_processed.excessive", "natural_person"),
    ("table3", "result.not_processed.excessive", "commercial_enterprise"),
    ("table3", "result.not_processed.excessive", "research_institution"),
    ("table3", "result.not_processed.excessive", "social_welfare_org"),
    ("table3", "result.not_processed.excessive", "legal_service_agency"),
    ("table3", "result.not_processed.excessive", "other_org"),
    ("table3", "result.not_processed.excessive", "total"),
    ("table3", "result.not_processed.confirm_or_reissue", "natural_person"),
    ("table3", "result.not_processed.confirm_or_reissue", "commercial_enterprise"),
    ("table3", "result.not_processed.confirm_or_reissue", "research_institution"),
    ("table3", "result.not_processed.confirm_or_reissue", "social_welfare_org"),
    ("table3", "result.not_processed.confirm_or_reissue", "legal_service_agency"),
    ("table3", "result.not_processed.confirm_or_reissue", "other_org"),
    ("table3", "result.not_processed.confirm_or_reissue", "total"),
    ("table3", "result.other.no_correction", "natural_person"),
    ("table3", "result.other.no_correction", "commercial_enterprise"),
    ("table3", "result.other.no_correction", "research_institution"),
    ("table3", "result.other.no_correction", "social_welfare_org"),
    ("table3", "result.other.no_correction", "legal_service_agency"),
    ("table3", "result.other.no_correction", "other_org"),
    ("table3", "result.other.no_correction", "total"),
    ("table3", "result.other.unpaid_fee", "natural_person"),
    ("table3", "result.other.unpaid_fee", "commercial_enterprise"),
    ("table3", "result.other.unpaid_fee", "research_institution"),
    ("table3", "result.other.unpaid_fee", "social_welfare_org"),
    ("table3", "result.other.unpaid_fee", "legal_service_agency"),
    ("table3", "result.other.unpaid_fee", "other_org"),
    ("table3", "result.other.unpaid_fee", "total"),
    ("table3", "result.other.other", "natural_person"),
    ("table3", "result.other.other", "commercial_enterprise"),
    ("table3", "result.other.other", "research_institution"),
    ("table3", "result.other.other", "social_welfare_org"),
    ("table3", "result.other.other", "legal_service_agency"),
    ("table3", "result.other.other", "other_org"),
    ("table3", "result.other.other", "total"),
    ("table3", "result.total", "natural_person"),
    ("table3", "result.total", "commercial_enterprise"),
    ("table3", "result.total", "research_institution"),
    ("table3", "result.total", "social_welfare_org"),
    ("table3", "result.total", "legal_service_agency"),
    ("table3", "result.total", "other_org"),
    ("table3", "result.total", "total"),
    ("table3", "carried_to_next_year", "natural_person"),
    ("table3", "carried_to_next_year", "commercial_enterprise"),
    ("table3", "carried_to_next_year", "research_institution"),
    ("table3", "carried_to_next_year", "social_welfare_org"),
    ("table3", "carried_to_next_year", "legal_service_agency"),
    ("table3", "carried_to_next_year", "other_org"),
    ("table3", "carried_to_next_year", "total"),
    ("table4", "reconsideration", "upheld"),
    ("table4", "reconsideration", "corrected"),
    ("table4", "reconsideration", "other"),
    ("table4", "reconsideration", "pending"),
    ("table4", "reconsideration", "total"),
    ("table4", "litigation_direct", "upheld"),
    ("table4", "litigation_direct", "corrected"),
    ("table4", "litigation_direct", "other"),
    ("table4", "litigation_direct", "pending"),
    ("table4", "litigation_direct", "total"),
    ("table4", "litigation_after_reconsideration", "upheld"),
    ("table4", "litigation_after_reconsideration", "corrected"),
    ("table4", "litigation_after_reconsideration", "other"),
    ("table4", "litigation_after_reconsideration", "pending"),
    ("table4", "litigation_after_reconsideration", "total"),
    ("table3", "result.other", "natural_person"),
    ("table3", "result.other", "commercial_enterprise"),
    ("table3", "result.other", "research_institution"),
    ("table3", "result.other", "social_welfare_org"),
    ("table3", "result.other", "legal_service_agency"),
    ("table3", "result.other", "other_org"),
    ("table3", "result.other", "total"),
    ("table2", "regulations", "newly_made"),
    ("table2", "regulations", "newly_published"),
    ("table2", "regulations", "total_published"),
    ("table2", "normative_documents", "newly_made"),
    ("table2", "normative_documents", "newly_published"),
    ("table2", "normative_documents", "total_published"),
    ("table2", "licensing", "items_last_year"),
    ("table2", "licensing", "change"),
    ("table2", "other_management_services", "items_last_year"),
    ("table2", "other_management_services", "change"),
    ("table2", "other_management_services", "decisions"),
    ("table2", "penalty", "items_last_year"),
    ("table2", "penalty", "change"),
    ("table2", "coercion", "items_last_year"),
    ("table2", "coercion", "change"),
    ("table2", "fees", "items_last_year"),
    ("table2", "fees", "change"),
    ("table2", "centralized_procurement", "items"),
    ("table2", "centralized_procurement", "amount"),
]

PROVENANCE = "value, status, raw, note, page, line, candidates, confidence"


def _provenance_columns() -> list[sa.Column]:
    return [
        sa.Column("value", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("candidates", sa.JSON(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
    ]


def _set_aside(table: str, constraint: str) -> None:
    """Rename a table; on PostgreSQL its key's index too, whose name the new table takes."""
    op.rename_table(table, f"{table}_before")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {table}_before RENAME CONSTRAINT {constraint} TO {constraint}_before")


def upgrade() -> None:
    cell = op.create_table(
        "cell",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("table_code", sa.String(length=8), nullable=False),
        sa.Column("row_code", sa.String(length=64), nullable=False),
        sa.Column("column_code", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cell")),
        sa.UniqueConstraint("table_code", "row_code", "column_code", name="uq_cell_code"),
    )
    op.bulk_insert(
        cell,
        [
            {"id": number, "table_code": t, "row_code": r, "column_code": c}
            for number, (t, r, c) in enumerate(CELLS, start=1)
        ],
    )
    for index in ("ix_figure_cell", "ix_figure_report_cell", "ix_figure_report_id"):
        op.drop_index(index, table_name="figure")
    _set_aside("figure", "pk_figure")
    op.create_table(
        "figure",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("cell_id", sa.SmallInteger(), nullable=False),
        *_provenance_columns(),
        sa.PrimaryKeyConstraint("report_id", "cell_id", name="pk_figure", postgresql_include=["value"]),
        sqlite_with_rowid=False,
    )
    bind = op.get_bind()
    unknown = bind.execute(
        sa.text(
            "SELECT count(*) FROM figure_before f LEFT JOIN cell c ON c.table_code = f.table_code "
            "AND c.row_code = f.row_code AND c.column_code = f.column_code WHERE c.id IS NULL"
        )
    ).scalar_one()
    if unknown:
        raise RuntimeError(f"{unknown} stored figures name a cell that has no number; nothing was changed")
    op.execute(
        f"INSERT INTO figure (report_id, cell_id, {PROVENANCE}) "
        f"SELECT f.report_id, c.id, {', '.join('f.' + name for name in PROVENANCE.split(', '))} "
        "FROM figure_before f JOIN cell c ON c.table_code = f.table_code "
        "AND c.row_code = f.row_code AND c.column_code = f.column_code"
    )
    op.drop_table("figure_before")
    op.create_index("ix_figure_cell_report", "figure", ["cell_id", "report_id"], postgresql_include=["value"])


def downgrade() -> None:
    op.drop_index("ix_figure_cell_report", table_name="figure")
    _set_aside("figure", "pk_figure")
    op.create_table(
        "figure",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("table_code", sa.String(length=8), nullable=False),
        sa.Column("row_code", sa.String(length=64), nullable=False),
        sa.Column("column_code", sa.String(length=32), nullable=False),
        *_provenance_columns(),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], name=op.f("fk_figure_report_id_report")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure")),
    )
    op.execute(
        f"INSERT INTO figure (report_id, table_code, row_code, column_code, {PROVENANCE}) "
        f"SELECT f.report_id, c.table_code, c.row_code, c.column_code, "
        f"{', '.join('f.' + name for name in PROVENANCE.split(', '))} "
        "FROM figure_before f JOIN cell c ON c.id = f.cell_id ORDER BY f.report_id, f.cell_id"
    )
    op.drop_table("figure_before")
    op.drop_table("cell")
    op.create_index(
        "ix_figure_cell",
        "figure",
        ["table_code", "row_code", "column_code", "report_id"],
        postgresql_include=["value"],
    )
    op.create_index(
        "ix_figure_report_cell",
        "figure",
        ["report_id", "table_code", "row_code", "column_code"],
        postgresql_include=["value"],
    )
    op.create_index(op.f("ix_figure_report_id"), "figure", ["report_id"])

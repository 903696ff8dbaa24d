"""The stored entities: source documents, reports (versioned), figures and findings.

A figure is one row (report, table, row, column), so aggregates are plain SQL over one table.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from app.models.base import BigId, RegionPath, utcnow


class SourceDocument(SQLModel, table=True):
    """What a report came from: an uploaded file's bytes are in the file store (content-addressed
    by SHA-256); a JSON report's canonical bytes, a few kilobytes, are kept in the row itself,
    where they cost a column instead of a file."""

    __tablename__ = "source_document"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    media_type: str = Field(max_length=100)
    filename: str | None = Field(default=None, max_length=255)
    size: int = Field(sa_type=BigInteger)
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)


class Report(RegionPath, table=True):
    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("organ_key", "year", "version", name="uq_report_organ_key_year_version"),
        Index("ix_report_latest_year", "is_latest", "year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organ: str = Field(max_length=200)
    organ_key: str = Field(max_length=200, index=True)  # the organ name normalised, the body's identity
    # region and name below it (app.services.bodies.identity): spellings of one body share it, and
    # a new report takes the organ_key a report of the same body was stored under
    body_key: str | None = Field(default=None, max_length=240, index=True)
    year: int | None = Field(default=None, index=True)
    format: str = Field(max_length=4)
    single_other_row: bool = False
    scope: str | None = Field(default=None, max_length=8)
    published_on: date | None = None
    signed_on: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    title: str | None = Field(default=None, sa_type=Text)
    narrative: str = Field(default="", sa_type=Text)
    version: int = 1
    is_latest: bool = True
    source_id: int = Field(foreign_key="source_document.id", index=True)
    valid: bool = True
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    # 退回整改: submitted | returned | resubmitted | accepted, carried to a new version
    state: str = Field(default="submitted", max_length=12, index=True)
    state_note: str | None = Field(default=None, sa_type=Text)
    created_by: str | None = Field(default=None, max_length=120)
    # a version made by correcting cells of an earlier one: those cells, as table.row.column
    corrected_cells: list | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    corrected_from: int | None = None

    @property
    def counts(self) -> dict[str, int]:
        return {"error": self.errors, "warning": self.warnings, "info": self.infos}


class Cell(SQLModel, table=True):
    """The numbering of every figure (app.rules.cells), so SQL written by hand can name cells."""

    __tablename__ = "cell"
    __table_args__ = (UniqueConstraint("table_code", "row_code", "column_code", name="uq_cell_code"),)

    id: int = Field(sa_column=Column(SmallInteger, primary_key=True, autoincrement=False))
    table_code: str = Field(max_length=8)
    row_code: str = Field(max_length=64)
    column_code: str = Field(max_length=32)


class FigureRow(SQLModel, table=True):
    """One figure of one report, keyed by (report, cell number).

    Figures are most of the rows, so the table stays narrow: no surrogate id, a small integer
    for the cell, and no foreign keys (a check per row would cost more than the rest of the
    insert): figures are written only with their report, in the same transaction, and reports
    are never deleted.
    """

    __tablename__ = "figure"
    __table_args__ = (
        # the key carries the value on PostgreSQL, so summing many figures of the reports under
        # one region reads the key only; SQLite stores the rows in key order
        PrimaryKeyConstraint("report_id", "cell_id", name="pk_figure", postgresql_include=["value"]),
        # and summing one figure over a year reads this one only
        Index("ix_figure_cell_report", "cell_id", "report_id", postgresql_include=["value"]),
        {"sqlite_with_rowid": False},
    )

    report_id: int = Field(sa_column=Column(Integer, nullable=False))
    cell_id: int = Field(sa_column=Column(SmallInteger, nullable=False))
    value: Decimal | None = Field(default=None, sa_column=Column(Numeric(20, 6), nullable=True))
    status: str = Field(max_length=12)
    raw: str | None = Field(default=None, sa_type=Text)
    note: str | None = Field(default=None, sa_type=Text)
    page: int | None = None
    line: int | None = None
    candidates: list | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    confidence: float | None = None  # 0–1, for a figure read from a scan by OCR


class FindingRow(SQLModel, table=True):
    __tablename__ = "finding"

    id: int | None = Field(default=None, sa_type=BigId, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    rule: str = Field(max_length=32, index=True)
    severity: str = Field(max_length=8)
    table_code: str | None = Field(default=None, max_length=8)
    row_code: str | None = Field(default=None, max_length=64)
    column_code: str | None = Field(default=None, max_length=32)
    page: int | None = None
    cells: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reported: str | None = Field(default=None, max_length=200)
    expected: str | None = Field(default=None, max_length=200)
    message: str = Field(sa_type=Text)
    message_en: str | None = Field(default=None, sa_type=Text)
    hint: str | None = Field(default=None, sa_type=Text)


class FigureFlag(SQLModel, table=True):
    """A figure that an error finding reads: `invalid` when the finding is VALUE's (a negative
    count, a fraction, an impossible amount), so sums leave it out and say how many they left.

    Kept beside the findings (written and replaced with them) so the sums count flagged figures
    with one GROUP BY instead of reading every finding's cells."""

    __tablename__ = "figure_flag"
    __table_args__ = (
        PrimaryKeyConstraint("report_id", "cell_id", name="pk_figure_flag"),
        Index("ix_figure_flag_cell_report", "cell_id", "report_id"),
    )

    report_id: int = Field(sa_column=Column(Integer, nullable=False))
    cell_id: int = Field(sa_column=Column(SmallInteger, nullable=False))
    invalid: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))

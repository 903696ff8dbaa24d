"""What the API returns: reports with their figures, validations, rules, lists and problems."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

FigureValue = int | str | None  # counts as integers, money as an exact decimal string


class LocationPublic(BaseModel):
    table: str | None = None
    row: str | None = None
    column: str | None = None
    page: int | None = None


class FindingPublic(BaseModel):
    rule: str
    severity: str = Field(description="error | warning | info")
    location: LocationPublic
    cells: list[str] = Field(description="every cell the finding reads, as table.row.column")
    reported: str | None = None
    expected: str | None = None
    message: str = Field(description="中文说明")
    message_en: str | None = None
    hint: str | None = None


class Counts(BaseModel):
    error: int = 0
    warning: int = 0
    info: int = 0


class ValidationPublic(BaseModel):
    valid: bool = Field(description="true when no finding is an error")
    counts: Counts
    findings: list[FindingPublic]


class FigurePublic(BaseModel):
    table: str
    row: str
    column: str
    value: FigureValue
    status: str = Field(description="read | ocr | blank | missing | unreadable | inferred | ambiguous")
    raw: str | None = None
    note: str | None = None
    page: int | None = None
    line: int | None = None
    candidates: list[FigureValue] | None = None
    confidence: float | None = Field(default=None, description="0–1, for a figure read from a scan by OCR")


class SourcePublic(BaseModel):
    filename: str | None
    sha256: str
    media_type: str
    size: int


class ReportPublic(BaseModel):
    id: int | None = Field(description="null when the report was only validated, not stored")
    version: int | None = None
    is_latest: bool | None = None
    organ: str
    year: int | None
    format: str
    single_other_row: bool = Field(False, description="2021 layout printing （六）其他处理 as one row")
    scope: str | None = None
    region_code: str | None = None
    published_on: date | None = None
    signed_on: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    title: str | None = None
    source: SourcePublic | None = None
    created_at: datetime | None = None
    table2: dict[str, dict[str, FigureValue]]
    table3: dict[str, dict[str, FigureValue]]
    table4: dict[str, dict[str, FigureValue]]
    figures: list[FigurePublic]
    validation: ValidationPublic


class ReportSummary(BaseModel):
    id: int
    organ: str
    year: int | None
    format: str
    version: int
    is_latest: bool
    scope: str | None
    region_code: str | None
    valid: bool
    counts: Counts
    created_at: datetime
    state: str = Field("submitted", description="submitted | returned（退回整改） | resubmitted | accepted")


class ReportList(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ReportSummary]


class RulePublic(BaseModel):
    id: str
    severity: str
    title: str
    title_en: str
    reads: str
    message: str
    message_en: str


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    code: str = Field(description="stable machine-readable code")
    detail: str = Field(description="中文说明")
    errors: list[dict] | None = None

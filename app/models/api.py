"""What the API returns: reports with their figures, validations, rules, lists and problems."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.draft import Scope
from app.layout import Format

FigureValue = int | str | None  # counts as integers, money as an exact decimal string


class LocationPublic(BaseModel):
    table: str | None = None
    row: str | None = None
    column: str | None = None
    page: int | None = None


class ReviewPublic(BaseModel):
    status: str = Field(description="explained（已说明） | accepted（将更正） | open（重新打开）")
    note: str
    by: str = Field(description="who reviewed: user:NAME or key:ID:NAME")
    at: datetime
    version: int = Field(description="the version the review was made on; later versions carry it")


class FindingPublic(BaseModel):
    id: int | None = Field(None, description="the stored finding's id, to review it; null when not stored")
    review: ReviewPublic | None = None
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
    status: str = Field(
        description="read | ocr | blank | missing | unreadable | inferred | ambiguous | placed"
    )
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
    organ: str | None = Field(description="null only when a file named no body and none was given")
    year: int | None
    format: Format
    single_other_row: bool = Field(False, description="2021 layout printing （六）其他处理 as one row")
    scope: Scope | None = None
    region_code: str | None = Field(
        None,
        description="the statistical division code (统计用区划代码) it is counted under; null until placed",
    )
    published_on: date | None = Field(None, description="the date the portal published it")
    signed_on: date | None = Field(None, description="the date under the signature")
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
    state: str | None = Field(None, description="submitted | returned（退回整改） | resubmitted | accepted")
    state_note: str | None = Field(None, description="what the supervisor asked for when sending it back")
    created_by: str | None = None
    corrected_from: int | None = Field(None, description="the version whose cells were corrected")
    corrected_cells: list[str] | None = Field(None, description="the cells changed, as table.row.column")


class ReportSummary(BaseModel):
    id: int
    organ: str
    year: int | None
    format: Format
    version: int
    is_latest: bool
    scope: Scope | None
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


class FieldError(BaseModel):
    """One wrong part of a request: where (a dotted path, e.g. table3.result.total.natural_person
    or query.year) and what to change."""

    path: str
    message: str = Field(description="中文说明")


class RowError(BaseModel):
    """One wrong row of an uploaded table (a 名录): its line (1 is the header) and what to change."""

    line: int
    detail: str = Field(description="中文说明")


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    code: str = Field(description="stable machine-readable code")
    detail: str = Field(description="中文说明")
    errors: list[FieldError | RowError] | None = Field(
        None, description="每一处有误的字段（如有）；名录导入时为每一行的问题"
    )
    report: ReportPublic | None = Field(
        None, description="organ_unknown / year_unknown: what was read (figures and findings), nothing stored"
    )


class ReviewIn(BaseModel):
    finding: int = Field(ge=1, le=2**63 - 1, description="a finding's id, from the report's validation")
    action: Literal["explain", "accept", "reopen"]
    note: str = Field("", max_length=2000, description="why the figure is right (explain: required)")


class StateIn(BaseModel):
    state: Literal["returned", "accepted", "resubmitted"]
    note: str = Field("", max_length=2000, description="退回整改: what to correct (required)")


class FixedFinding(BaseModel):
    rule: str
    location: LocationPublic
    message: str
    review: ReviewPublic | None = None
    version: int = Field(description="the last version the finding was in")


class ReviewsPublic(BaseModel):
    report_id: int
    version: int
    findings: list[FindingPublic]
    fixed: list[FixedFinding] = Field(description="findings of the version before that are gone now")


class AuditPublic(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    report_id: int | None
    target: str | None
    detail: dict


class AuditList(BaseModel):
    items: list[AuditPublic]

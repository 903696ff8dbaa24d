"""The draft: one report as read from JSON or a file, before it is stored.

JSON input and every file extractor produce the same draft, so the rules and the store see one
shape whatever the source was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from app.layout import Format, Layout, layout

Value = int | Decimal

CellKey = tuple[str, str, str]  # (table, row, column)


class Status(StrEnum):
    READ = "read"  # printed in the document (or given in JSON)
    OCR = "ocr"  # read from a scan by OCR with a confidence at or above the threshold
    BLANK = "blank"  # the cell is empty or holds a placeholder such as "-" or "/"
    MISSING = "missing"  # the cell is not in the document at all
    UNREADABLE = "unreadable"  # something stood there, but not a figure
    INFERRED = "inferred"  # not printed legibly; the only value the 勾稽 relations allow
    AMBIGUOUS = "ambiguous"  # more than one reading satisfies the relations
    # printed apart from its label (a converter's Markdown): the row between two labelled rows
    # that the order of the rows gives it
    PLACED = "placed"


class Scope(StrEnum):
    BODY = "本机关"
    AREA = "汇总"


@dataclass(kw_only=True)
class Heading:
    """What a report says of itself around its tables (app.extract.metadata reads it from a file);
    a draft is a heading with figures."""

    title: str | None = None
    organ: str | None = None  # None: neither the document nor the caller named the issuing body
    year: int | None = None
    period_start: date | None = None
    period_end: date | None = None
    signed_on: date | None = None
    published_on: date | None = None
    scope: Scope | None = None


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass
class Figure:
    value: Value | None
    status: Status = Status.READ
    raw: str | None = None  # the text the figure was read from, placeholders and notes included
    note: str | None = None  # a note printed beside the figure: "（其中修订16件）"
    page: int | None = None
    line: int | None = None
    candidates: list[Value] | None = None  # the readings an ambiguous cell allows
    confidence: float | None = None  # 0–1, for a figure read from a scan by OCR


@dataclass
class Location:
    table: str | None = None
    row: str | None = None
    column: str | None = None
    page: int | None = None


@dataclass
class Finding:
    rule: str
    severity: Severity
    message: str  # zh, for the clerk
    location: Location = field(default_factory=Location)
    cells: list[str] = field(
        default_factory=list
    )  # every cell the finding reads, "table3.new_received.total"
    reported: str | None = None
    expected: str | None = None
    hint: str | None = None
    message_en: str | None = None


# What a report carries beside its figures and narrative, by the same names in a draft, a stored
# report, the answer and a JSON report: copied by name wherever one becomes another.
REPORT_FIELDS = (
    "organ",
    "year",
    "format",
    "single_other_row",
    "scope",
    "region_code",
    "published_on",
    "signed_on",
    "period_start",
    "period_end",
    "title",
)


@dataclass(kw_only=True)
class Draft(Heading):
    format: Format
    figures: dict[CellKey, Figure] = field(default_factory=dict)
    single_other_row: bool = False  # a 2021 report that prints （六）其他处理 as one row
    region_code: str | None = None
    narrative: str = ""
    extraction_findings: list[Finding] = field(default_factory=list)
    # Where the caller stated a field that the document says otherwise: field → the document's value.
    document_said: dict[str, str] = field(default_factory=dict)

    def report_fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in REPORT_FIELDS}

    @property
    def layout(self) -> Layout:
        return layout(self.format, self.single_other_row)

    def value(self, key: CellKey) -> Value | None:
        figure = self.figures.get(key)
        return None if figure is None else figure.value

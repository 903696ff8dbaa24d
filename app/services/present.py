"""Drafts and findings turned into the API's models (pure: no database, no HTTP)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from app.draft import Draft, Figure, Finding, Value
from app.layout import TABLE_CODES, Layout
from app.models.api import (
    Counts,
    FigurePublic,
    FigureValue,
    FindingPublic,
    ReportPublic,
    ReviewPublic,
    SourcePublic,
    ValidationPublic,
)
from app.rules.naming import fmt_value, short_label

# a stored finding's id and its review, if any
Mark = tuple[int, ReviewPublic | None] | None


def public_value(value: Value | None) -> FigureValue:
    if isinstance(value, Decimal):
        return fmt_value(value)
    return value


SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}  # the worst first (a Severity is its str)


def counts(findings: Iterable[Finding]) -> Counts:
    tally = Counts()
    for finding in findings:
        setattr(tally, finding.severity.value, getattr(tally, finding.severity.value) + 1)
    return tally


def finding_public(finding: Finding, mark: Mark | None = None) -> FindingPublic:
    public = FindingPublic.model_validate(finding, from_attributes=True)
    if mark:
        public.id, public.review = mark
    return public


def validation_public(findings: list[Finding], marks: list[Mark] | None = None) -> ValidationPublic:
    """Errors first; with marks (a stored finding's id and review), each beside its finding."""
    paired = list(zip(findings, marks or [None] * len(findings), strict=True))
    ordered = sorted(paired, key=lambda pair: SEVERITY_RANK[pair[0].severity])
    tally = counts(findings)
    return ValidationPublic(
        valid=tally.error == 0, counts=tally, findings=[finding_public(f, m) for f, m in ordered]
    )


def _figure_public(key: tuple[str, str, str], figure: Figure) -> FigurePublic:
    return FigurePublic(
        table=key[0],
        row=key[1],
        column=key[2],
        value=public_value(figure.value),
        status=figure.status.value,
        raw=figure.raw,
        note=figure.note,
        page=figure.page,
        line=figure.line,
        candidates=[public_value(v) for v in figure.candidates] if figure.candidates else None,
        confidence=figure.confidence,
    )


def report_public(
    draft: Draft,
    findings: list[Finding],
    *,
    report_id: int | None = None,
    version: int | None = None,
    is_latest: bool | None = None,
    source: SourcePublic | None = None,
    created_at=None,
    marks: list[Mark] | None = None,
) -> ReportPublic:
    tables: dict[str, dict[str, dict[str, FigureValue]]] = {code: {} for code in TABLE_CODES}
    figures = []
    for key in draft.layout.cells:
        figure = draft.figures.get(key)
        if figure is None:
            continue
        tables[key[0]].setdefault(key[1], {})[key[2]] = public_value(figure.value)
        figures.append(_figure_public(key, figure))
    return ReportPublic(
        id=report_id,
        version=version,
        is_latest=is_latest,
        **draft.report_fields(),
        source=source,
        created_at=created_at,
        table2=tables["table2"],
        table3=tables["table3"],
        table4=tables["table4"],
        figures=figures,
        validation=validation_public(findings, marks),
    )


# ---- how a finding's place is named and which cells it is about --------------------------------

TABLE_NAMES = {"table2": "表二", "table3": "表三", "table4": "表四"}


def primary_cells(finding: FindingPublic) -> list[str]:
    """The cells a finding is about (outlined); the rest of `cells` are the operands it read.

    A relation lists its reported side first, so its first cell is the total that disagrees;
    a finding about a set of cells (blank, missing) is about all of them.
    """
    loc = finding.location
    if loc.table and loc.row and loc.column:
        return [f"{loc.table}.{loc.row}.{loc.column}"]
    if finding.expected is not None and finding.cells:
        return finding.cells[:1]
    return list(finding.cells)


def cell_label(lay: Layout, table: str, row: str | None, column: str | None) -> str:
    """In words: 表三“（七）总计”·自然人."""
    name = TABLE_NAMES.get(table, table)
    if table not in TABLE_NAMES:
        return name
    found = lay.table(table).row(row) if row else None
    if found is None:
        if column:
            labels = {code: label for code, label, _ in lay.table(table).rows[0].columns}
            return f"{name}“{labels.get(column, column)}”列"
        return name
    text = f"{name}“{short_label(found.label)}”"
    if column and len(found.columns) > 1:
        labels = {code: label for code, label, _ in found.columns}
        text += f"·{labels.get(column, column)}"
    return text


def where_label(lay: Layout, finding: FindingPublic) -> str:
    loc = finding.location
    if not loc.table:
        return "整份报告"
    text = cell_label(lay, loc.table, loc.row, loc.column)
    if loc.page:
        text += f"（第 {loc.page} 页）"
    return text

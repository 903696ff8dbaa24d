"""Aggregates and coverage as CSV (UTF-8 with BOM, formula-safe) or XLSX, with a Chinese header row.

Every text cell may come from a caller (a body's name, a region's): none is ever read as a formula.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import xlsxwriter

from app.models.aggregates import AggregateResult, CoverageBody, CoverageResult, RegionInRow

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | date | None


@dataclass
class Sheet:
    name: str
    header: list[str]
    rows: list[list[Cell]]
    numbers_from: int | None = None  # columns from here on are numbers (money comes as text)


def aggregate_sheet(result: AggregateResult) -> Sheet:
    """One row per group: region and year when grouped, counts, then each figure's sum beside the
    number of reports that left it blank."""
    by_region = any(row.region is not None for row in result.rows) or result.region_level is not None
    by_year = any(row.year is not None for row in result.rows)
    header: list[str] = []
    if by_region:
        header += ["地区代码", "地区"]
    if by_year:
        header.append("年度")
    header += ["报告数", "有错误的报告数"]
    for figure in result.figures:
        header += [f"{figure.label}（{figure.code}）", f"{figure.label}：空白的报告数"]
    rows: list[list[Cell]] = []
    for row in result.rows:
        cells: list[Cell] = []
        if by_region:
            cells += [row.region.code, _path(row.region)] if row.region else ["", ""]
        if by_year:
            cells.append(row.year)
        cells += [row.reports, row.reports_with_errors]
        for figure in result.figures:
            cells += [row.values.get(figure.code), row.blanks.get(figure.code)]
        rows.append(cells)
    return Sheet("汇总", header, rows, numbers_from=header.index("报告数"))


_KINDS = {"government": "政府", "department": "部门", "unknown": "未能判断"}


def coverage_sheet(result: CoverageResult) -> Sheet:
    """One row per body: those that published (late or on time), then those that did not."""

    def row(body: CoverageBody, status: str) -> list[Cell]:
        region = [body.region.code, _path(body.region)] if body.region else ["", ""]
        return [
            status,
            body.organ,
            *region,
            _KINDS.get(body.kind, body.kind),
            body.report_id,
            body.published_on,
            body.deadline,
            body.last_year,
        ]

    header = [
        "状态",
        "机关",
        "地区代码",
        "地区",
        "类别",
        "报告编号",
        "发布日期",
        "公开期限",
        "此前最近公开年度",
    ]
    rows = [row(body, "逾期公开" if body.late else "已公开") for body in result.published]
    rows += [row(body, "未公开") for body in result.missing]
    return Sheet(f"{result.year}年度公开情况", header, rows)


def _path(region: RegionInRow) -> str:
    return " › ".join(r.name for r in region.path)


def _safe(cell: Cell) -> str | int:
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe."""
    if cell is None:
        return ""
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def to_csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_safe(title) for title in sheet.header])
    for row in sheet.rows:
        writer.writerow([_safe(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheet: Sheet) -> bytes:
    """Text cells are written as text (never formulas); counts and money sums as numbers."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    page = book.add_worksheet(sheet.name)
    bold = book.add_format({"bold": True, "text_wrap": True})
    for c, title in enumerate(sheet.header):
        page.write_string(0, c, title, bold)
    numbers_from = len(sheet.header) if sheet.numbers_from is None else sheet.numbers_from
    for r, row in enumerate(sheet.rows, start=1):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            if isinstance(cell, int) or (c >= numbers_from and isinstance(cell, str)):
                page.write_number(r, c, float(Decimal(cell)) if isinstance(cell, str) else cell)
            else:
                page.write_string(r, c, cell.isoformat() if isinstance(cell, date) else cell)
    page.freeze_panes(1, 0)
    book.close()
    return out.getvalue()

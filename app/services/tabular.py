"""Aggregates as CSV (UTF-8 with BOM, formula-safe) or XLSX, with a Chinese header row."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import xlsxwriter

from app.models.aggregates import AggregateResult

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def table(result: AggregateResult) -> list[list[str | int | None]]:
    """The header row and one row per group: region and year when grouped, counts, then each
    figure's sum beside the number of reports that left it blank."""
    by_region = any(row.region is not None for row in result.rows) or result.region_level is not None
    by_year = any(row.year is not None for row in result.rows)
    header: list[str | int | None] = []
    if by_region:
        header += ["地区代码", "地区"]
    if by_year:
        header.append("年度")
    header += ["报告数", "有错误的报告数"]
    for figure in result.figures:
        header += [f"{figure.label}（{figure.code}）", f"{figure.label}：空白的报告数"]
    rows: list[list[str | int | None]] = [header]
    for row in result.rows:
        cells: list[str | int | None] = []
        if by_region:
            cells += (
                [row.region.code, " › ".join(r.name for r in row.region.path)] if row.region else ["", ""]
            )
        if by_year:
            cells.append(row.year)
        cells += [row.reports, row.reports_with_errors]
        for figure in result.figures:
            cells += [row.values.get(figure.code), row.blanks.get(figure.code)]
        rows.append(cells)
    return rows


def _safe(cell: str | int | None) -> str | int:
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe."""
    if cell is None:
        return ""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def to_csv(result: AggregateResult) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in table(result):
        writer.writerow([_safe(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(result: AggregateResult) -> bytes:
    """Text cells are written as text (never formulas); counts and money sums as numbers."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet("汇总")
    bold = book.add_format({"bold": True, "text_wrap": True})
    header, *rows = table(result)
    first_count = header.index("报告数")
    for c, title in enumerate(header):
        sheet.write_string(0, c, str(title), bold)
    for r, row in enumerate(rows, start=1):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            if c >= first_count or isinstance(cell, int):
                sheet.write_number(r, c, float(Decimal(cell)) if isinstance(cell, str) else cell)
            else:
                sheet.write_string(r, c, cell)
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()

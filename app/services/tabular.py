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

from app.models.aggregates import AggregateResult, AggregateRow, CoverageBody, CoverageResult, RegionInRow
from app.models.findings import FindingsResult
from app.models.registry import BodyList

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | date | None


@dataclass
class Sheet:
    name: str
    header: list[str]
    rows: list[list[Cell]]
    numbers_from: int | None = None  # columns from here on are numbers (money comes as text)
    codes: list[str] | None = None  # a second header row: each column's canonical code
    total: list[Cell] | None = None  # the 合计 row, last


def _figure_columns(figure_label: str, code: str) -> tuple[list[str], list[str]]:
    return (
        [
            f"{figure_label}（{code}）",
            f"{figure_label}：空白的报告数",
            f"{figure_label}：无效值的报告数",
            f"{figure_label}：有错误标记的报告数",
        ],
        [code, f"{code}:blanks", f"{code}:invalid", f"{code}:flagged"],
    )


def _figure_cells(row: AggregateRow, code: str) -> list[Cell]:
    return [row.values.get(code), row.blanks.get(code), row.invalid.get(code), row.flagged.get(code)]


def aggregate_sheet(result: AggregateResult, total: AggregateRow | None = None) -> Sheet:
    """One row per group: region and year when grouped, counts, then per figure its sum, how many
    reports left it blank, gave an impossible value (left out of the sum), carry an error on it.
    `total`, the same sums over the whole scope, is the 合计 row: the page's 合计, which also
    counts reports placed at the region itself rather than in one of the rows."""
    by_region = any(row.region is not None for row in result.rows) or result.region_level is not None
    by_year = any(row.year is not None for row in result.rows)
    header: list[str] = []
    codes: list[str] = []
    if by_region:
        header += ["地区代码", "地区"]
        codes += ["region.code", "region.path"]
    if by_year:
        header.append("年度")
        codes.append("year")
    header += ["报告数", "有错误的报告数"]
    codes += ["reports", "reports_with_errors"]
    for figure in result.figures:
        titles, keys = _figure_columns(figure.label, figure.code)
        header += titles
        codes += keys
    rows: list[list[Cell]] = []
    for row in result.rows:
        cells: list[Cell] = []
        if by_region:
            cells += [row.region.code, _path(row.region)] if row.region else ["", ""]
        if by_year:
            cells.append(row.year)
        cells += [row.reports, row.reports_with_errors]
        for figure in result.figures:
            cells += _figure_cells(row, figure.code)
        rows.append(cells)
    total_cells: list[Cell] | None = None
    if total is not None:
        lead: list[Cell] = ["合计", ""] if by_region else []
        if by_year:
            lead.append(None if by_region else "合计")
        total_cells = [*lead, total.reports, total.reports_with_errors]
        for figure in result.figures:
            total_cells += _figure_cells(total, figure.code)
        if not by_region and not by_year:
            total_cells = None  # one row already is the whole
    return Sheet("汇总", header, rows, numbers_from=header.index("报告数"), codes=codes, total=total_cells)


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
            "是" if body.registered else "",
            body.signed_on,
            {"published_on": "发布日期", "signed_on": "签发日期"}.get(body.late_from or "", ""),
            "；".join(body.names),
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
        "在名录中",
        "签发日期",
        "逾期依据",
        "报告所用名称",
    ]
    codes = [
        "status",
        "organ",
        "region.code",
        "region.path",
        "kind",
        "report_id",
        "published_on",
        "deadline",
        "last_year",
        "registered",
        "signed_on",
        "late_from",
        "names",
    ]
    rows = [row(body, "逾期公开" if body.late else "已公开") for body in result.published]
    rows += [row(body, "未公开") for body in result.missing]
    late = len(result.late)
    total: list[Cell] = [
        "合计",
        f"已公开 {len(result.published) - late} · 逾期公开 {late} · 未公开 {len(result.missing)}",
    ]
    return Sheet(f"{result.year}年度公开情况", header, rows, codes=codes, total=total)


_BODY_KINDS = {
    "government": "人民政府",
    "department": "部门",
    "township": "乡镇街道",
    "regiment": "团场",
    "zone": "开发区",
    "other": "其他",
}


def bodies_sheet(result: BodyList) -> Sheet:
    """The registry as it can be uploaded again: 名称, 别名, 区划代码, 类别, 应公开 first."""
    header = ["名称", "别名", "区划代码", "类别", "应公开", "地区", "编号"]
    codes = ["name", "aliases", "region_code", "kind", "must_publish", "region.path", "id"]
    rows: list[list[Cell]] = [
        [
            body.name,
            "；".join(body.aliases),
            body.region.code if body.region else "",
            _BODY_KINDS.get(body.kind, body.kind),
            "是" if body.must_publish else "否",
            _path(body.region) if body.region else "",
            body.id,
        ]
        for body in result.items
    ]
    must = sum(1 for body in result.items if body.must_publish)
    return Sheet(
        "名录", header, rows, codes=codes, total=["合计", f"{len(rows)} 个机关，其中应公开 {must} 个"]
    )


_SEVERITIES = {"error": "错误", "warning": "警告", "info": "提示"}


def findings_sheet(result: FindingsResult) -> Sheet:
    """One row per finding, for a 通报: who, where, which rule, what it says."""
    header = [
        "报告编号",
        "机关",
        "年度",
        "地区代码",
        "地区",
        "规则",
        "规则名称",
        "严重程度",
        "表",
        "行",
        "列",
        "页",
        "填报值",
        "应为",
        "说明",
        "建议",
    ]
    codes = [
        "report_id",
        "organ",
        "year",
        "region.code",
        "region.path",
        "rule",
        "rule_title",
        "severity",
        "table",
        "row",
        "column",
        "page",
        "reported",
        "expected",
        "message",
        "hint",
    ]
    rows: list[list[Cell]] = []
    for item in result.items:
        region = [item.region.code, _path(item.region)] if item.region else ["", ""]
        rows.append(
            [
                item.report_id,
                item.organ,
                item.year,
                *region,
                item.rule,
                item.rule_title,
                _SEVERITIES.get(item.severity, item.severity),
                item.table,
                item.row,
                item.column,
                item.page,
                item.reported,
                item.expected,
                item.message,
                item.hint,
            ]
        )
    by_severity = "；".join(
        f"{name} {sum(1 for i in result.items if i.severity == key)}" for key, name in _SEVERITIES.items()
    )
    total: list[Cell] = ["合计", f"{len(result.items)} 条（{by_severity}）"]
    return Sheet("问题清单", header, rows, codes=codes, total=total)


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
    """The Chinese header, the codes' row, the rows, the 合计 row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_safe(title) for title in sheet.header])
    if sheet.codes:
        writer.writerow(sheet.codes)
    for row in [*sheet.rows, *([sheet.total] if sheet.total else [])]:
        writer.writerow([_safe(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _width(cell: Cell) -> int:
    """Columns a cell needs: a Chinese character takes two."""
    text = cell.isoformat() if isinstance(cell, date) else str(cell if cell is not None else "")
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def to_xlsx(sheet: Sheet) -> bytes:
    """Text cells are written as text (never formulas); counts and money sums as numbers. The
    Chinese header, then the codes' row in grey, both frozen; the 合计 row last, in bold."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    page = book.add_worksheet(sheet.name)
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    grey = book.add_format({"font_color": "#666666", "font_size": 9})
    strong = book.add_format({"bold": True, "top": 1})
    for c, title in enumerate(sheet.header):
        page.write_string(0, c, title, bold)
    first = 1
    if sheet.codes:
        for c, code in enumerate(sheet.codes):
            page.write_string(1, c, code, grey)
        first = 2
    numbers_from = len(sheet.header) if sheet.numbers_from is None else sheet.numbers_from
    body = [*sheet.rows, *([sheet.total] if sheet.total else [])]
    for r, row in enumerate(body, start=first):
        style = strong if sheet.total is not None and r == first + len(sheet.rows) else None
        for c, cell in enumerate(row):
            if cell is None or cell == "":
                if style is not None:
                    page.write_blank(r, c, None, style)
                continue
            if isinstance(cell, int) or (c >= numbers_from and isinstance(cell, str)):
                page.write_number(r, c, float(Decimal(cell)) if isinstance(cell, str) else cell, style)
            else:
                page.write_string(r, c, cell.isoformat() if isinstance(cell, date) else cell, style)
    for c, title in enumerate(sheet.header):
        widest = max([_width(row[c]) for row in body if c < len(row)] or [0])
        page.set_column(c, c, min(max(widest + 2, 8, min(_width(title), 24) // 2 + 2), 60))
    page.freeze_panes(first, 0)
    book.close()
    return out.getvalue()


def to_file(sheet: Sheet, kind: str) -> bytes:
    """The sheet as the file a download asks for: `csv` or `xlsx`."""
    return to_csv(sheet) if kind == "csv" else to_xlsx(sheet)

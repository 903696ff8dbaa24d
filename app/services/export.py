"""核对意见: a report's findings and tables as a file a clerk takes away (Word, Excel or PDF).

One function builds every format from the report as the API answers it, so the download says
exactly what the page and the JSON say. PDF is the Word file converted by LibreOffice, when the
server has it.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import xlsxwriter
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from app.errors import ProblemError
from app.layout import layout
from app.models.api import ReportPublic
from app.rules.catalogue import RULES_BY_ID
from app.services.export_grids import SEVERITY_WORDS, Grid, grids
from app.services.present import where_label

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
_FILL = {"error": "FDECEA", "warning": "FFF4E0", "info": "EEF1F4"}
_INK = {"error": RGBColor(0xC6, 0x28, 0x28), "warning": RGBColor(0xB2, 0x6A, 0x00)}
_PDF_TIMEOUT = 120


@dataclass
class Export:
    data: bytes
    media_type: str
    filename: str


def _facts(report: ReportPublic, checked_at: datetime | None) -> list[tuple[str, str]]:
    """The heading facts: who, which year, which version, when it was checked."""
    counts = report.validation.counts
    version = f"第 {report.version} 版" if report.version else "未保存（仅检查）"
    when = (checked_at or report.created_at or datetime.now()).strftime("%Y-%m-%d %H:%M")
    verdict = "未发现勾稽错误" if report.validation.valid else f"发现 {counts.error} 处错误"
    return [
        ("发布机关", report.organ or "未能确定"),
        ("报告年度", f"{report.year} 年度" if report.year else "未能确定"),
        ("版本", version + (f"（编号 {report.id}）" if report.id else "")),
        ("核对时间", when),
        ("表格格式", f"{report.format} 年格式"),
        ("结论", f"{verdict}；错误 {counts.error} 条，警告 {counts.warning} 条，提示 {counts.info} 条"),
    ]


def _finding_rows(report: ReportPublic) -> list[list[str]]:
    lay = layout(report.format, report.single_other_row)
    rows = []
    first_with: dict[str, int] = {}  # a hint shared by several findings is written out once
    for number, f in enumerate(report.validation.findings, start=1):
        rule = RULES_BY_ID.get(f.rule)
        text = f.message
        if f.hint:
            said = first_with.setdefault(f.hint, number)
            text += f"\n提示：{f.hint}" if said == number else f"\n提示：同第 {said} 条"
        rows.append(
            [
                str(number),
                SEVERITY_WORDS.get(f.severity, f.severity),
                rule.title if rule else f.rule,
                where_label(lay, f),
                f.reported or "",
                f.expected or "",
                text,
            ]
        )
    return rows


FINDING_HEAD = ["序号", "级别", "规则", "位置", "报告值", "应为值", "说明与提示"]


def _name(report: ReportPublic, ext: str) -> str:
    year = f"{report.year}年度" if report.year else ""
    return f"核对意见-{report.organ}{year}.{ext}"


# ---- Word -----------------------------------------------------------------------------------------


def _shade(cell, fill: str) -> None:
    props = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    props.append(shading)


def _put(cell, text: str, *, bold: bool = False, size: float = 8) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold


def _widths(table, widths: list[float]) -> None:
    """Column widths in cm (Word reads them from every cell)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=False):
        column.width = Cm(width)  # the grid LibreOffice lays out by
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = Cm(width)


_PAGE_WIDTH = 26.7  # A4 landscape less the margins, cm


def _docx_grid(doc, grid: Grid) -> None:
    doc.add_paragraph(grid.title, style="Heading 3")
    table = doc.add_table(rows=grid.height, cols=grid.width)
    table.style = "Table Grid"
    if grid.width < 15:  # a label column, then the figures
        label = 7.0 if grid.width > 4 else 8.0
        _widths(table, [label] + [(_PAGE_WIDTH - label) / (grid.width - 1)] * (grid.width - 1))
    for c in grid.cells:
        cell = table.cell(c.row, c.col)
        if c.rowspan > 1 or c.colspan > 1:
            cell = cell.merge(table.cell(c.row + c.rowspan - 1, c.col + c.colspan - 1))
        _put(cell, c.text, bold=c.head)
        if c.marks:
            mark = cell.paragraphs[0].add_run("〔" + "、".join(map(str, c.marks)) + "〕")
            mark.font.size = Pt(7)
            mark.font.superscript = True
            if c.severity in _INK:
                mark.font.color.rgb = _INK[c.severity]
            _shade(cell, _FILL[c.severity or "info"])


def to_docx(report: ReportPublic, checked_at: datetime | None = None) -> bytes:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(10)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    section.left_margin = section.right_margin = Cm(1.5)
    section.top_margin = section.bottom_margin = Cm(1.5)
    doc.add_heading(f"{report.organ}{report.year or ''}年度政府信息公开工作年度报告 核对意见", level=1)
    facts = doc.add_table(rows=0, cols=2)
    facts.style = "Table Grid"
    for label, value in _facts(report, checked_at):
        row = facts.add_row().cells
        _put(row[0], label, bold=True, size=10)
        _put(row[1], value, size=10)
    _widths(facts, [3.0, 23.7])
    doc.add_heading("发现的问题", level=2)
    rows = _finding_rows(report)
    if rows:
        doc.add_paragraph("表中标有〔序号〕的数即对应问题所在的格；✖ 为错误，⚠ 为警告，ℹ 为提示。")
        listing = doc.add_table(rows=1, cols=len(FINDING_HEAD))
        listing.style = "Table Grid"
        for cell, text in zip(listing.rows[0].cells, FINDING_HEAD, strict=True):
            _put(cell, text, bold=True, size=9)
        for values in rows:
            for cell, text in zip(listing.add_row().cells, values, strict=True):
                _put(cell, text, size=9)
        _widths(listing, [1.1, 1.6, 4.0, 4.5, 1.8, 1.8, 11.9])
    else:
        doc.add_paragraph("没有任何发现：表格完整，所有勾稽关系成立。")
    doc.add_heading("报告表格（按官方格式）", level=2)
    for grid in grids(report):
        _docx_grid(doc, grid)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---- Excel ----------------------------------------------------------------------------------------


def to_xlsx(report: ReportPublic, checked_at: datetime | None = None) -> bytes:
    out = io.BytesIO()
    # text is never read as a formula: a body named "=…" stays text
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    head = book.add_format(
        {"bold": True, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"}
    )
    plain = book.add_format({"border": 1})
    marked = {
        severity: book.add_format({"border": 2, "bg_color": "#" + fill, "bold": severity == "error"})
        for severity, fill in _FILL.items()
    }
    sheet = book.add_worksheet("核对意见")
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 10)
    sheet.set_column(2, 3, 28)
    sheet.set_column(4, 5, 10)
    sheet.set_column(6, 6, 80)
    row = 0
    for label, value in _facts(report, checked_at):
        sheet.write_string(row, 0, label, bold)
        sheet.write_string(row, 1, value)
        row += 1
    row += 1
    for col, text in enumerate(FINDING_HEAD):
        sheet.write_string(row, col, text, head)
    for values in _finding_rows(report):
        row += 1
        for col, text in enumerate(values):
            sheet.write_string(row, col, text, wrap)
    if not report.validation.findings:
        sheet.write_string(row + 1, 0, "没有任何发现：表格完整，所有勾稽关系成立。")
    messages = {n: f.message for n, f in enumerate(report.validation.findings, start=1)}
    names = iter(["表二", *(f"表二-{i}" for i in range(2, 10))])
    for grid in grids(report):
        title = (
            next(names)
            if grid.title.startswith("二")
            else ("表三" if grid.title.startswith("三") else "表四")
        )
        tab = book.add_worksheet(title)
        tab.write_string(0, 0, grid.title, bold)
        tab.set_column(0, 0, 40 if grid.width < 15 else 10)
        tab.set_column(1, grid.width, 12)
        for c in grid.cells:
            r = c.row + 2
            style = head if c.head else marked[c.severity or "info"] if c.marks else plain
            if c.rowspan > 1 or c.colspan > 1:
                tab.merge_range(r, c.col, r + c.rowspan - 1, c.col + c.colspan - 1, c.text, style)
            elif c.value is not None:
                tab.write_number(r, c.col, c.value, style)
            else:
                tab.write_string(r, c.col, c.text, style)
            if c.marks:
                note = "\n".join(f"〔{n}〕{messages[n]}" for n in c.marks)
                tab.write_comment(r, c.col, note, {"x_scale": 3, "y_scale": 2})
    book.close()
    return out.getvalue()


# ---- PDF ------------------------------------------------------------------------------------------


def to_pdf(report: ReportPublic, checked_at: datetime | None = None) -> bytes:
    """The Word file as LibreOffice prints it; 501 when the server has no LibreOffice."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ProblemError(
            501, "pdf_unavailable", "本服务器未安装 LibreOffice，无法生成 PDF；请下载 Word 或 Excel 版本"
        )
    with tempfile.TemporaryDirectory(prefix="nianbao-export-") as tmp:
        source = Path(tmp) / "report.docx"
        source.write_bytes(to_docx(report, checked_at))
        try:
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{tmp}/profile",  # its own profile: runs side by side
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    tmp,
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=_PDF_TIMEOUT,
            )
            return (Path(tmp) / "report.pdf").read_bytes()
        except (subprocess.SubprocessError, OSError):
            raise ProblemError(503, "pdf_failed", "PDF 生成失败，请稍后重试，或下载 Word 版本") from None


def export(*, report: ReportPublic, fmt: str, checked_at: datetime | None = None) -> Export:
    """The 核对意见 of a report in one format: docx, xlsx or pdf."""
    if fmt not in FORMATS:
        raise ProblemError(422, "invalid_format", "format 应为 docx、xlsx 或 pdf")
    make = {"docx": to_docx, "xlsx": to_xlsx, "pdf": to_pdf}[fmt]
    return Export(make(report, checked_at), FORMATS[fmt], _name(report, fmt))

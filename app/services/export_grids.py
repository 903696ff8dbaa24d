"""A report's tables in the official layout as plain grids, each finding's cells marked, for the
核对意见 files (pure: the Word and Excel writers in `app.services.export` draw the same grids)."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.layout import APPLICANT_PARTS, T2_SECTIONS, T4_COLUMNS, Layout, Table, layout
from app.models.api import FigurePublic, ReportPublic
from app.services.present import SEVERITY_RANK, primary_cells

SEVERITY_WORDS = {"error": "✖ 错误", "warning": "⚠ 警告", "info": "ℹ 提示"}


@dataclass
class GridCell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    head: bool = False
    value: int | float | None = None  # a figure as a number, for a spreadsheet
    marks: list[int] = field(default_factory=list)  # the numbers of the findings about this cell
    severity: str | None = None  # the worst of them


@dataclass
class Grid:
    title: str
    width: int
    cells: list[GridCell] = field(default_factory=list)

    @property
    def height(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)


def marks_of(report: ReportPublic) -> dict[str, list[tuple[int, str]]]:
    """Cell code → (finding number, severity) of every finding about that cell, numbered from 1
    in the order the findings are listed."""
    found: dict[str, list[tuple[int, str]]] = {}
    for number, finding in enumerate(report.validation.findings, start=1):
        for code in primary_cells(finding):
            found.setdefault(code, []).append((number, finding.severity))
    return found


def _shown(figure: FigurePublic | None) -> tuple[str, int | float | None]:
    """What the cell prints: a blank stays blank (with its raw text), never 0."""
    if figure is None:
        return "（缺）", None
    if figure.value is None:
        raw = (figure.raw or "").strip()
        return (raw or "（空）") if figure.status == "blank" else (raw[:12] or "（无法识别）"), None
    value = figure.value
    number = float(value) if isinstance(value, str) else value
    return str(value), number


class _Builder:
    def __init__(self, report: ReportPublic):
        self.figures = {f"{f.table}.{f.row}.{f.column}": f for f in report.figures}
        self.marks = marks_of(report)

    def figure(self, grid: Grid, row: int, col: int, code: str) -> None:
        text, value = _shown(self.figures.get(code))
        marks = self.marks.get(code, [])
        severity = min((s for _, s in marks), key=SEVERITY_RANK.__getitem__, default=None)
        grid.cells.append(
            GridCell(row, col, text, value=value, marks=[n for n, _ in marks], severity=severity)
        )


def _head(grid: Grid, row: int, col: int, text: str, rowspan: int = 1, colspan: int = 1) -> None:
    grid.cells.append(GridCell(row, col, text, rowspan, colspan, head=True))


def _table2(table: Table, build: _Builder) -> list[Grid]:
    grids: list[Grid] = []
    for row in table.rows:
        if row.code in T2_SECTIONS or not grids:
            grid = Grid(f"{table.title}　{T2_SECTIONS.get(row.code, '')}".strip(), 1 + len(row.columns))
            _head(grid, 0, 0, "信息内容")
            for i, (_, label, _) in enumerate(row.columns):
                _head(grid, 0, 1 + i, label)
            grids.append(grid)
        grid = grids[-1]
        at = grid.height
        _head(grid, at, 0, row.label)
        for i, code in enumerate(row.column_codes):
            build.figure(grid, at, 1 + i, f"{table.code}.{row.code}.{code}")
    return grids


def _table3(table: Table, build: _Builder) -> Grid:
    parts = APPLICANT_PARTS[1:]
    grid = Grid(table.title, 8)
    _head(grid, 0, 0, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3)
    _head(grid, 0, 1, "申请人情况", colspan=7)
    _head(grid, 1, 1, "自然人", rowspan=2)
    _head(grid, 1, 2, "法人或其他组织", colspan=len(parts))
    _head(grid, 1, 7, "总计", rowspan=2)
    for i, (_, label, _) in enumerate(parts):
        _head(grid, 2, 2 + i, label)
    for r, row in enumerate(table.rows, start=3):
        _head(grid, r, 0, row.label)
        for i, code in enumerate(row.column_codes):
            build.figure(grid, r, 1 + i, f"{table.code}.{row.code}.{code}")
    return grid


def _table4(table: Table, build: _Builder) -> Grid:
    n = len(T4_COLUMNS)
    grid = Grid(table.title, 3 * n)
    _head(grid, 0, 0, table.rows[0].label, colspan=n)
    _head(grid, 0, n, "行政诉讼", colspan=2 * n)
    for i, (_, label, _) in enumerate(T4_COLUMNS):
        _head(grid, 1, i, label, rowspan=2)
    for k, row in enumerate(table.rows[1:], start=1):
        _head(grid, 1, k * n, row.label.removeprefix("行政诉讼").strip("（）"), colspan=n)
        for i, (_, label, _) in enumerate(T4_COLUMNS):
            _head(grid, 2, k * n + i, label)
    for k, row in enumerate(table.rows):
        for i, code in enumerate(row.column_codes):
            build.figure(grid, 3, k * n + i, f"{table.code}.{row.code}.{code}")
    return grid


def grids(report: ReportPublic) -> list[Grid]:
    """Tables 二, 三 and 四 as the template prints them."""
    lay: Layout = layout(report.format, report.single_other_row)
    build = _Builder(report)
    return [
        *_table2(lay.table("table2"), build),
        _table3(lay.table("table3"), build),
        _table4(lay.table("table4"), build),
    ]

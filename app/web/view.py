"""A report laid out like the official tables, ready for the templates (pure: no database, no HTTP).

The grids follow the printed template: table 二 as its sub-tables per 第二十条 item, table 三 with
its three levels of row headings and the 申请人情况 header, table 四 as one row of 15 figures. Every
data cell carries its canonical code, so a finding's `cells` can be found on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.layout import APPLICANT_PARTS, T2_SECTIONS, T4_COLUMNS, Layout, Row, Table, layout
from app.models.api import FigurePublic, ReportPublic, ReviewPublic
from app.rules.catalogue import RULES_BY_ID
from app.rules.naming import short_label
from app.services.present import SEVERITY_RANK, cell_label, primary_cells, where_label

SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_ICONS = {"error": "✖", "warning": "⚠", "info": "ℹ"}  # told apart by shape, not colour alone
STATUS_NAMES = {
    "read": "已读出",
    "blank": "空白",
    "missing": "缺失",
    "unreadable": "无法识别",
    "inferred": "由勾稽关系推出",
    "placed": "按行的次序对应",
    "ambiguous": "有多种读法",
}

# Table 三's result rows are grouped under these headings in the template.
_T3_GROUPS = {
    "result.withheld.": "（三）不予公开",
    "result.unable.": "（四）无法提供",
    "result.not_processed.": "（五）不予处理",
    "result.other.": "（六）其他处理",
}


@dataclass
class Head:
    text: str
    rowspan: int = 1
    colspan: int = 1
    cls: str = ""


@dataclass
class Cell:
    code: str  # "table3.result.total.natural_person"
    text: str
    status: str
    title: str  # provenance and status, shown on hover
    severity: str | None = None  # the worst finding that names this cell as the reported one
    colspan: int = 1
    changed: bool = False
    value: str = ""  # the figure as it is typed in the correction form; "" for a blank


@dataclass
class GridRow:
    items: list[Head | Cell]


@dataclass
class Grid:
    caption: str | None
    head: list[list[Head]]
    rows: list[GridRow]
    cls: str = ""


@dataclass
class FindingView:
    index: int
    rule: str
    rule_title: str
    severity: str
    severity_name: str
    where: str
    reported: str | None
    expected: str | None
    message: str
    hint: str | None
    cells: list[str]
    primary: list[str]
    same_hint: bool = False  # the hint repeats the one before: said once, not six times
    id: int | None = None  # the stored finding's, to review it
    review: ReviewPublic | None = None


@dataclass
class ReportView:
    report: ReportPublic
    layout: Layout
    table2: list[Grid]
    table3: Grid
    table4: Grid
    findings: list[FindingView]
    counts: dict[str, int] = field(default_factory=dict)


def split_code(code: str) -> tuple[str, str, str] | None:
    """ "table3.result.total.natural_person" → (table, row, column); row codes contain dots."""
    table, _, rest = code.partition(".")
    row, _, column = rest.rpartition(".")
    return (table, row, column) if table and row and column else None


def _display(figure: FigurePublic | None) -> tuple[str, str]:
    """What a cell shows and its status: a blank or unreadable cell never looks like 0."""
    if figure is None:
        return "缺", "missing"
    status = figure.status
    if status == "ambiguous" and figure.candidates:
        return " / ".join(str(v) for v in figure.candidates), status
    if figure.value is not None:
        return str(figure.value), status
    if status == "blank":
        return (figure.raw or "").strip() or "空", status
    if status == "unreadable":
        return (figure.raw or "").strip()[:12] or "？", status
    return {"missing": "缺"}.get(status, "？"), status


def _title(lay: Layout, key: tuple[str, str, str], figure: FigurePublic | None, status: str) -> str:
    lines = [cell_label(lay, *key), f"状态：{STATUS_NAMES.get(status, status)}"]
    if figure is not None:
        where = []
        if figure.page is not None:
            where.append(f"第 {figure.page} 页")
        if figure.line is not None:
            where.append(f"第 {figure.line} 行")
        if where:
            lines.append("出处：" + "".join(where))
        if figure.raw is not None:
            lines.append(f"原文：{figure.raw}")
        if figure.note:
            lines.append(f"注：{figure.note}")
    return "\n".join(lines)


class _Cells:
    """Builds the data cells of one report, outlined by the findings that are about them."""

    def __init__(self, report: ReportPublic, lay: Layout, changed: set[str]):
        self.lay = lay
        self.figures = {f"{f.table}.{f.row}.{f.column}": f for f in report.figures}
        self.severity: dict[str, str] = {}
        for finding in report.validation.findings:
            if finding.severity == "info":
                continue
            for code in primary_cells(finding):
                old = self.severity.get(code)
                if old is None or SEVERITY_RANK[finding.severity] < SEVERITY_RANK[old]:
                    self.severity[code] = finding.severity
        self.changed = changed

    def cell(self, table: str, row: str, column: str, colspan: int = 1) -> Cell:
        code = f"{table}.{row}.{column}"
        figure = self.figures.get(code)
        text, status = _display(figure)
        title = _title(self.lay, (table, row, column), figure, status)
        severity = self.severity.get(code)
        if severity:
            title += f"\n问题：{SEVERITY_ICONS[severity]} {SEVERITY_NAMES[severity]}（见核对结果）"
        return Cell(
            code=code,
            text=text,
            status=status,
            title=title,
            severity=self.severity.get(code),
            colspan=colspan,
            changed=code in self.changed,
            value="" if figure is None or figure.value is None else str(figure.value),
        )


def _table2(table: Table, cells: _Cells) -> list[Grid]:
    grids: list[Grid] = []
    for row in table.rows:
        if row.code in T2_SECTIONS or not grids:
            head = [Head("信息内容", cls="label"), *(Head(label) for _, label, _ in row.columns)]
            grids.append(Grid(T2_SECTIONS.get(row.code), [head], [], cls="t2"))
        grids[-1].rows.append(
            GridRow(
                [
                    Head(row.label, cls="label"),
                    *(cells.cell(table.code, row.code, c) for c in row.column_codes),
                ]
            )
        )
    return grids


def _t3_labels(rows: tuple[Row, ...]) -> list[list[Head]]:
    """The row headings of table 三 in three levels, with the spans the template prints."""
    result_rows = [r for r in rows if r.code.startswith("result.")]
    heads: list[list[Head]] = []
    seen_groups: set[str] = set()
    for row in rows:
        if not row.code.startswith("result."):
            heads.append([Head(row.label, colspan=3, cls="label")])
            continue
        first = (
            [Head("三、本年度办理结果", rowspan=len(result_rows), cls="label")]
            if row is result_rows[0]
            else []
        )
        prefix = next((p for p in _T3_GROUPS if row.code.startswith(p)), None)
        if prefix is None:
            heads.append([*first, Head(short_label(row.label), colspan=2, cls="label")])
            continue
        group = [Head(_T3_GROUPS[prefix], rowspan=sum(r.code.startswith(prefix) for r in rows), cls="label")]
        item = row.label.split(" ", 1)[1] if row.label.startswith(_T3_GROUPS[prefix]) else row.label
        heads.append([*first, *(group if prefix not in seen_groups else []), Head(item, cls="label item")])
        seen_groups.add(prefix)
    return heads


def _table3(table: Table, cells: _Cells) -> Grid:
    corner = Head(
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        rowspan=3,
        colspan=3,
        cls="corner",
    )
    parts = APPLICANT_PARTS[1:]
    head = [
        [corner, Head("申请人情况", colspan=7)],
        [Head("自然人", rowspan=2), Head("法人或其他组织", colspan=len(parts)), Head("总计", rowspan=2)],
        [Head(label) for _, label, _ in parts],
    ]
    rows = [
        GridRow([*labels, *(cells.cell(table.code, row.code, c) for c in row.column_codes)])
        for labels, row in zip(_t3_labels(table.rows), table.rows, strict=True)
    ]
    return Grid(None, head, rows, cls="t3")


def _table4(table: Table, cells: _Cells) -> Grid:
    labels = [Head(label) for _, label, _ in T4_COLUMNS]
    n = len(T4_COLUMNS)
    head = [
        [Head(table.rows[0].label, colspan=n), Head("行政诉讼", colspan=2 * n)],
        [Head(label, rowspan=2) for _, label, _ in T4_COLUMNS]
        + [Head(r.label.removeprefix("行政诉讼").strip("（）"), colspan=n) for r in table.rows[1:]],
        labels + labels,
    ]
    row = GridRow([cells.cell(table.code, r.code, c) for r in table.rows for c in r.column_codes])
    return Grid(None, head, [row], cls="t4")


def findings_view(report: ReportPublic, lay: Layout) -> list[FindingView]:
    found: list[FindingView] = []
    for index, finding in enumerate(report.validation.findings):
        rule = RULES_BY_ID.get(finding.rule)
        found.append(
            FindingView(
                index=index,
                rule=finding.rule,
                rule_title=rule.title if rule else finding.rule,
                severity=finding.severity,
                severity_name=SEVERITY_NAMES.get(finding.severity, finding.severity),
                where=where_label(lay, finding),
                reported=finding.reported,
                expected=finding.expected,
                message=finding.message,
                hint=finding.hint,
                cells=finding.cells,
                primary=primary_cells(finding),
                same_hint=bool(found and finding.hint and found[-1].hint == finding.hint),
                id=finding.id,
                review=finding.review,
            )
        )
    return found


def report_view(report: ReportPublic, changed: set[str] | None = None) -> ReportView:
    """The whole report as grids and a list of findings; `changed` marks cells that differ."""
    lay = layout(report.format, report.single_other_row)
    cells = _Cells(report, lay, changed or set())
    return ReportView(
        report=report,
        layout=lay,
        table2=_table2(lay.table("table2"), cells),
        table3=_table3(lay.table("table3"), cells),
        table4=_table4(lay.table("table4"), cells),
        findings=findings_view(report, lay),
        counts=report.validation.counts.model_dump(),
    )


@dataclass
class Change:
    code: str
    where: str
    before: str
    after: str


def changes(old: ReportPublic, new: ReportPublic) -> list[Change]:
    """Every cell whose value or status differs between two versions, in the layout's order."""
    old_figures = {f"{f.table}.{f.row}.{f.column}": f for f in old.figures}
    new_figures = {f"{f.table}.{f.row}.{f.column}": f for f in new.figures}
    new_layout = layout(new.format, new.single_other_row)
    order = [f"{t}.{r}.{c}" for t, r, c in new_layout.cells]
    extra = [code for code in old_figures if code not in order]
    found = []
    for code in order + extra:
        before, after = old_figures.get(code), new_figures.get(code)
        text_before, status_before = _display(before)
        text_after, status_after = _display(after)
        if (text_before, status_before) == (text_after, status_after):
            continue
        key = split_code(code)
        where = cell_label(new_layout, *key) if key else code
        found.append(Change(code, where, text_before, text_after))
    return found

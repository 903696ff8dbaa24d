"""The overview page: a region and a range of years, its child regions' sums, charts and coverage.

The sums come from the aggregate service (SQL over the figure rows); this module only picks the
figures, groups the result rows into the kinds a supervisor reads, and says what it could not do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from markupsafe import Markup
from sqlmodel import Session

from app.errors import ProblemError
from app.layout import Format, layout, result_item_rows
from app.models.aggregates import AggregateResult, AggregateRow, CoverageResult
from app.models.api import ReportSummary
from app.rules.catalogue import RULES_BY_ID
from app.services import aggregates, coverage, regions, reports
from app.services.gazetteer import gazetteer
from app.services.scope import RegionScope
from app.web.charts import PALETTE, Series, bar_chart
from app.web.overview_list import LIST_LIMIT, ORDERS, SEVERITIES, ListFilters, ListQuery

_RESULT_ROWS = tuple(
    dict.fromkeys(
        (
            *result_item_rows(layout(Format.F2021).table("table3")),
            *result_item_rows(layout(Format.F2019).table("table3")),
        )
    )
)
# The results of table 三 as a supervisor reads them: each kind sums its item rows' totals.
KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("予以公开", ("result.disclosed",)),
    ("部分公开", ("result.partially_disclosed",)),
    ("不予公开", tuple(r for r in _RESULT_ROWS if r.startswith("result.withheld."))),
    ("无法提供", tuple(r for r in _RESULT_ROWS if r.startswith("result.unable."))),
    ("不予处理", tuple(r for r in _RESULT_ROWS if r.startswith("result.not_processed."))),
    ("其他处理", tuple(r for r in _RESULT_ROWS if r.startswith("result.other"))),
)
RECEIVED = "table3.new_received.total"
RESULT_TOTAL = "table3.result.total.total"
RECONSIDERATION = "table4.reconsideration.total"
LITIGATION = ("table4.litigation_direct.total", "table4.litigation_after_reconsideration.total")
HEADLINE = (RECEIVED, RESULT_TOTAL, RECONSIDERATION, *LITIGATION)
# Table 二 (2021 codes): what a body decided and collected.
TABLE2 = (
    ("规范性文件制发", "table2.normative_documents.issued"),
    ("行政许可", "table2.licensing.decisions"),
    ("行政处罚", "table2.penalty.decisions"),
    ("行政强制", "table2.coercion.decisions"),
    ("收费（万元）", "table2.fees.amount_10k_yuan"),
)
FIGURES = (
    *HEADLINE,
    *(f"table3.{row}.total" for _, rows in KINDS for row in rows),
    *(code for _, code in TABLE2),
)
MAX_COVERAGE_YEARS = 6
_CODE = re.compile(r"^(\d{2,12}|XPCC(\d{2}(R\d{3})?)?)$")


@dataclass
class Line:
    """One row of the overview table: a child region (or the whole region) and its sums."""

    name: str
    code: str
    reports: int
    with_errors: int
    received: int | None
    kinds: list[int | None]
    result_total: int | None
    reconsideration: int | None
    litigation: int | None
    table2: list[int | Decimal | None]
    blanks: int  # reports that left one of the headline figures blank
    invalid: int = 0  # impossible values left out of the sums shown (VALUE), over all figures
    flagged: int = 0  # reports with an error finding on a headline figure (at most, per figure)
    href: str = ""  # the same overview one level down


@dataclass
class OverviewState:
    query: str = ""
    tree: str = "auto"
    start: int | None = None
    end: int | None = None
    region_code: str | None = None
    region_name: str | None = None
    used_tree: str | None = None
    lines: list[Line] = field(default_factory=list)
    total: Line | None = None
    charts: list[tuple[str, Markup]] = field(default_factory=list)
    coverage: list[CoverageResult] = field(default_factory=list)
    downloads: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    kinds: tuple[str, ...] = tuple(name for name, _ in KINDS)
    table2_names: tuple[str, ...] = tuple(name for name, _ in TABLE2)
    years: list[Line] = field(default_factory=list)  # the whole region, year by year
    findings_download: str = ""
    own_level: int = 0  # reports placed at the region itself (or unplaced below it): in the total only
    suggestions: list[str] = field(default_factory=list)
    filters: ListFilters = field(default_factory=ListFilters)
    listed: list[ReportSummary] = field(default_factory=list)  # the report list, filtered and sorted
    listed_total: int = 0
    listed_shown: bool = False
    rules: tuple[str, ...] = tuple(sorted(RULES_BY_ID))
    severities: dict[str, str] = field(default_factory=lambda: dict(SEVERITIES))
    orders: dict[str, str] = field(default_factory=lambda: dict(ORDERS))


def _year(text: str, what: str, notes: list[str]) -> int | None:
    text = text.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) == 4 and 2000 <= int(text) <= 2100:
        return int(text)
    notes.append(f"{what}“{text}”无法识别，已忽略")
    return None


def _sum(values: list[int | str | None]) -> int | None:
    present = [int(v) for v in values if v is not None]
    return sum(present) if present else None


def _one(value: int | str | None) -> int | Decimal | None:
    """A sum as the service gave it: counts as integers, money (a decimal string) exact."""
    return Decimal(value) if isinstance(value, str) else value


def _line(row: AggregateRow, name: str, code: str) -> Line:
    value = row.values.get
    return Line(
        name=name,
        code=code,
        reports=row.reports,
        with_errors=row.reports_with_errors,
        received=_sum([value(RECEIVED)]),
        kinds=[_sum([value(f"table3.{r}.total") for r in rows]) for _, rows in KINDS],
        result_total=_sum([value(RESULT_TOTAL)]),
        reconsideration=_sum([value(RECONSIDERATION)]),
        litigation=_sum([value(code) for code in LITIGATION]),
        table2=[_one(value(code)) for _, code in TABLE2],
        blanks=max((row.blanks.get(code, 0) for code in HEADLINE), default=0),
        invalid=sum(row.invalid.values()) if row.invalid else 0,
        flagged=max((row.flagged.get(code, 0) for code in HEADLINE), default=0) if row.flagged else 0,
    )


def _place(query: str, tree: str, notes: list[str]) -> tuple[str | None, str]:
    """(region code, the tree to aggregate on) from a code or a name; `auto` picks the XPCC tree
    for a region on it (a 师市, a 团场)."""
    if _CODE.match(query):
        found = gazetteer().get(query)
        code, on_xpcc = query, bool(found and found.in_tree("xpcc"))
    else:
        resolved = regions.resolve(name=query)
        if resolved.code is None:
            others = "、".join(c.name for c in resolved.candidates[:5])
            notes.append(
                f"无法确定地区“{query}”"
                + (f"：可能是 {others}" if others else "：请换一个名称或填写区划代码")
            )
            return None, "geo" if tree == "auto" else tree
        code, on_xpcc = resolved.code, bool(resolved.xpcc_path)
    return code, tree if tree in ("geo", "xpcc") else ("xpcc" if on_xpcc else "geo")


def _charts(state: OverviewState) -> list[tuple[str, Markup]]:
    labels = [line.name for line in state.lines]
    received = bar_chart(
        title="本年新收政府信息公开申请",
        labels=labels,
        series=[Series("新收申请", [line.received for line in state.lines], PALETTE[0])],
    )
    results = bar_chart(
        title="办理结果（按类别）",
        labels=labels,
        series=[
            Series(kind, [line.kinds[i] for line in state.lines], PALETTE[i % len(PALETTE)])
            for i, kind in enumerate(state.kinds)
        ],
        stacked=True,
    )
    review = bar_chart(
        title="行政复议与行政诉讼",
        labels=labels,
        series=[
            Series("行政复议", [line.reconsideration for line in state.lines], PALETTE[4]),
            Series("行政诉讼", [line.litigation for line in state.lines], PALETTE[3]),
        ],
    )
    decisions = bar_chart(
        title="行政许可、处罚、强制决定",
        labels=labels,
        series=[
            Series(name, [line.table2[i] for line in state.lines], PALETTE[i + 1])  # type: ignore[misc]
            for i, name in enumerate(state.table2_names[1:4], start=1)
        ],
    )
    errors = bar_chart(
        title="有勾稽错误的报告",
        labels=labels,
        series=[
            Series("有错误", [line.with_errors for line in state.lines], PALETTE[3]),
            Series("无错误", [line.reports - line.with_errors for line in state.lines], PALETTE[1]),
        ],
        stacked=True,
    )
    return [
        ("新收申请", received),
        ("办理结果（按类别）", results),
        ("行政复议与行政诉讼", review),
        ("行政许可、处罚、强制决定", decisions),
        ("有勾稽错误的报告", errors),
    ]


def _trend(years: list[Line]) -> Markup:
    return bar_chart(
        title="历年新收申请与办理结果",
        labels=[line.name for line in years],
        series=[
            Series("新收申请", [line.received for line in years], PALETTE[0]),
            Series("办理结果总计", [line.result_total for line in years], PALETTE[1]),
        ],
    )


def _suggestions() -> list[str]:
    """Names offered in the region box: the XPCC divisions and the provinces."""
    divisions = regions.list_regions(tree="xpcc", parent="XPCC", level=None, q=None, limit=50).items
    provinces = regions.list_regions(tree="geo", parent=None, level=None, q=None, limit=50).items
    return [r.name for r in divisions] + [r.name for r in provinces]


def _coverage_years(state: OverviewState, by_year: AggregateResult) -> list[int]:
    """The years asked for, or else the years that have reports; the last few at most."""
    first, last = state.start or state.end, state.end or state.start
    if first is not None and last is not None:
        years = list(range(first, last + 1))
    else:
        years = [row.year for row in by_year.rows if row.year is not None]
    return years[-MAX_COVERAGE_YEARS:]


def _list(session: Session, state: OverviewState, within: RegionScope) -> None:
    """The reports under the region (or, 未定, under none) in the years, filtered and sorted; 逾期
    are the late ones of the coverage shown."""
    picked = state.filters
    region = None if picked.unplaced else state.region_code
    where, _ = aggregates.report_filters(
        _selection(state, within, state.used_tree or "geo", region, scope="all")
    )
    late = {b.report_id for c in state.coverage for b in c.late if b.report_id} if picked.late else None
    state.listed_total, state.listed = reports.filtered(
        session=session,
        where=where,
        rule=picked.rule or None,
        severity=picked.severity or None,
        state=picked.state or None,
        ids=late,
        unplaced=picked.unplaced,
        order=picked.order,
        limit=LIST_LIMIT,
    )
    state.listed_shown = True


@dataclass
class OverviewQuery(ListQuery):
    """What the page was asked, every value as typed: `build` reads each leniently (a value that
    cannot be used is said on the page)."""

    region: str = ""
    tree: str = "auto"
    start: str = ""
    end: str = ""


def build(*, session: Session, query: OverviewQuery, within: RegionScope) -> OverviewState:
    state = OverviewState(
        query=query.region.strip()[:100], tree=query.tree if query.tree in ("geo", "xpcc") else "auto"
    )
    state.suggestions = _suggestions()
    state.start = _year(query.start, "起始年度", state.notes)
    state.end = _year(query.end, "截止年度", state.notes)
    if state.start and state.end and state.start > state.end:
        state.start, state.end = state.end, state.start
    state.filters = ListFilters.parse(query, state.notes)
    if state.filters.unplaced and state.filters.late:
        state.notes.append("未定地区的报告不计算逾期，“逾期”已忽略")
        state.filters.late = False
    code, used_tree = _place(state.query, state.tree, state.notes) if state.query else (None, "")
    if code is None:
        if state.filters.unplaced:
            _list(session, state, within)
        return state
    found = gazetteer().get(code)
    state.region_code, state.used_tree = code, used_tree
    state.region_name = found.name_in(used_tree) if found else code
    figures = aggregates.parse_figures(",".join(FIGURES))

    selection = _selection(state, within, used_tree, code, scope="body")

    def sums(group_by: list[str]) -> AggregateResult:
        return aggregates.aggregate(session=session, figures=figures, group_by=group_by, selection=selection)

    try:
        by_child, whole, by_year = sums(["region"]), sums([]), sums(["year"])
    except ProblemError as exc:
        state.notes.append(exc.detail)
        return state
    state.lines = [
        _line(row, row.region.name, row.region.code) for row in by_child.rows if row.region is not None
    ]
    for line in state.lines:
        line.href = "/overview?" + urlencode(
            {"region": line.code, "tree": used_tree, **_years(state, "start", "end")}
        )
    if whole.rows:
        state.total = _line(whole.rows[0], "合计", code)
        state.own_level = state.total.reports - sum(line.reports for line in state.lines)
    state.years = [_line(row, f"{row.year} 年度", code) for row in by_year.rows if row.year is not None]
    state.charts = _charts(state)
    if len(state.years) > 1:
        state.charts.append(("历年新收申请与办理结果", _trend(state.years)))
    state.coverage = [
        coverage.coverage(session=session, year=year, region=code, tree=used_tree, within=within)
        for year in _coverage_years(state, by_year)
    ]
    _list(session, state, within)
    params = {
        "figures": ",".join(FIGURES),
        "group_by": "region",
        "tree": used_tree,
        "region": code,
        **_years(state, "year_from", "year_to"),
    }
    scope = {"region": code, "tree": used_tree, "format": "xlsx", **_years(state, "year_from", "year_to")}
    state.findings_download = "/api/v1/findings?" + urlencode(scope)
    state.downloads = {
        fmt: "/api/v1/aggregates?" + urlencode({**params, "format": fmt}) for fmt in ("xlsx", "csv")
    }
    return state


def _selection(
    state: OverviewState, within: RegionScope, tree: str, region: str | None, *, scope: str
) -> aggregates.Selection:
    """The reports under the region (none: every one) in the years asked for."""
    return aggregates.Selection(within, tree, region, year_from=state.start, year_to=state.end, scope=scope)


def _years(state: OverviewState, first: str, last: str) -> dict[str, str | int]:
    """The years asked for, under the names the link's target reads them by (none when open)."""
    return {name: year for name, year in ((first, state.start), (last, state.end)) if year}

"""HTTP for sums by region and year, who published, and every finding: JSON, and each as CSV or XLSX."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from app.db import SessionDep, SessionRoute
from app.models.aggregates import AggregateResult, AggregateScope, CoverageResult, GroupBy
from app.models.api import Problem
from app.models.findings import FindingsResult
from app.models.regions import RegionLevel, Tree
from app.routes import downloads
from app.routes.access import CallerDep
from app.routes.params import Year
from app.services import aggregates, coverage, findings, tabular
from app.services.aggregates import Selection

router = APIRouter(prefix="/api/v1", tags=["aggregates"], route_class=SessionRoute)

RegionCode = Annotated[
    str | None, Query(pattern=r"^(\d{2,12}|XPCC(\d{2}(R\d{3})?)?)$", description="只统计该地区以下")
]
_PROBLEMS: dict[int | str, dict] = {422: {"model": Problem}}
_SUMS = "Sums of figures by region and/or year (latest versions; 汇总 reports apart)"
_COVERAGE = "Which bodies under a region published for a year, which did not, which were late"
_FINDINGS = "Every finding of the latest reports under a region and years, one row each (for a 通报)"


def _aggregate(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    figures: Annotated[
        str,
        Query(
            max_length=10_000,
            description="逗号分隔的数字代码，如 table3.new_received.total；单写 table3 即整张表",
        ),
    ],
    group_by: GroupBy = GroupBy.REGION,
    tree: Tree = Tree.GEO,
    region_level: RegionLevel | None = None,
    region: RegionCode = None,
    year: Year = None,
    year_from: Year = None,
    year_to: Year = None,
    scope: AggregateScope = AggregateScope.BODY,
    total: Annotated[bool, Query(description="同时给出整个范围的合计（下载总带合计行）")] = False,
) -> AggregateResult:
    # a file always carries its 合计 row, as the page does
    as_file = request.url.path.endswith((".csv", ".xlsx")) or request.query_params.get("format") in (
        "csv",
        "xlsx",
    )
    return aggregates.aggregate(
        session=session,
        figures=aggregates.parse_figures(figures),
        group_by=[g for g in group_by.split(",") if g],
        selection=Selection(caller.region_scope, tree, region, year, year_from, year_to, scope),
        region_level=region_level,
        with_total=total or as_file,
    )


def _coverage(
    session: SessionDep,
    caller: CallerDep,
    year: Annotated[int, Query(ge=1900, le=9000)],
    region: RegionCode = None,
    tree: Tree = Tree.GEO,
) -> CoverageResult:
    return coverage.coverage(session=session, year=year, region=region, tree=tree, within=caller.region_scope)


def _findings(
    session: SessionDep,
    caller: CallerDep,
    year: Year = None,
    region: RegionCode = None,
    tree: Tree = Tree.GEO,
    year_from: Year = None,
    year_to: Year = None,
    rule: Annotated[
        str | None, Query(max_length=32, pattern=r"^[A-Z0-9-]+$", description="规则代码，如 VALUE")
    ] = None,
    severity: Literal["error", "warning", "info"] | None = None,
) -> FindingsResult:
    selection = Selection(caller.region_scope, tree, region, year, year_from, year_to, scope="all")
    return findings.in_scope(session=session, selection=selection, rule=rule, severity=severity)


def _sums_sheet(result: AggregateResult) -> tabular.Sheet:
    return tabular.aggregate_sheet(result, result.total)


downloads.add_list_routes(
    router,
    "/aggregates",
    source=_aggregate,
    response_model=AggregateResult,
    response_model_exclude_unset=True,
    sheet=_sums_sheet,
    name=lambda _: "aggregates",
    operation_id="getAggregates",
    summary=_SUMS,
    label="汇总表",
    problems=_PROBLEMS,
)
downloads.add_list_routes(
    router,
    "/coverage",
    source=_coverage,
    response_model=CoverageResult,
    sheet=tabular.coverage_sheet,
    name=lambda result: f"coverage-{result.year}",
    operation_id="getCoverage",
    summary=_COVERAGE,
    label="公开情况名单",
    problems=_PROBLEMS,
)
downloads.add_list_routes(
    router,
    "/findings",
    source=_findings,
    response_model=FindingsResult,
    sheet=tabular.findings_sheet,
    name=lambda _: "findings",
    operation_id="listFindings",
    summary=_FINDINGS,
    label="问题清单",
    problems=_PROBLEMS,
)

"""HTTP for sums by region and year, and for who published."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from app.db import SessionDep, SessionRoute
from app.models.aggregates import AggregateResult, CoverageResult
from app.models.api import Problem
from app.models.findings import FindingsResult
from app.routes.access import CallerDep
from app.routes.params import Year
from app.routes.regions import Level, Tree
from app.services import aggregates, coverage, findings, tabular

router = APIRouter(prefix="/api/v1", tags=["aggregates"], route_class=SessionRoute)

RegionCode = Annotated[
    str | None, Query(pattern=r"^(\d{2,12}|XPCC(\d{2}(R\d{3})?)?)$", description="只统计该地区以下")
]
_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get(
    "/aggregates",
    response_model=AggregateResult,
    response_model_exclude_unset=True,
    responses={
        200: {"content": {_MEDIA["csv"]: {}, _MEDIA["xlsx"]: {}}},
        422: {"model": Problem},
    },
    summary="Sums of figures by region and/or year (latest versions; 汇总 reports apart)",
)
def get_aggregates(
    session: SessionDep,
    caller: CallerDep,
    figures: Annotated[
        str,
        Query(
            max_length=10_000,
            description="逗号分隔的数字代码，如 table3.new_received.total；单写 table3 即整张表",
        ),
    ],
    group_by: Annotated[str, Query(pattern=r"^(|region|year|region,year|year,region)$")] = "region",
    tree: Tree = "geo",
    region_level: Level | None = None,
    region: RegionCode = None,
    year: Year = None,
    year_from: Year = None,
    year_to: Year = None,
    scope: Literal["body", "area"] = "body",
    total: Annotated[bool, Query(description="同时给出整个范围的合计（下载总带合计行）")] = False,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> AggregateResult | Response:
    result = aggregates.aggregate(
        session=session,
        figures=aggregates.parse_figures(figures),
        group_by=[g for g in group_by.split(",") if g],
        tree=tree,
        region_level=region_level,
        region=region,
        year=year,
        year_from=year_from,
        year_to=year_to,
        scope=scope,
        within=caller.region_scope,
        with_total=total or format != "json",
    )
    if format == "json":
        return result
    return _download(tabular.aggregate_sheet(result, result.total), format, "aggregates")


@router.get(
    "/coverage",
    response_model=CoverageResult,
    responses={
        200: {"content": {_MEDIA["csv"]: {}, _MEDIA["xlsx"]: {}}},
        422: {"model": Problem},
    },
    summary="Which bodies under a region published for a year, which did not, which were late",
)
def get_coverage(
    session: SessionDep,
    caller: CallerDep,
    year: Annotated[int, Query(ge=1900, le=9000)],
    region: RegionCode = None,
    tree: Tree = "geo",
    format: Literal["json", "csv", "xlsx"] = "json",
) -> CoverageResult | Response:
    result = coverage.coverage(
        session=session, year=year, region=region, tree=tree, within=caller.region_scope
    )
    if format == "json":
        return result
    return _download(tabular.coverage_sheet(result), format, f"coverage-{year}")


FindingsFormat = Literal["json", "csv", "xlsx"]


def _findings(
    session: SessionDep,
    caller: CallerDep,
    year: Annotated[int | None, Query(ge=1900, le=9000)] = None,
    region: RegionCode = None,
    tree: Tree = "geo",
    year_from: Annotated[int | None, Query(ge=1900, le=9000)] = None,
    year_to: Annotated[int | None, Query(ge=1900, le=9000)] = None,
    rule: Annotated[
        str | None, Query(max_length=32, pattern=r"^[A-Z0-9-]+$", description="规则代码，如 VALUE")
    ] = None,
    severity: Literal["error", "warning", "info"] | None = None,
) -> FindingsResult:
    return findings.in_scope(
        session=session,
        tree=tree,
        region=region,
        year=year,
        year_from=year_from,
        year_to=year_to,
        rule=rule,
        severity=severity,
        within=caller.region_scope,
    )


FindingsDep = Annotated[FindingsResult, Depends(_findings)]


@router.get(
    "/findings",
    response_model=FindingsResult,
    responses={200: {"content": {_MEDIA["csv"]: {}, _MEDIA["xlsx"]: {}}}, 422: {"model": Problem}},
    summary="Every finding of the latest reports under a region and years, one row each (for a 通报)",
)
def get_findings(result: FindingsDep, format: FindingsFormat = "json") -> FindingsResult | Response:
    if format == "json":
        return result
    return _download(tabular.findings_sheet(result), format, "findings")


@router.get(
    "/findings.csv",
    response_class=Response,
    responses={200: {"content": {_MEDIA["csv"]: {}}}, 422: {"model": Problem}},
    summary="The findings in scope as CSV",
)
def get_findings_csv(result: FindingsDep) -> Response:
    return _download(tabular.findings_sheet(result), "csv", "findings")


@router.get(
    "/findings.xlsx",
    response_class=Response,
    responses={200: {"content": {_MEDIA["xlsx"]: {}}}, 422: {"model": Problem}},
    summary="The findings in scope as XLSX",
)
def get_findings_xlsx(result: FindingsDep) -> Response:
    return _download(tabular.findings_sheet(result), "xlsx", "findings")


def _download(sheet: tabular.Sheet, format: str, name: str) -> Response:
    body = tabular.to_csv(sheet) if format == "csv" else tabular.to_xlsx(sheet)
    return Response(
        body,
        media_type=_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}.{format}"'},
    )

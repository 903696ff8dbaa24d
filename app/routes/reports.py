"""HTTP for reports: parse the input, call a service, return a model."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from app import db
from app.config import get_settings
from app.db import SessionDep, SessionRoute
from app.models.api import Problem, ReportList, ReportPublic, ValidationPublic
from app.models.bulk import BulkResult
from app.models.regions import RegionPublic
from app.routes.access import CallerDep
from app.routes.inputs import RawInput, read_bulk_input, read_report_input
from app.routes.params import INT_MAX, Id, Year
from app.services import bulk, intake, placement, reading, reports

router = APIRouter(prefix="/api/v1", tags=["reports"], route_class=SessionRoute)

InputDep = Annotated[RawInput, Depends(read_report_input)]

_PROBLEMS: dict[int | str, dict] = {status: {"model": Problem} for status in (413, 415, 422, 503)}

REPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ReportMeta"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "organ": {
                            "type": "string",
                            "maxLength": 200,
                            "description": "机关：文件未写明或写错时填写",
                        },
                        "year": {
                            "type": "integer",
                            "minimum": 1990,
                            "maximum": 2100,
                            "description": "报告年度",
                        },
                        "region_code": {
                            "type": "string",
                            "pattern": "^\\d{6}(\\d{6})?$",
                            "description": "地区：6 位或 12 位行政区划代码",
                        },
                        "published_on": {"type": "string", "format": "date", "description": "发布日期"},
                    },
                }
            },
        },
    }
}


@router.post(
    "/reports",
    operation_id="createReport",
    status_code=201,
    response_model=ReportPublic,
    responses={200: {"model": ReportPublic, "description": "the same bytes were stored before"}, **_PROBLEMS},
    openapi_extra=REPORT_BODY,
    summary="Store a report (JSON or file) and validate it",
)
def create_report(raw: InputDep, session: SessionDep, response: Response, caller: CallerDep) -> ReportPublic:
    draft, upload = reading.read(
        data=raw.data, filename=raw.filename, is_json_body=raw.is_json_body, stated=raw.stated
    )
    report, created = reports.ingest(session=session, draft=draft, upload=upload, caller=caller)
    if not created:
        response.status_code = 200
    return report


BULK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/ReportMeta"},
                    "description": "年度报告的 JSON 数组（条数上限见 NIANBAO_MAX_BULK_REPORTS）",
                }
            }
        },
    }
}


@router.post(
    "/reports/bulk",
    operation_id="createReports",
    response_model=BulkResult,
    responses=_PROBLEMS,
    openapi_extra=BULK_BODY,
    summary="Store many JSON reports in one transaction; one result per item",
)
def create_reports(
    data: Annotated[bytes, Depends(read_bulk_input)], session: SessionDep, caller: CallerDep
) -> BulkResult:
    return bulk.ingest_items(session=session, items=intake.json_reports(data), caller=caller)


@router.post(
    "/validate",
    operation_id="validateReport",
    response_model=ReportPublic,
    responses=_PROBLEMS,
    openapi_extra=REPORT_BODY,
    summary="Read and validate a report without storing it",
)
def validate_report(raw: InputDep, session: SessionDep, caller: CallerDep) -> ReportPublic:
    draft, _ = reading.read(
        data=raw.data, filename=raw.filename, is_json_body=raw.is_json_body, stated=raw.stated
    )
    db.begin(session, writes=False)
    return reports.check(session=session, draft=draft, within=caller.region_scope)


@router.get(
    "/reports",
    operation_id="listReports",
    response_model=ReportList,
    summary="List reports (latest versions by default)",
)
def list_reports(
    session: SessionDep,
    caller: CallerDep,
    year: Year = None,
    organ: Annotated[str | None, Query(max_length=200)] = None,
    valid: bool | None = None,
    region: Annotated[str | None, Query(pattern=r"^\d{2,12}$")] = None,
    all_versions: bool = False,
    state: Literal["submitted", "returned", "resubmitted", "accepted"] | None = None,
    limit: Annotated[int, Query(ge=1, le=INT_MAX)] = 50,
    offset: Annotated[int, Query(ge=0, le=INT_MAX)] = 0,
) -> ReportList:
    return reports.list_reports(
        session=session,
        year=year,
        organ=organ,
        valid=valid,
        region_code=region,
        all_versions=all_versions,
        limit=min(limit, get_settings().page_size_max),
        offset=offset,
        within=caller.region_scope,
        state=state,
    )


@router.get(
    "/reports/{report_id}",
    operation_id="getReport",
    response_model=ReportPublic,
    responses={404: {"model": Problem}},
    summary="A stored report with its figures and findings",
)
def get_report(report_id: Id, session: SessionDep, caller: CallerDep) -> ReportPublic:
    return reports.get(session=session, report_id=report_id, within=caller.region_scope)


@router.get(
    "/reports/{report_id}/validation",
    operation_id="getValidation",
    response_model=ValidationPublic,
    responses={404: {"model": Problem}},
    summary="A stored report's findings",
)
def get_validation(report_id: Id, session: SessionDep, caller: CallerDep) -> ValidationPublic:
    return reports.get_validation(session=session, report_id=report_id, within=caller.region_scope)


class RegionAssignment(BaseModel):
    region_code: str = Field(pattern=r"^(\d{2,12}|XPCC(\d{2}(R\d{3})?)?)$", description="统计用区划代码")


@router.put(
    "/reports/{report_id}/region",
    operation_id="assignReportRegion",
    response_model=ReportPublic,
    responses={400: {"model": Problem}, 404: {"model": Problem}, 422: {"model": Problem}},
    summary="Count a report under a region by hand (a name that fits several places, or none)",
)
def put_report_region(
    report_id: Id, assignment: RegionAssignment, session: SessionDep, caller: CallerDep
) -> ReportPublic:
    return placement.assign(
        session=session,
        report_id=report_id,
        region_code=assignment.region_code,
        actor=caller.label,
        within=caller.region_scope,
    )


@router.get(
    "/reports/{report_id}/region-candidates",
    operation_id="listRegionCandidates",
    response_model=list[RegionPublic],
    responses={404: {"model": Problem}},
    summary="The places a report's name fits equally, for a supervisor to choose from",
)
def get_region_candidates(report_id: Id, session: SessionDep, caller: CallerDep) -> list[RegionPublic]:
    return placement.candidates(session=session, report_id=report_id, within=caller.region_scope)

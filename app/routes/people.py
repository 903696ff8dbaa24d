"""HTTP for what people do with a stored report: review findings, correct cells, send it back;
and the audit log of who did what."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.db import SessionDep, SessionRoute
from app.errors import FORBIDDEN, INVALID_REQUEST
from app.models.api import AuditList, AuditPublic, Problem, ReportPublic, ReviewIn, ReviewsPublic, StateIn
from app.routes.access import CallerDep
from app.routes.inputs import read_json_object
from app.routes.params import Id
from app.services import audit, corrections, reports, reviews
from app.services.access import Caller
from app.services.scope import clause

router = APIRouter(prefix="/api/v1", tags=["review"], route_class=SessionRoute)
_NOT_FOUND: dict[int | str, dict] = {404: {"model": Problem}}

FIGURES_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["figures"],
                    "properties": {
                        "figures": {
                            "type": "object",
                            "description": "按数字代码给出的更正值；null 为空白",
                            "additionalProperties": {"type": ["integer", "string", "number", "null"]},
                        },
                        "note": {"type": "string", "maxLength": 2000},
                    },
                }
            }
        },
    }
}


@router.get(
    "/reports/{report_id}/reviews",
    operation_id="listReviews",
    response_model=ReviewsPublic,
    responses=_NOT_FOUND,
    summary="This version's findings with their reviews",
)
def get_reviews(report_id: Id, session: SessionDep, caller: CallerDep) -> ReviewsPublic:
    """This version's findings with their reviews, and the findings of the version before that are gone."""
    report = reviews.stored_report(session=session, report_id=report_id, caller=caller)
    return reviews.overview(session=session, report=report)


@router.post(
    "/reports/{report_id}/reviews",
    operation_id="reviewFinding",
    status_code=201,
    response_model=ReviewsPublic,
    responses={**_NOT_FOUND, 400: {"model": Problem}, 422: {"model": Problem}},
    summary="Explain, accept or reopen a finding; later versions carry the review",
)
def post_review(report_id: Id, body: ReviewIn, session: SessionDep, caller: CallerDep) -> ReviewsPublic:
    report = reviews.stored_report(session=session, report_id=report_id, caller=caller)
    reviews.review(
        session=session,
        report=report,
        finding_id=body.finding,
        action=body.action,
        note=body.note,
        caller=caller,
    )
    return reviews.overview(session=session, report=report)


@router.patch(
    "/reports/{report_id}/figures",
    operation_id="correctFigures",
    status_code=201,
    response_model=ReportPublic,
    responses={**_NOT_FOUND, 200: {"model": ReportPublic}, 409: {"model": Problem}, 422: {"model": Problem}},
    openapi_extra=FIGURES_BODY,
    summary="Correct cells of the latest version: a new version (source corrected), validated",
)
def patch_figures(
    report_id: Id,
    body: Annotated[dict, Depends(read_json_object)],
    session: SessionDep,
    caller: CallerDep,
    response: Response,
) -> ReportPublic:
    report = reviews.stored_report(session=session, report_id=report_id, caller=caller)
    note = body.get("note", "")
    if not isinstance(note, str) or len(note) > 2000:
        raise INVALID_REQUEST("note 须为不超过 2000 字的文字")
    corrected, created = corrections.correct(
        session=session, report=report, figures=body.get("figures"), note=note, caller=caller
    )
    if not created:
        response.status_code = 200
    return corrected


@router.post(
    "/reports/{report_id}/state",
    operation_id="setReportState",
    response_model=ReportPublic,
    responses={
        **_NOT_FOUND,
        400: {"model": Problem},
        403: {"model": Problem},
        409: {"model": Problem},
        422: {"model": Problem},
    },
    summary="退回整改 (returned, with a note), accepted, or resubmitted",
)
def post_state(report_id: Id, body: StateIn, session: SessionDep, caller: CallerDep) -> ReportPublic:
    report = reviews.stored_report(session=session, report_id=report_id, caller=caller)
    corrections.set_state(session=session, report=report, state=body.state, note=body.note, caller=caller)
    return reports.get(session=session, report_id=report_id, within=caller.region_scope)


def _may_audit(caller: Caller) -> None:
    if not (caller.may("admin") or caller.role == "supervisor"):
        raise FORBIDDEN("审计记录只对管理员和该报告的审核人员开放")


@router.get(
    "/audit",
    operation_id="listAudit",
    response_model=AuditList,
    responses={**_NOT_FOUND, 403: {"model": Problem}},
    summary="Who did what to a report (every version of the body's report for that year)",
)
def get_audit(
    session: SessionDep,
    caller: CallerDep,
    report: Annotated[
        int, Query(ge=1, le=2**31 - 1, description="a report's id; the steps on each of its versions")
    ],
) -> AuditList:
    _may_audit(caller)
    stored = reviews.stored_report(session=session, report_id=report, caller=caller)
    versions = reviews.versions_of(session=session, report=stored, visible=clause(caller.region_scope))
    rows = audit.for_reports(session=session, report_ids=versions)
    return AuditList(items=[AuditPublic.model_validate(row, from_attributes=True) for row in rows])

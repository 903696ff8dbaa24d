"""HTTP for the 核对意见 download: one service function, one operation per format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from app.db import SessionDep, SessionRoute
from app.models.api import Problem
from app.routes import downloads
from app.routes.access import CallerDep
from app.routes.params import Id
from app.services import export, reports
from app.services.access import Caller

router = APIRouter(prefix="/api/v1", tags=["reports"], route_class=SessionRoute)

_DESCRIPTIONS = {"docx": "Word", "xlsx": "Excel", "pdf": "PDF（由 Word 版经 LibreOffice 转换）"}


def _binary(fmt: downloads.Download) -> dict[int | str, dict]:
    answers = {**downloads.responses(fmt, f"核对意见（{_DESCRIPTIONS[fmt]}）"), 404: {"model": Problem}}
    if fmt == "pdf":
        answers[501] = {"model": Problem, "description": "LibreOffice is not installed"}
    return answers


def _export(request: Request, session: SessionDep, caller: Caller, report_id: int, fmt: str) -> Response:
    report = reports.get(session=session, report_id=report_id, within=caller.region_scope)
    made = export.export(report=report, fmt=fmt, checked_at=report.created_at)
    return downloads.attachment(request, made.data, fmt, f"report-{report_id}", title=made.filename)


# Kept for callers from before each format had its own path; not in the contract.
@router.get("/reports/{report_id}/export", response_class=Response, include_in_schema=False)
def export_report(
    request: Request,
    report_id: Id,
    session: SessionDep,
    caller: CallerDep,
    format: Annotated[Literal["docx", "xlsx", "pdf"], Query()] = "docx",
) -> Response:
    return _export(request, session, caller, report_id, format)


def _export_as(fmt: downloads.Download) -> Callable[..., Response]:
    def export_file(request: Request, report_id: Id, session: SessionDep, caller: CallerDep) -> Response:
        return _export(request, session, caller, report_id, fmt)

    return export_file


_FORMATS: tuple[tuple[downloads.Download, str], ...] = (("docx", "Word"), ("xlsx", "Excel"), ("pdf", "PDF"))
for _fmt, _name in _FORMATS:
    router.add_api_route(
        f"/reports/{{report_id}}/export.{_fmt}",
        _export_as(_fmt),
        methods=["GET"],
        operation_id=f"exportReport{_fmt.capitalize()}",
        response_class=Response,
        responses=_binary(_fmt),
        summary=f"The report's 核对意见 as {_name}",
    )

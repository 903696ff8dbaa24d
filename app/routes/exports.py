"""HTTP for the 核对意见 download: one service function, one operation per format."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Response

from app.db import SessionDep, SessionRoute
from app.models.api import Problem
from app.routes.access import CallerDep
from app.routes.params import Id
from app.services import export, reports
from app.services.access import Caller

router = APIRouter(prefix="/api/v1", tags=["reports"], route_class=SessionRoute)

ExportFormat = Literal["docx", "xlsx", "pdf"]
_DESCRIPTIONS = {"docx": "Word", "xlsx": "Excel", "pdf": "PDF（由 Word 版经 LibreOffice 转换）"}


def file_response(made: export.Export, fallback: str) -> Response:
    """The file as an attachment: its Chinese name for browsers that read it, an ASCII one else."""
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(made.filename)}"
    return Response(made.data, media_type=made.media_type, headers={"Content-Disposition": disposition})


def _binary(fmt: str) -> dict:
    return {
        200: {
            "description": f"核对意见（{_DESCRIPTIONS[fmt]}）",
            "content": {export.FORMATS[fmt]: {"schema": {"type": "string", "format": "binary"}}},
        },
        404: {"model": Problem},
        **({501: {"model": Problem, "description": "LibreOffice is not installed"}} if fmt == "pdf" else {}),
    }


def _export(session: SessionDep, caller: Caller, report_id: int, fmt: str) -> Response:
    report = reports.get(session=session, report_id=report_id, within=caller.region_scope)
    made = export.export(report=report, fmt=fmt, checked_at=report.created_at)
    return file_response(made, f"report-{report_id}.{fmt}")


@router.get(
    "/reports/{report_id}/export",
    response_class=Response,
    responses={
        200: {
            "description": "核对意见 in the format asked for",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}} for media in export.FORMATS.values()
            },
        },
        404: {"model": Problem},
        501: {"model": Problem, "description": "format=pdf and LibreOffice is not installed"},
    },
    summary="The report's 核对意见 (findings and marked tables) as Word, Excel or PDF",
)
def export_report(
    report_id: Id,
    session: SessionDep,
    caller: CallerDep,
    format: Annotated[ExportFormat, Query(description="docx | xlsx | pdf")] = "docx",
) -> Response:
    return _export(session, caller, report_id, format)


@router.get(
    "/reports/{report_id}/export.docx",
    response_class=Response,
    responses=_binary("docx"),
    summary="The report's 核对意见 as Word",
)
def export_report_docx(report_id: Id, session: SessionDep, caller: CallerDep) -> Response:
    return _export(session, caller, report_id, "docx")


@router.get(
    "/reports/{report_id}/export.xlsx",
    response_class=Response,
    responses=_binary("xlsx"),
    summary="The report's 核对意见 as Excel",
)
def export_report_xlsx(report_id: Id, session: SessionDep, caller: CallerDep) -> Response:
    return _export(session, caller, report_id, "xlsx")


@router.get(
    "/reports/{report_id}/export.pdf",
    response_class=Response,
    responses=_binary("pdf"),
    summary="The report's 核对意见 as PDF",
)
def export_report_pdf(report_id: Id, session: SessionDep, caller: CallerDep) -> Response:
    return _export(session, caller, report_id, "pdf")

"""Pages for clerks and supervisors: check a report, browse stored ones, compare versions.

Thin like the API routes: read the request, call the same services, render a template. Errors
the caller made are shown on the page in Chinese, never as JSON.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app import db
from app.db import SessionDep, SessionRoute
from app.errors import ProblemError
from app.models.api import ReportPublic
from app.routes.exports import file_response
from app.routes.params import Id, IdQuery
from app.services import export, intake, reports
from app.web import listing, overview
from app.web.forms import CheckForm, read_check_form
from app.web.view import SEVERITY_ICONS, STATUS_NAMES, changes, report_view

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["status_names"] = STATUS_NAMES
templates.env.globals["severity_icons"] = SEVERITY_ICONS
templates.env.globals["region_label"] = listing.region_label

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse, route_class=SessionRoute)

FormDep = Annotated[CheckForm, Depends(read_check_form)]


def install(app: FastAPI) -> None:
    """The pages and their assets (CSS, JS), all served by the application itself."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


def _page(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


_PAGES = re.compile(r"^/(?:$|check$|compare$|overview(?:/|$)|reports(?:/|$))")


def is_page(request: Request) -> bool:
    """A request for a page (not the API): its errors are answered with a page too."""
    return bool(_PAGES.match(request.url.path))


_PARAMETER_NAMES = {"report_id": "报告编号", "a": "对比的第一个版本（a）", "b": "对比的第二个版本（b）"}


def _parameter_problem(err: dict) -> str:
    """One wrong parameter of a page's address, in Chinese."""
    name = str(err["loc"][-1]) if err.get("loc") else ""
    name = _PARAMETER_NAMES.get(name, f"“{name}”")
    given = str(err.get("input", ""))[:40]
    if err.get("type") == "missing":
        return f"缺少{name}"
    if err.get("type", "").startswith("int"):
        return f"{name}应为整数，地址中是“{given}”"
    return f"{name}的取值“{given}”无效"


def error_page(request: Request, problem: ProblemError, errors: list[dict] | None = None) -> HTMLResponse:
    """A page's own error (a bad id, a missing parameter, nothing there) as a Chinese page."""
    wrong = [_parameter_problem(err) for err in errors or []]
    page = _page(request, "error.html", problem.status, problem=problem, wrong=wrong)
    headers = {
        **problem.headers,
        **({"Retry-After": str(problem.retry_after)} if problem.retry_after else {}),
    }
    page.headers.update(headers)
    return page


@router.get("/")
def check_page(request: Request) -> HTMLResponse:
    return _page(request, "check.html", form=CheckForm())


@router.post("/check")
def check_report(request: Request, form: FormDep, session: SessionDep) -> Response:
    """Read and check the report; store it only when the clerk pressed 保存."""
    partial = request.headers.get("x-requested-with") == "fetch"
    name = "_result.html" if partial else "check.html"
    if form.problem is not None:
        return _page(request, name, form.problem.status, form=form, problem=form.problem)
    try:
        draft, upload = intake.read(form.data, form.filename, is_json_body=False)
        draft = intake.apply_stated(draft, form.stated)
        saved = None
        if form.action == "export":  # the 核对意见 of what was checked, before anything is saved
            db.begin(session, writes=False)
            report = reports.check(session=session, draft=draft)
            made = export.export(report=report, fmt=form.format, checked_at=datetime.now(UTC))
            return file_response(made, f"check.{form.format}")
        if form.action == "save":
            report, created = reports.ingest(session=session, draft=draft, upload=upload)
            saved = {"created": created}
        else:
            db.begin(session, writes=False)
            report = reports.check(session=session, draft=draft)
    except ProblemError as exc:  # organ_unknown / year_unknown still show what was read
        read = report_view(ReportPublic.model_validate(exc.report)) if exc.report else None
        return _page(request, name, exc.status, form=form, problem=exc, view=read, filename=form.filename)
    return _page(request, name, form=form, view=report_view(report), saved=saved, filename=form.filename)


@router.get("/reports")
def list_page(
    request: Request,
    session: SessionDep,
    year: str = "",
    region: str = "",
    organ: str = "",
    errors: str = "",
    page: str = "1",
) -> HTMLResponse:
    filters = listing.Filters.parse(year=year, region=region, organ=organ, errors=errors, page=page)
    result = listing.search(session=session, filters=filters)
    return _page(request, "reports.html", filters=filters, result=result)


@router.get("/reports/{report_id}")
def report_page(request: Request, report_id: Id, session: SessionDep) -> HTMLResponse:
    try:
        report = reports.get(session=session, report_id=report_id)
    except ProblemError as exc:
        return _page(request, "error.html", exc.status, problem=exc)
    versions = listing.versions(session=session, report=report)
    return _page(request, "report.html", view=report_view(report), versions=versions)


@router.get("/reports/{report_id}/export", response_model=None)
def export_download(request: Request, report_id: int, session: SessionDep, format: str = "docx") -> Response:
    """The 核对意见 download of the report page; its problems (no LibreOffice) as a page."""
    try:
        report = reports.get(session=session, report_id=report_id)
        made = export.export(report=report, fmt=format, checked_at=report.created_at)
    except ProblemError as exc:
        return _page(request, "error.html", exc.status, problem=exc)
    return file_response(made, f"report-{report_id}.{made.filename.rsplit('.', 1)[-1]}")


@router.get("/compare")
def compare_page(request: Request, session: SessionDep, a: IdQuery, b: IdQuery) -> HTMLResponse:
    """Two versions side by side; the cells that differ are marked in both."""
    try:
        old = reports.get(session=session, report_id=a)
        new = reports.get(session=session, report_id=b)
    except ProblemError as exc:
        return _page(request, "error.html", exc.status, problem=exc)
    if (old.version or 0) > (new.version or 0):
        old, new = new, old
    diff = changes(old, new)
    codes = {change.code for change in diff}
    return _page(
        request,
        "compare.html",
        old=report_view(old, codes),
        new=report_view(new, codes),
        diff=diff,
    )


@router.get("/overview")
def overview_page(
    request: Request,
    session: SessionDep,
    region: str = "",
    tree: str = "auto",
    start: str = "",
    end: str = "",
) -> HTMLResponse:
    state = overview.build(session=session, region=region, tree=tree, start=start, end=end)
    return _page(request, "overview.html", state=state)

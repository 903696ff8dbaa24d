"""Pages for clerks and supervisors: check a report, browse stored ones, compare versions.

Thin like the API routes: read the request, call the same services, render a template. Errors
the caller made are shown on the page in Chinese, never as JSON.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from app import db
from app.db import SessionDep, SessionRoute
from app.errors import ProblemError
from app.models.api import ReportPublic
from app.routes.access import CallerDep
from app.routes.exports import file_response
from app.routes.params import Id, IdQuery
from app.services import export, intake, reports, reviews
from app.web import auth, listing, overview, review_pages, sessions
from app.web.forms import CheckForm, read_check_form
from app.web.pages import HERE, error_page, page
from app.web.view import changes, report_view

__all__ = ["error_page", "install", "is_page"]

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse, route_class=SessionRoute)

FormDep = Annotated[CheckForm, Depends(read_check_form)]


def install(app: FastAPI) -> None:
    """The pages and their assets (CSS, JS), all served by the application itself."""
    app.include_router(auth.router)
    app.include_router(review_pages.router)
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


_page = page


_PAGES = re.compile(r"^/(?:$|check$|compare$|overview(?:/|$)|reports(?:/|$))")


def is_page(request: Request) -> bool:
    """A request for a page (not the API): its errors are answered with a page too."""
    return bool(_PAGES.match(request.url.path))


@router.get("/")
def check_page(request: Request) -> HTMLResponse:
    return _page(request, "check.html", form=CheckForm())


@router.post("/check")
def check_report(request: Request, form: FormDep, session: SessionDep, caller: CallerDep) -> Response:
    """Read and check the report; store it only when the clerk pressed 保存."""
    partial = request.headers.get("x-requested-with") == "fetch"
    name = "_result.html" if partial else "check.html"
    try:
        sessions.verify_csrf(request, form.csrf)
    except ProblemError as refused:
        return _page(request, name, refused.status, form=form, problem=refused)
    if form.problem is not None:
        return _page(request, name, form.problem.status, form=form, problem=form.problem)
    try:
        draft, upload = intake.read(form.data, form.filename, is_json_body=False)
        draft = intake.apply_stated(draft, form.stated)
        saved = None
        if form.action == "export":  # the 核对意见 of what was checked, before anything is saved
            db.begin(session, writes=False)
            report = reports.check(session=session, draft=draft, within=caller.region_scope)
            made = export.export(report=report, fmt=form.format, checked_at=datetime.now(UTC))
            return file_response(made, f"check.{form.format}")
        if form.action == "save":
            report, created = reports.ingest(session=session, draft=draft, upload=upload, caller=caller)
            saved = {"created": created}
        else:
            db.begin(session, writes=False)
            report = reports.check(session=session, draft=draft, within=caller.region_scope)
    except ProblemError as exc:  # organ_unknown / year_unknown still show what was read
        read = report_view(ReportPublic.model_validate(exc.report)) if exc.report else None
        return _page(request, name, exc.status, form=form, problem=exc, view=read, filename=form.filename)
    return _page(request, name, form=form, view=report_view(report), saved=saved, filename=form.filename)


@router.get("/reports")
def list_page(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    year: str = "",
    region: str = "",
    organ: str = "",
    errors: str = "",
    state: str = "",
    page: str = "1",
) -> HTMLResponse:
    filters = listing.Filters.parse(
        year=year, region=region, organ=organ, errors=errors, page=page, state=state
    )
    result = listing.search(session=session, filters=filters, within=caller.region_scope)
    return _page(request, "reports.html", filters=filters, result=result)


@router.get("/reports/{report_id}")
def report_page(request: Request, report_id: Id, session: SessionDep, caller: CallerDep) -> HTMLResponse:
    try:
        report = reports.get(session=session, report_id=report_id, within=caller.region_scope)
    except ProblemError as exc:
        return _page(request, "error.html", exc.status, problem=exc)
    versions = listing.versions(session=session, report=report, within=caller.region_scope)
    row = reviews.stored_report(session=session, report_id=report_id, caller=caller)
    return _page(
        request,
        "report.html",
        view=report_view(report),
        versions=versions,
        fixed=reviews.overview(session=session, report=row).fixed,
        history=review_pages.history(session=session, report=row, caller=caller),
        action_names=review_pages.ACTION_NAMES,
    )


@router.get("/reports/{report_id}/export", response_model=None)
def export_download(
    request: Request, report_id: Id, session: SessionDep, caller: CallerDep, format: str = "docx"
) -> Response:
    """The 核对意见 download of the report page; its problems (no LibreOffice) as a page."""
    try:
        report = reports.get(session=session, report_id=report_id, within=caller.region_scope)
        made = export.export(report=report, fmt=format, checked_at=report.created_at)
    except ProblemError as exc:
        return _page(request, "error.html", exc.status, problem=exc)
    return file_response(made, f"report-{report_id}.{made.filename.rsplit('.', 1)[-1]}")


@router.get("/compare")
def compare_page(
    request: Request, session: SessionDep, caller: CallerDep, a: IdQuery, b: IdQuery
) -> HTMLResponse:
    """Two versions side by side; the cells that differ are marked in both."""
    try:
        old = reports.get(session=session, report_id=a, within=caller.region_scope)
        new = reports.get(session=session, report_id=b, within=caller.region_scope)
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
    caller: CallerDep,
    region: str = "",
    tree: str = "auto",
    start: str = "",
    end: str = "",
) -> HTMLResponse:
    state = overview.build(
        session=session, region=region, tree=tree, start=start, end=end, within=caller.region_scope
    )
    return _page(request, "overview.html", state=state)

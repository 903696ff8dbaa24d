"""Pages for clerks and supervisors: check a report, browse stored ones, compare versions.

Thin like the API routes: read the request, call the same services, render a template. Errors
the caller made are shown on the page in Chinese, never as JSON: one a page has nothing to add to
(no such report, no LibreOffice) is left to the application's handler, which answers every page's
problem with the error page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from app import db, sessions
from app.db import SessionDep, SessionRoute
from app.errors import ProblemError
from app.extract import registry as registry_file
from app.models.api import ReportPublic
from app.models.registry import BodyChange
from app.routes import downloads
from app.routes.access import CallerDep
from app.routes.params import Id, IdQuery
from app.services import bodies, body_edits, export, intake, placement, reports, reviews
from app.services.access import Caller
from app.web import auth, listing, overview, review_pages
from app.web.forms import CheckForm, read_check_form
from app.web.pages import HERE, error_page, page
from app.web.registry import (
    RegistryForm,
    read_merge_into,
    read_must_publish,
    read_region_code,
    read_registry_form,
    read_split_alias,
)
from app.web.view import changes, report_view

__all__ = ["error_page", "install", "is_page"]

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse, route_class=SessionRoute)

FormDep = Annotated[CheckForm, Depends(read_check_form)]
RegistryUpload = Annotated[RegistryForm, Depends(read_registry_form)]
MustPublish = Annotated[bool, Depends(read_must_publish)]
MergeInto = Annotated[int, Depends(read_merge_into)]
SplitAlias = Annotated[str, Depends(read_split_alias)]
# the lists' filters, each read from the query leniently
ListAsked = Annotated[listing.Filters, Depends(listing.Filters.parse)]
OverviewAsked = Annotated[overview.OverviewQuery, Depends()]


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
            return downloads.attachment(request, made.data, form.format, "check", title=made.filename)
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
def list_page(request: Request, session: SessionDep, caller: CallerDep, filters: ListAsked) -> HTMLResponse:
    result = listing.search(session=session, filters=filters, within=caller.region_scope)
    return _page(request, "reports.html", filters=filters, result=result)


@router.get("/reports/{report_id}")
def report_page(request: Request, report_id: Id, session: SessionDep, caller: CallerDep) -> HTMLResponse:
    report = reports.get(session=session, report_id=report_id, within=caller.region_scope)
    return _report(request, session, caller, report)


def _report(
    request: Request,
    session: SessionDep,
    caller: Caller,
    report: ReportPublic,
    status_code: int = 200,
    **context,
) -> HTMLResponse:
    assert report.id is not None  # a stored report
    versions = listing.versions(session=session, report=report, within=caller.region_scope)
    row = reviews.stored_report(session=session, report_id=report.id, caller=caller)
    found = (
        []
        if report.region_code
        else placement.candidates(session=session, report_id=report.id, within=caller.region_scope)
    )
    return _page(
        request,
        "report.html",
        status_code,
        view=report_view(report),
        versions=versions,
        fixed=reviews.overview(session=session, report=row).fixed,
        history=review_pages.history(session=session, report=row, caller=caller),
        action_names=review_pages.ACTION_NAMES,
        candidates=found,
        **context,
    )


@router.get("/reports/{report_id}/export", response_model=None)
def export_download(
    request: Request, report_id: Id, session: SessionDep, caller: CallerDep, format: str = "docx"
) -> Response:
    """The 核对意见 download of the report page; its problems (no LibreOffice) as a page."""
    report = reports.get(session=session, report_id=report_id, within=caller.region_scope)
    made = export.export(report=report, fmt=format, checked_at=report.created_at)
    return downloads.attachment(request, made.data, format, f"report-{report_id}", title=made.filename)


@router.post("/reports/{report_id}/region")
def report_region(
    request: Request,
    report_id: Id,
    session: SessionDep,
    caller: CallerDep,
    code: Annotated[str, Depends(read_region_code)],
) -> HTMLResponse:
    """A supervisor places a report its name could not."""
    try:
        reports.get(session=session, report_id=report_id, within=caller.region_scope)
        report = placement.assign(
            session=session,
            report_id=report_id,
            region_code=code,
            actor=caller.label,
            within=caller.region_scope,
        )
    except ProblemError as exc:
        if exc.status == 404:
            raise
        stored = reports.get(session=session, report_id=report_id, within=caller.region_scope)
        return _report(request, session, caller, stored, exc.status, problem=exc)
    return _report(request, session, caller, report, placed=True)


@router.get("/compare")
def compare_page(
    request: Request, session: SessionDep, caller: CallerDep, a: IdQuery, b: IdQuery
) -> HTMLResponse:
    """Two versions side by side; the cells that differ are marked in both."""
    old = reports.get(session=session, report_id=a, within=caller.region_scope)
    new = reports.get(session=session, report_id=b, within=caller.region_scope)
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
    request: Request, session: SessionDep, caller: CallerDep, query: OverviewAsked
) -> HTMLResponse:
    """Sums, coverage and the report list of a region; every filter is read leniently (a value
    that cannot be used is said on the page)."""
    found = overview.build(session=session, query=query, within=caller.region_scope)
    return _page(request, "overview.html", state=found)


@router.get("/bodies")
def bodies_page(
    request: Request, session: SessionDep, caller: CallerDep, region: str = "", q: str = ""
) -> HTMLResponse:
    """The registry under a region (a code), or all of it, as far as the caller's scope reaches."""
    return _bodies(request, session, caller, region=region, q=q)


def _bodies(
    request: Request, session: SessionDep, caller: Caller, *, region: str = "", q: str = "", **context
) -> HTMLResponse:
    status = context.pop("status_code", 200)
    within = caller.region_scope
    try:
        listed = bodies.list_bodies(
            session=session, region=region.strip() or None, q=q.strip()[:100] or None, within=within
        )
    except ProblemError as exc:
        listed, context["problem"] = bodies.list_bodies(session=session, within=within), exc
    return _page(request, "bodies.html", status, listed=listed, region=region, q=q, **context)


@router.post("/bodies")
def bodies_upload(
    request: Request, session: SessionDep, caller: CallerDep, form: RegistryUpload
) -> HTMLResponse:
    if form.problem is not None:
        return _bodies(request, session, caller, problem=form.problem, status_code=form.problem.status)
    rows, problems = registry_file.parse(form.data, form.fmt)
    try:
        imported = bodies.import_bodies(session=session, rows=rows, problems=problems, actor=caller.label)
    except ProblemError as exc:
        return _bodies(request, session, caller, problem=exc, status_code=exc.status)
    return _bodies(request, session, caller, imported=imported)


@router.post("/bodies/{body_id}")
def body_toggle(
    request: Request, body_id: Id, session: SessionDep, caller: CallerDep, must: MustPublish
) -> HTMLResponse:
    """Must publish, or not: one button per row (the form sends must_publish=1 or 0)."""
    changes = BodyChange(must_publish=must)
    return _edit(request, session, caller, "changed", bodies.change, body_id=body_id, changes=changes)


@router.post("/bodies/{body_id}/merge")
def body_merge(
    request: Request, body_id: Id, session: SessionDep, caller: CallerDep, into: MergeInto
) -> HTMLResponse:
    """Two rows that are one body: this one's names go to the body chosen, its reports follow."""
    if not into:
        empty = ProblemError(422, "empty_form", "请填写要合并到的机关编号")
        return _bodies(request, session, caller, problem=empty, status_code=empty.status)
    return _edit(request, session, caller, "merged", body_edits.merge, body_id=body_id, into=into)


@router.post("/bodies/{body_id}/split")
def body_split(
    request: Request, body_id: Id, session: SessionDep, caller: CallerDep, alias: SplitAlias
) -> HTMLResponse:
    """An alias that is another body becomes a row of its own."""
    return _edit(request, session, caller, "split", body_edits.split, body_id=body_id, alias=alias)


def _edit(
    request: Request, session: SessionDep, caller: Caller, said: str, edit: Callable[..., object], **args: Any
) -> HTMLResponse:
    """An edit of a registered body, made in the caller's name within the caller's scope; the
    registry page then says what it did (as `said`), or the problem it met, above the list."""
    try:
        done = edit(session=session, actor=caller.label, within=caller.region_scope, **args)
    except ProblemError as exc:
        return _bodies(request, session, caller, problem=exc, status_code=exc.status)
    shown: dict[str, Any] = {said: done}
    return _bodies(request, session, caller, **shown)

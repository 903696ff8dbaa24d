"""The report page's forms: review a finding, send back or accept, correct cells in the grid.

Each posts a form with its CSRF token, calls the same services as the API, and redirects back.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.db import SessionDep, SessionRoute
from app.errors import INVALID_FORM, NO_CHANGE, NOT_LATEST, ProblemError
from app.models.tables import Report
from app.routes.access import CallerDep
from app.routes.params import Id
from app.services import audit, corrections, reports, reviews
from app.services.access import Caller
from app.web import forms
from app.web.pages import error_page, page
from app.web.view import report_view

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse, route_class=SessionRoute)
_INTEGER = re.compile(r"^-?\d+$")
ACTION_NAMES = {
    "report.create": "提交报告",
    "review.explain": "说明问题",
    "review.accept": "确认将更正",
    "review.reopen": "重新打开问题",
    "report.state": "更改状态",
    "figures.correct": "更正数字",
}


async def _form(request: Request) -> dict[str, str]:
    """A form of the report page (the correction grid has a few hundred fields)."""
    return await forms.text_form(request, max_fields=2000)


FormDep = Annotated[dict[str, str], Depends(_form)]


def _report(session: SessionDep, report_id: int, caller: Caller) -> Report:
    return reviews.stored_report(session=session, report_id=report_id, caller=caller)


def history(*, session: SessionDep, report: Report, caller: Caller) -> list:
    """Who did what to this body's report for the year, for the report page."""
    ids = reviews.versions_of(session=session, report=report)
    return audit.for_reports(session=session, report_ids=ids)


@router.post("/reports/{report_id}/reviews", response_model=None)
def review_finding(report_id: Id, form: FormDep, session: SessionDep, caller: CallerDep) -> Response:
    report = _report(session, report_id, caller)
    try:
        finding = int(form.get("finding", ""))
    except ValueError:
        raise INVALID_FORM("问题编号有误") from None
    reviews.review(
        session=session,
        report=report,
        finding_id=finding,
        action=form.get("action", ""),
        note=form.get("note", "")[:2000],
        caller=caller,
    )
    return RedirectResponse(f"/reports/{report_id}#findings-{report_id}", status_code=303)


@router.post("/reports/{report_id}/state", response_model=None)
def change_state(report_id: Id, form: FormDep, session: SessionDep, caller: CallerDep) -> Response:
    report = _report(session, report_id, caller)
    corrections.set_state(
        session=session,
        report=report,
        state=form.get("state", ""),
        note=form.get("note", "")[:2000],
        caller=caller,
    )
    return RedirectResponse(f"/reports/{report_id}", status_code=303)


@router.get("/reports/{report_id}/correct")
def correct_page(request: Request, report_id: Id, session: SessionDep, caller: CallerDep) -> HTMLResponse:
    report = reports.get(session=session, report_id=report_id, within=caller.region_scope)
    if not report.is_latest:
        return error_page(request, NOT_LATEST("已有更新的版本，请在最新版本上更正"))
    return page(request, "correct.html", view=report_view(report))


def _typed(text: str) -> int | str | None:
    """What a grid input holds, as the JSON of a correction would give it."""
    text = text.strip().replace(",", "").replace("，", "")
    if not text:
        return None
    return int(text) if _INTEGER.match(text) else text


@router.post("/reports/{report_id}/correct", response_model=None)
def correct(
    request: Request, report_id: Id, form: FormDep, session: SessionDep, caller: CallerDep
) -> Response:
    """Only the cells whose text was changed are sent; the rest stay as they were."""
    report = _report(session, report_id, caller)
    changed = {
        name.removeprefix("cell:"): _typed(value)
        for name, value in form.items()
        if name.startswith("cell:")
        and value.strip() != form.get("was:" + name.removeprefix("cell:"), "").strip()
    }
    try:
        if not changed:
            raise NO_CHANGE()
        new, _ = corrections.correct(
            session=session, report=report, figures=changed, note=form.get("note", "")[:2000], caller=caller
        )
    except ProblemError as problem:
        session.rollback()
        shown = reports.get(session=session, report_id=report_id, within=caller.region_scope)
        return page(request, "correct.html", problem.status, view=report_view(shown), problem=problem)
    return RedirectResponse(f"/compare?a={report_id}&b={new.id}", status_code=303)

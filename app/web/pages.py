"""The templates every page renders with, and what each page knows of its visitor."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.errors import ProblemError
from app.web import listing, sessions
from app.web.view import STATUS_NAMES

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["status_names"] = STATUS_NAMES
templates.env.globals["region_label"] = listing.region_label
templates.env.globals["csrf_token"] = sessions.csrf_token
templates.env.globals["csrf_field"] = sessions.CSRF_FIELD

ROLE_NAMES = {"clerk": "填报人员", "supervisor": "审核人员", "admin": "管理员"}
STATE_NAMES = {
    "submitted": "已提交",
    "returned": "退回整改",
    "resubmitted": "整改后重新提交",
    "accepted": "已通过",
}
templates.env.globals["role_names"] = ROLE_NAMES
templates.env.globals["state_names"] = STATE_NAMES


def page(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    context.setdefault("viewer", getattr(request.state, "caller", None))
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def error_page(request: Request, problem: ProblemError) -> HTMLResponse:
    return page(request, "error.html", problem.status, problem=problem)

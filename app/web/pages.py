"""The templates every page renders with, and what each page knows of its visitor."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app import sessions
from app.errors import ProblemError
from app.services.corrections import STATE_NAMES
from app.web import listing
from app.web.view import SEVERITY_ICONS, STATUS_NAMES

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["status_names"] = STATUS_NAMES
templates.env.globals["severity_icons"] = SEVERITY_ICONS
templates.env.globals["region_label"] = listing.region_label
templates.env.globals["csrf_token"] = sessions.csrf_token
templates.env.globals["csrf_field"] = sessions.CSRF_FIELD

ROLE_NAMES = {"clerk": "填报人员", "supervisor": "审核人员", "admin": "管理员"}
templates.env.globals["role_names"] = ROLE_NAMES
templates.env.globals["state_names"] = STATE_NAMES


def page(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    context.setdefault("viewer", getattr(request.state, "caller", None))
    return templates.TemplateResponse(request, name, context, status_code=status_code)


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
    answer = page(request, "error.html", problem.status, problem=problem, wrong=wrong)
    headers = {
        **problem.headers,
        **({"Retry-After": str(problem.retry_after)} if problem.retry_after else {}),
    }
    answer.headers.update(headers)
    return answer

"""Signing in and out, changing one's password, and the admins' page of people.

Every form carries the session's CSRF token; a post without it is refused before anything else.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import sessions
from app.db import SessionDep, SessionRoute
from app.errors import FORBIDDEN, INVALID_FORM, WEAK_PASSWORD, ProblemError
from app.routes.access import authenticate
from app.services import audit, users
from app.services.access import Caller
from app.web import forms
from app.web.pages import page

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse, route_class=SessionRoute)
CallerDep = Annotated[Caller, Depends(authenticate)]


async def _form(request: Request) -> dict[str, str]:
    """A small form: the sign-in and password pages."""
    return await forms.text_form(request, max_fields=20)


FormDep = Annotated[dict[str, str], Depends(_form)]


def _local(target: str | None) -> str:
    """Only a path on this site is followed after signing in (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if urlsplit(target).netloc:
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return page(request, "login.html", next=_local(next), username="")


@router.post("/login", response_model=None)
def login(request: Request, form: FormDep, session: SessionDep) -> Response:
    target = _local(form.get("next"))
    username = form.get("username", "")
    try:
        user = users.sign_in(session=session, username=username, password=form.get("password", ""))
    except ProblemError as exc:  # the failure counted is committed with the answer
        return page(request, "login.html", exc.status, problem=exc, next=target, username=username)
    sessions.start(request, user_id=user.id, nonce=user.session_nonce)  # type: ignore[arg-type]
    audit.record(session=session, actor=f"user:{user.username}", action="user.sign_in", target=user.username)
    return RedirectResponse("/password" if user.must_change_password else target, status_code=303)


@router.post("/logout")
def logout(request: Request, form: FormDep, session: SessionDep) -> RedirectResponse:
    user_id = request.session.get(sessions.USER_ID)
    if isinstance(user_id, int):
        users.sign_out(session=session, user_id=user_id)
    sessions.end(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/password")
def password_page(request: Request, caller: CallerDep) -> HTMLResponse:
    return page(request, "password.html")


@router.post("/password", response_model=None)
def change_password(request: Request, form: FormDep, session: SessionDep, caller: CallerDep) -> Response:
    if caller.user_id is None:
        raise FORBIDDEN("只有登录的用户可以修改密码")
    user = session.get(users.UserAccount, caller.user_id)
    assert user is not None
    try:
        if form.get("new_password") != form.get("confirm"):
            raise WEAK_PASSWORD("两次输入的新密码不一致")
        users.change_password(
            session=session, user=user, current=form.get("password", ""), new=form.get("new_password", "")
        )
    except ProblemError as exc:
        return page(request, "password.html", exc.status, problem=exc)
    sessions.start(request, user_id=user.id, nonce=user.session_nonce)  # type: ignore[arg-type]
    audit.record(session=session, actor=caller.label, action="user.password", target=user.username)
    return RedirectResponse("/", status_code=303)


@router.get("/admin/users")
def users_page(request: Request, session: SessionDep, caller: CallerDep) -> HTMLResponse:
    return page(request, "users.html", people=users.list_users(session=session), created=None)


@router.post("/admin/users")
def create_user(request: Request, form: FormDep, session: SessionDep, caller: CallerDep) -> HTMLResponse:
    """Create a person, reset a password, or disable / enable an account."""
    action = form.get("action", "create")
    created = None
    try:
        if action == "create":
            organs = [o for o in form.get("organs", "").replace("，", ",").splitlines() for o in o.split(",")]
            created = users.create_user(
                session=session,
                username=form.get("username", ""),
                role=form.get("role", ""),
                region=form.get("region", "").strip() or None,
                organs=organs,
            )
            detail = {"role": created.user.role, "region": created.user.region_code}
            audit.record(
                session=session,
                actor=caller.label,
                action="user.create",
                target=created.user.username,
                detail=detail,
            )
        elif action in ("reset", "disable", "enable"):
            user_id = int(form.get("user_id", "0") or 0)
            if action == "reset":
                created = users.reset_password(session=session, user_id=user_id)
                target = created.user.username
            else:
                target = users.set_disabled(
                    session=session, user_id=user_id, disabled=action == "disable"
                ).username
            audit.record(session=session, actor=caller.label, action=f"user.{action}", target=target)
        else:
            raise INVALID_FORM("未知的操作")
    except (ProblemError, ValueError) as exc:
        problem = exc if isinstance(exc, ProblemError) else INVALID_FORM("用户编号有误")
        session.rollback()
        people = users.list_users(session=session)
        return page(request, "users.html", problem.status, problem=problem, people=people, created=None)
    return page(request, "users.html", people=users.list_users(session=session), created=created)

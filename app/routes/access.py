"""Access as a dependency of the whole application: a key (bearer or appKey signature) or a
signed-in person's session cookie, and a scope.

Reads (GET) need `read`, everything else `submit`, key and user management `admin` (which
implies both). When auth is "auto" and neither a key nor a person exists yet, callers on this
machine may do everything. A page asked for without a session redirects to /login.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from app import db
from app.config import get_settings
from app.db import SessionDep
from app.errors import ProblemError
from app.services import access, users
from app.services.access import Caller
from app.web import sessions

PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
SIGN_IN_PATHS = frozenset({"/login", "/logout"})  # they check the session and the form themselves
PASSWORD_PATH = "/password"
ADMIN_PREFIXES = ("/api/v1/keys", "/admin/")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_MACHINE_PREFIXES = ("/api/", "/gov/", "/docs", "/redoc", "/openapi.json")


class LoginRequired(Exception):
    """A page asked for without a valid session: the answer is a redirect to /login."""

    def __init__(self, target: str, to: str = "/login") -> None:
        super().__init__(target)
        self.target = target
        self.to = to


def is_page(path: str) -> bool:
    """A page for people (HTML), as opposed to the API of machines."""
    return not path.startswith(_MACHINE_PREFIXES)


_bearer = HTTPBearer(auto_error=False, description="API 密钥：Authorization: Bearer nb_…")
_app_key = APIKeyHeader(
    name="X-App-Key",
    auto_error=False,
    description="appKey 签名：另带 X-Timestamp、X-Nonce、X-Signature（见 docs/production.md）",
)


def required_scope(method: str, path: str) -> str | None:
    if path in PUBLIC_PATHS or path in SIGN_IN_PATHS:
        return None
    if path.startswith(ADMIN_PREFIXES):
        return "admin"
    return "read" if method in READ_METHODS else "submit"


async def _body_sha256(request: Request) -> str | None:
    """Only signed requests need the body now; the request-size limit has already bounded it."""
    if "x-signature" not in request.headers:
        return None
    return hashlib.sha256(await request.body()).hexdigest()


def _signed_path(request: Request) -> str:
    """The path exactly as the caller sent it, percent-encoding included (the /gov/v1 envelope
    rewrites the routed path, not this one)."""
    raw = request.scope.get("raw_path")
    return raw.decode("latin-1") if raw else request.scope.get("nianbao.original_path", request.url.path)


def authenticate(
    request: Request,
    session: SessionDep,
    body_sha256: Annotated[str | None, Depends(_body_sha256)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    app_key: Annotated[str | None, Security(_app_key)],
) -> Caller:
    settings = get_settings()
    scope = required_scope(request.method, request.url.path)
    if scope is None:
        return access.ANONYMOUS
    # Only an appKey signature writes (its nonce); any other check reads, and on SQLite a read
    # takes no lock, so checking a caller never waits behind a report being stored.
    signed = "authorization" not in request.headers and "x-app-key" in request.headers
    db.begin(session, writes=signed)
    # A credential header that is present is checked, even when empty or of another scheme.
    if "authorization" in request.headers:
        if bearer is None:
            raise access.unauthorized("Authorization 须为 Bearer nb_… 形式的 API 密钥")
        caller = access.by_token(session=session, token=bearer.credentials)
    elif "x-app-key" in request.headers:
        headers = request.headers
        caller = access.by_signature(
            session=session,
            app_key=app_key or "",
            timestamp=headers.get("x-timestamp", ""),
            nonce=headers.get("x-nonce", ""),
            signature=headers.get("x-signature", ""),
            method=request.method,
            path=_signed_path(request),
            query=request.scope.get("query_string", b"").decode("latin-1"),
            body_sha256=body_sha256 or hashlib.sha256(b"").hexdigest(),
            window_seconds=settings.signature_window_seconds,
        )
    elif (person := _person(request, session)) is not None:
        caller = person
    elif scope == "read" and settings.anonymous_read:
        caller = access.ANONYMOUS
    elif (
        settings.auth == "auto"
        and request.client is not None
        and request.client.host in access.LOCAL_HOSTS
        and not access.any_active_key(session)
        and not users.any_user(session)
    ):
        caller = access.LOCAL
    elif is_page(request.url.path):
        raise LoginRequired(_target(request))
    else:
        raise access.unauthorized()
    if caller is not access.ANONYMOUS and not caller.may(scope):
        who = "您的账号" if caller.user_id is not None else "该 API 密钥"
        raise ProblemError(403, "forbidden", f"{who}没有 {scope} 权限")
    # End this short transaction now (a used nonce stays used): the route may read a file for
    # seconds before it writes, and must not hold a connection — on SQLite the write lock — meanwhile.
    session.commit()
    request.state.caller = caller
    return caller


def _target(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _person(request: Request, session: SessionDep) -> Caller | None:
    """The person the session cookie names, if it is still valid.

    A person who must change their password may only do that; a script using the session to
    write through the API sends the form token as X-CSRF-Token.
    """
    data = request.session
    if sessions.USER_ID not in data:
        return None
    user = users.by_session(
        session=session, user_id=data.get(sessions.USER_ID), nonce=data.get(sessions.NONCE)
    )
    if user is None:
        sessions.end(request)
        return None
    path = request.url.path
    if user.must_change_password and path != PASSWORD_PATH:
        if is_page(path):
            raise LoginRequired(_target(request), to=PASSWORD_PATH)
        raise ProblemError(403, "password_change_required", "请先在 /password 页面修改初始密码")
    if request.method not in READ_METHODS and not is_page(path):
        sessions.verify_csrf(request, request.headers.get(sessions.CSRF_HEADER))
    return users.caller_of(user)


# The caller of this request, resolved once (FastAPI caches the dependency per request).
CallerDep = Annotated[Caller, Depends(authenticate)]

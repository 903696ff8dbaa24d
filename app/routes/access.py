"""Access as a dependency of the whole application: a key (bearer or appKey signature) or a
signed-in person's session cookie, and a scope.

Reads (GET) need `read`, everything else `submit`, key and user management `admin` (which
implies both). When auth is "auto" and neither a key nor a person exists yet, callers on this
machine may do everything. A page asked for without a session redirects to /login.
"""

from __future__ import annotations

import re
from typing import Annotated

import anyio.from_thread
from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from app import body, db, sessions
from app.config import get_settings
from app.db import SessionDep
from app.errors import FORBIDDEN, PASSWORD_CHANGE_REQUIRED
from app.services import access, users
from app.services.access import Caller

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


# How to send either is described in the OpenAPI document (app/contract.py).
_bearer = HTTPBearer(auto_error=False, scheme_name="bearerKey")
_app_key = APIKeyHeader(name="X-App-Key", auto_error=False, scheme_name="appKey")


# a supervisor's writes: the registry of bodies, and placing a report by hand
_SUPERVISOR_WRITES = re.compile(r"^(/api/v1)?/bodies(/\d+(/merge|/split)?)?$|^(/api/v1)?/reports/\d+/region$")


def required_scope(method: str, path: str) -> str | None:
    if path in PUBLIC_PATHS or path in SIGN_IN_PATHS:
        return None
    if path.startswith(ADMIN_PREFIXES):
        return "admin"
    if method not in READ_METHODS and _SUPERVISOR_WRITES.match(path):
        return "admin"
    return "read" if method in READ_METHODS else "submit"


def _signed_path(request: Request) -> str:
    """The path exactly as the caller sent it, percent-encoding included (the /gov/v1 envelope
    rewrites the routed path, not this one)."""
    raw = request.scope.get("raw_path")
    return raw.decode("latin-1") if raw else request.scope.get("nianbao.original_path", request.url.path)


def _signed_body_sha256(request: Request) -> str:
    """The body's SHA-256, received now (into a spooled file, within the route's cap): only a
    signature whose key, timestamp and nonce already passed gets this far."""
    return anyio.from_thread.run(body.of(request.scope).spool).sha256


def _signed_caller(request: Request, session: Session, app_key: str) -> Caller:
    """An appKey signature: key, timestamp and nonce checked from the headers first (401 before
    any body is received), then the body hashed as it arrives, then the signature and its nonce."""
    headers = request.headers
    timestamp, nonce = headers.get("x-timestamp", ""), headers.get("x-nonce", "")
    window = get_settings().signature_window_seconds
    key = access.signing_key(
        session=session, app_key=app_key, timestamp=timestamp, nonce=nonce, window_seconds=window
    )
    session.commit()  # no transaction (on SQLite no lock) is held while the body arrives
    body_sha256 = _signed_body_sha256(request)
    db.begin(session, writes=True)
    return access.by_signature(
        session=session,
        key=key,
        timestamp=timestamp,
        nonce=nonce,
        signature=headers.get("x-signature", ""),
        method=request.method,
        path=_signed_path(request),
        query=request.scope.get("query_string", b"").decode("latin-1"),
        body_sha256=body_sha256,
        window_seconds=window,
    )


def authenticate(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    app_key: Annotated[str | None, Security(_app_key)],
) -> Caller:
    """Who is calling, decided from the headers alone: no body is received before this (a
    signature's body only once its headers pass), and no Idempotency-Key is looked at."""
    settings = get_settings()
    scope = required_scope(request.method, request.url.path)
    if scope is None:
        return access.ANONYMOUS
    # Checking a caller reads, and on SQLite a read takes no lock, so it never waits behind a
    # report being stored; only an appKey signature writes (its nonce), once its body is in.
    db.begin(session, writes=False)
    # A credential header that is present is checked, even when empty or of another scheme.
    if "authorization" in request.headers:
        if bearer is None:
            raise access.unauthorized("Authorization 须为 Bearer nb_… 形式的 API 密钥")
        caller = access.by_token(session=session, token=bearer.credentials)
    elif "x-app-key" in request.headers:
        caller = _signed_caller(request, session, app_key or "")
    elif (person := _person(request, session)) is not None:
        caller = person
    elif scope == "read" and settings.anonymous_read:
        caller = access.ANONYMOUS
    elif (
        settings.auth == "auto"
        and request.client is not None
        and request.client.host in access.LOCAL_HOSTS
        and access.no_credentials(session)
    ):
        caller = access.LOCAL
    elif is_page(request.url.path):
        raise LoginRequired(_target(request))
    else:
        raise access.unauthorized()
    if caller is not access.ANONYMOUS and not caller.may(scope):
        who = "您的账号" if caller.user_id is not None else "该 API 密钥"
        raise FORBIDDEN(f"{who}没有 {scope} 权限")
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
        raise PASSWORD_CHANGE_REQUIRED()
    if request.method not in READ_METHODS and not is_page(path):
        sessions.verify_csrf(request, request.headers.get(sessions.CSRF_HEADER))
    return users.caller_of(user)


# The caller of this request, resolved once (FastAPI caches the dependency per request).
CallerDep = Annotated[Caller, Depends(authenticate)]

"""Access as a dependency of the whole application: a key (bearer or appKey signature) and a scope.

Reads (GET) need `read`, everything else `submit`, key management `admin` (which implies both).
When auth is "auto" and no key exists yet, callers on this machine may do everything.
"""

from __future__ import annotations

import hashlib
import re
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from app import db
from app.config import get_settings
from app.db import SessionDep
from app.errors import ProblemError
from app.services import access
from app.services.access import Caller

PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
ADMIN_PREFIXES = ("/api/v1/keys",)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(auto_error=False, description="API 密钥：Authorization: Bearer nb_…")
_app_key = APIKeyHeader(
    name="X-App-Key",
    auto_error=False,
    description="appKey 签名：另带 X-Timestamp、X-Nonce、X-Signature（见 docs/production.md）",
)


# a supervisor's writes: the registry of bodies, and placing a report by hand
_SUPERVISOR_WRITES = re.compile(r"^(/api/v1)?/bodies(/\d+)?$|^(/api/v1)?/reports/\d+/region$")


def required_scope(method: str, path: str) -> str | None:
    if path in PUBLIC_PATHS:
        return None
    if path.startswith(ADMIN_PREFIXES):
        return "admin"
    if method not in READ_METHODS and _SUPERVISOR_WRITES.match(path):
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
    elif scope == "read" and settings.anonymous_read:
        caller = access.ANONYMOUS
    elif (
        settings.auth == "auto"
        and request.client is not None
        and request.client.host in access.LOCAL_HOSTS
        and not access.any_active_key(session)
    ):
        caller = access.LOCAL
    else:
        raise access.unauthorized()
    if caller is not access.ANONYMOUS and not caller.may(scope):
        raise ProblemError(403, "forbidden", f"该 API 密钥没有 {scope} 权限")
    # End this short transaction now (a used nonce stays used): the route may read a file for
    # seconds before it writes, and must not hold a connection — on SQLite the write lock — meanwhile.
    session.commit()
    request.state.caller = caller
    return caller


# the caller of a request, for the services that record who did what (resolved once per request)
CallerDep = Annotated[Caller, Depends(authenticate)]

"""Access as a dependency of the whole application: a key (bearer or appKey signature) and a scope.

Reads (GET) need `read`, everything else `submit`, key management `admin` (which implies both).
When auth is "auto" and no key exists yet, callers on this machine may do everything.
"""

from __future__ import annotations

from typing import Annotated

import anyio.from_thread
from fastapi import Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from app import body, db
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


def required_scope(method: str, path: str) -> str | None:
    if path in PUBLIC_PATHS:
        return None
    if path.startswith(ADMIN_PREFIXES):
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

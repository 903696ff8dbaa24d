"""The signed session cookie of people who sign in, and the CSRF token of every form.

The cookie is Starlette's SessionMiddleware (signed with itsdangerous, HttpOnly, SameSite=Lax);
it holds the person's id, the account's current session nonce and the form token. Behind https
(uvicorn --proxy-headers, X-Forwarded-Proto: https) it is marked Secure as well.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from fastapi import Request
from starlette.types import Message, Receive, Scope, Send

from app.asgi import Middleware
from app.config import get_settings
from app.errors import CSRF_REFUSED, ProblemError

COOKIE = "nianbao_session"
USER_ID = "uid"
NONCE = "nonce"
CSRF = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def secret_key() -> str:
    """NIANBAO_SESSION_SECRET, or one kept in a file made on first use (one machine)."""
    settings = get_settings()
    if settings.session_secret:
        return settings.session_secret
    path = Path(settings.session_secret_file)
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_text().strip()
        with os.fdopen(descriptor, "w") as handle:
            handle.write(key)
        return key


class SecureCookieOverHttps(Middleware):
    """Marks the session cookie Secure when the request came over https."""

    def handles(self, scope: Scope) -> bool:
        return scope["type"] == "http" and scope.get("scheme") == "https"

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:

        async def secure(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (name, value + b"; secure")
                    if name == b"set-cookie" and value.startswith(COOKIE.encode() + b"=")
                    else (name, value)
                    for name, value in message.get("headers", [])
                ]
            await send(message)

        await self.app(scope, receive, secure)


def csrf_token(request: Request) -> str:
    """The session's form token, made on first use."""
    token = request.session.get(CSRF)
    if not isinstance(token, str):
        token = request.session[CSRF] = secrets.token_urlsafe(32)
    return token


def csrf_refused() -> ProblemError:
    return CSRF_REFUSED()


def verify_csrf(request: Request, submitted: object) -> None:
    """A form (or a script's X-CSRF-Token) must carry this session's token."""
    expected = request.session.get(CSRF)
    if not isinstance(expected, str) or not isinstance(submitted, str):
        raise csrf_refused()
    if not secrets.compare_digest(expected.encode(), submitted.encode()):
        raise csrf_refused()


def start(request: Request, *, user_id: int, nonce: str) -> None:
    """A fresh session for a person who just signed in: nothing of the one before is kept, and
    the form token is new (no session fixation)."""
    request.session.clear()
    request.session.update({USER_ID: user_id, NONCE: nonce, CSRF: secrets.token_urlsafe(32)})


def end(request: Request) -> None:
    request.session.clear()

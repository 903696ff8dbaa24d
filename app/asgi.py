"""What the ASGI middleware share: passing on the scopes one does not handle, a problem answered
before any route runs, and an answer kept as the application sends it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class Middleware:
    """Handles the scopes `handles` picks (every HTTP request, unless a subclass narrows it); any
    other (the lifespan, a request it leaves alone) goes straight on to the application."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def handles(self, scope: Scope) -> bool:
        return scope["type"] == "http"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.handles(scope):
            await self.handle(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


def problem_messages(
    status: int, code: str, detail: str, headers: list[tuple[bytes, bytes]] | None = None
) -> tuple[Message, Message]:
    """A problem+json answer as its two messages, for a middleware that refuses a request."""
    body = json.dumps(
        {"type": "about:blank", "title": code, "status": status, "code": code, "detail": detail},
        ensure_ascii=False,
    ).encode()
    start_headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
        *(headers or []),
    ]
    return (
        {"type": "http.response.start", "status": status, "headers": start_headers},
        {"type": "http.response.body", "body": body},
    )


@dataclass
class Answer:
    """The application's answer, kept as it is sent: its start message and its body so far."""

    start: Message = field(default_factory=dict)
    chunks: list[bytes] = field(default_factory=list)

    def keep(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))

    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        return self.start.get("headers", [])

    def media_type(self, default: bytes = b"") -> str:
        return dict(self.headers).get(b"content-type", default).decode("latin-1")

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

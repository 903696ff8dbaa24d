"""A request's body: bounded by its route's own cap, received only when someone asks for it.

Nothing here reads a body on its own. Authentication decides from the headers first; a signed
request, or one with an Idempotency-Key, then has its body streamed to a spooled temporary file
(memory bounded, the rest on disk) while its SHA-256 is taken, and the route reads it back from
there as if it came from the socket. A request answered without its body being read (401, 413,
…) has what is left received and dropped before the answer goes out, and the connection is closed:
a connection closed on unread bytes is reset, and the caller would lose the answer with it.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from starlette.types import Message, Receive, Scope, Send

from app.asgi import Middleware, problem_messages
from app.config import Settings, get_settings

SCOPE_KEY = "nianbao.body"
_CHUNK = 64 * 1024
_IN_MEMORY = 1024 * 1024  # a spooled body beyond this goes to a temporary file
_FORM_OVERHEAD = 64 * 1024  # a multipart form's boundaries and small fields beside its file
SMALL_BODY = 64 * 1024  # any route that takes no report or file


def body_cap(method: str, path: str, content_type: str, settings: Settings) -> int:
    """The most a request to this route may carry: the route's own cap, never the global one."""
    multipart = content_type.split(";")[0].strip().lower() == "multipart/form-data"
    if method != "POST":
        cap = SMALL_BODY
    elif path in ("/api/v1/reports", "/api/v1/validate", "/check"):
        cap = settings.max_upload_bytes + _FORM_OVERHEAD if multipart else settings.max_json_bytes
    elif path == "/api/v1/reports/bulk":
        cap = settings.max_bulk_bytes
    elif path in ("/api/v1/bodies", "/bodies"):  # a registry: CSV, XLSX or JSON, as a file or a body
        cap = settings.max_upload_bytes + _FORM_OVERHEAD
    elif path == "/api/v1/batches":
        cap = max(settings.max_batch_bytes, settings.max_upload_bytes) + _FORM_OVERHEAD
    else:
        cap = SMALL_BODY
    return min(cap, settings.max_request_bytes)


@dataclass
class Spooled:
    sha256: str
    size: int
    file: IO[bytes]

    def chunks(self) -> Iterator[bytes]:
        self.file.seek(0)
        while chunk := self.file.read(_CHUNK):
            yield chunk


class TooLarge(Exception):
    """The body went past its route's cap while it was being received."""


class Body:
    """Stands between the server's `receive` and the application's for one request."""

    def __init__(self, receive: Receive, cap: int) -> None:
        self._receive = receive
        self.cap = cap
        self.seen = 0
        self.complete = False  # the server has delivered the whole body
        self.spooled: Spooled | None = None
        self._replay: Iterator[tuple[bytes, bool]] | None = None

    async def _next(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.cap:
                raise TooLarge
            if not message.get("more_body"):
                self.complete = True
        return message

    async def receive(self) -> Message:
        """What the application reads: the spooled copy once there is one, else the socket."""
        if self._replay is None:
            return await self._next()
        step = next(self._replay, None)
        if step is None:
            return await self._receive()  # after the body: a disconnect, when it comes
        chunk, more = step
        return {"type": "http.request", "body": chunk, "more_body": more}

    async def spool(self) -> Spooled:
        """Receive the whole body into a spooled file (once), hashing it on the way."""
        if self.spooled is not None:
            return self.spooled
        digest = hashlib.sha256()
        file = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115 (closed with the request)
        while not self.complete:
            message = await self._next()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            digest.update(chunk)
            file.write(chunk)
        self.spooled = Spooled(digest.hexdigest(), self.seen, file)
        self._replay = self._replayed()
        return self.spooled

    def _replayed(self) -> Iterator[tuple[bytes, bool]]:
        assert self.spooled is not None
        for chunk in self.spooled.chunks():
            yield chunk, True
        yield b"", False

    async def drain(self, limit: int) -> bool:
        """Receive and drop what is left of the body, up to `limit` bytes; whether all came."""
        while not self.complete and self.seen <= limit:
            message = await self._receive()
            if message["type"] != "http.request":
                return False
            self.seen += len(message.get("body", b""))
            self.complete = not message.get("more_body")
        return self.complete

    def close(self) -> None:
        if self.spooled is not None:
            self.spooled.file.close()


def of(scope: Scope) -> Body:
    """The request's body, as the RequestBody middleware put it in the scope."""
    return scope[SCOPE_KEY]


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit // (1024 * 1024)} MB"
    return f"{limit // 1024} KB" if limit >= 1024 else f"{limit} 字节"


_CLOSE = [(b"connection", b"close")]


class RequestBody(Middleware):
    """Every request's body bounded by its route's cap (413 when the declared length is already
    over it, or as soon as the received bytes are); an answer sent before the body was received
    in full drops the rest first (up to the global cap) and closes the connection."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        settings = get_settings()
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        cap = body_cap(scope["method"], scope["path"], content_type, settings)
        declared = headers.get(b"content-length", b"")
        body = Body(receive, cap)
        body.complete = declared == b"0" or (not declared and b"transfer-encoding" not in headers)
        detail = f"请求体超过 {_size(cap)} 的上限"
        if declared.isdigit() and int(declared) > cap:
            await self._answer(send, body, *problem_messages(413, "too_large", detail, _CLOSE), settings)
            return
        scope[SCOPE_KEY] = body
        started = False

        async def send_after_body(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if not body.complete:
                    await body.drain(settings.max_request_bytes)
                    message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        try:
            await self.app(scope, body.receive, send_after_body)
        except TooLarge:
            if not started:
                await self._answer(send, body, *problem_messages(413, "too_large", detail, _CLOSE), settings)
        finally:
            body.close()

    @staticmethod
    async def _answer(send: Send, body: Body, start: Message, content: Message, settings: Settings) -> None:
        if not body.complete:
            await body.drain(settings.max_request_bytes)
        await send(start)
        await send(content)

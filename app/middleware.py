"""ASGI middleware: request id, access log and metrics; the request-size cap; Idempotency-Key."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import uuid

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import get_engine
from app.errors import ProblemError
from app.services import idempotency, telemetry

log = logging.getLogger("nianbao.http")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestContext:
    """X-Request-ID in (when sane) and out, one JSON log line and the metrics of every request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = sent if _SAFE_ID.match(sent) else uuid.uuid4().hex
        token = telemetry.request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            caller = scope.get("state", {}).get("caller")
            telemetry.REQUESTS.labels(scope["method"], template, str(status)).inc()
            telemetry.LATENCY.labels(scope["method"], template).observe(elapsed)
            log.info(
                "request",
                extra={
                    "fields": {
                        "method": scope["method"],
                        "path": scope.get("nianbao.original_path", scope["path"]),
                        "status": status,
                        "ms": round(elapsed * 1000, 1),
                        "caller": getattr(caller, "label", None),
                    }
                },
            )
            telemetry.request_id.reset(token)


def problem_bytes(status: int, code: str, detail: str) -> bytes:
    body = {"type": "about:blank", "title": code, "status": status, "code": code, "detail": detail}
    return json.dumps(body, ensure_ascii=False).encode()


async def send_problem(send: Send, status: int, code: str, detail: str, headers: list | None = None) -> None:
    body = problem_bytes(status, code, detail)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Admission:
    """At most `limit` submissions (POST) in one process, running or waiting their turn: the
    queue in front of the request threads is bounded, and one more is answered 503 `busy` with
    Retry-After at once; its body is received and dropped, never kept."""

    def __init__(self, app: ASGIApp, limit: int, retry_after: int, max_body: int) -> None:
        self.app = app
        self.limit = limit
        self.retry_after = retry_after
        self.max_body = max_body
        self.pending = 0  # changed only on the event loop's thread

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        if self.pending >= self.limit:
            telemetry.BUSY.labels("queue").inc()
            # The connection is closed (the caller waits before it comes back), and a connection
            # closed on a body not yet received is reset, losing the answer with it: drop it first.
            await _drop_body(receive, self.max_body)
            retry = [(b"retry-after", str(self.retry_after).encode()), (b"connection", b"close")]
            await send_problem(send, 503, "busy", "当前提交较多，请稍后重试", retry)
            return
        self.pending += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.pending -= 1


async def _drop_body(receive: Receive, limit: int) -> None:
    """Receive a request's body and keep none of it (up to `limit` bytes)."""
    seen = 0
    while seen <= limit:
        message = await receive()
        if message["type"] != "http.request":
            return
        seen += len(message.get("body", b""))
        if not message.get("more_body"):
            return


class BodyLimit:
    """No request body over the cap is read, whatever the route: 413 as soon as it is exceeded."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        detail = f"请求体超过 {self.limit // (1024 * 1024)} MB 的上限"
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await send_problem(send, 413, "too_large", detail)
            return
        seen = 0
        started = False

        async def bounded() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, bounded, tracking)
        except _TooLarge:
            if not started:
                await send_problem(send, 413, "too_large", detail)


class _TooLarge(Exception):
    pass


class Idempotency:
    """POST with an Idempotency-Key runs once per caller and key; see app/services/idempotency.py."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", []))
        key_header = headers.get(b"idempotency-key")
        if scope["type"] != "http" or scope["method"] != "POST" or key_header is None:
            await self.app(scope, receive, send)
            return
        key = key_header.decode("latin-1").strip()
        if not _SAFE_KEY.match(key):
            await send_problem(
                send, 422, "invalid_idempotency_key", "Idempotency-Key 须为 1–255 个可见 ASCII 字符"
            )
            return
        body = await _read_all(receive)
        # a person's session cookie is part of who is asking, so no two people share a key
        cookie = headers.get(b"cookie", b"")
        principal = hashlib.sha256(
            headers.get(b"authorization", b"")
            + b"|"
            + headers.get(b"x-app-key", b"")
            + (b"|" + cookie if cookie else b"")
        ).hexdigest()
        fingerprint = _fingerprint(scope, headers, body)
        engine = get_engine()
        try:
            stored = await anyio.to_thread.run_sync(
                lambda: idempotency.begin(
                    engine=engine, principal=principal, key=key, request_sha256=fingerprint
                )
            )
        except ProblemError as problem:
            extra = [(k.lower().encode(), v.encode()) for k, v in problem.headers.items()]
            if problem.retry_after:
                extra.append((b"retry-after", str(problem.retry_after).encode()))
            await send_problem(send, problem.status, problem.code, problem.detail, extra)
            return
        if stored is not None:
            await send(
                {
                    "type": "http.response.start",
                    "status": stored.status,
                    "headers": [
                        (b"content-type", stored.media_type.encode()),
                        (b"content-length", str(len(stored.body)).encode()),
                        (b"idempotent-replayed", b"true"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": stored.body})
            return

        delivered = False
        start: Message = {}
        chunks: list[bytes] = []

        async def replay_receive() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive, capture)
        except BaseException:
            await anyio.to_thread.run_sync(
                lambda: idempotency.abandon(engine=engine, principal=principal, key=key)
            )
            raise
        media_type = (
            dict(start.get("headers", [])).get(b"content-type", b"application/json").decode("latin-1")
        )
        answer = idempotency.Stored(start.get("status", 500), media_type, b"".join(chunks))
        await anyio.to_thread.run_sync(
            lambda: idempotency.finish(engine=engine, principal=principal, key=key, answer=answer)
        )


_SAFE_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


async def _read_all(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _fingerprint(scope: Scope, headers: dict, body: bytes) -> str:
    """What makes two requests the same: path, query and body — a multipart boundary aside."""
    content_type = headers.get(b"content-type", b"")
    boundary = re.search(rb"boundary=\"?([^\";]+)", content_type)
    if boundary:
        body = body.replace(boundary.group(1), b"")
    digest = hashlib.sha256()
    for part in (scope["path"].encode(), scope.get("query_string", b""), content_type.split(b";")[0], body):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()

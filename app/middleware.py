"""ASGI middleware: request id, access log and metrics; the bound on submissions; Idempotency-Key answers."""

from __future__ import annotations

import logging
import re
import time
import uuid

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.asgi import Answer, Middleware, problem_messages
from app.db import get_engine
from app.services import idempotency, telemetry

log = logging.getLogger("nianbao.http")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestContext(Middleware):
    """X-Request-ID in (when sane) and out, one JSON log line and the metrics of every request."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
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
            method, template = telemetry.request_labels(scope["method"], scope.get("route"))
            telemetry.REQUESTS.labels(method, template, str(status)).inc()
            telemetry.LATENCY.labels(method, template).observe(elapsed)
            caller = scope.get("state", {}).get("caller")
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


class Admission(Middleware):
    """At most `limit` requests with a body (submissions) in one process, running or waiting
    their turn, whatever their method: the queue in front of the request threads is bounded, and
    one more is answered 503 `busy` with Retry-After at once; its body is received and dropped."""

    def __init__(self, app: ASGIApp, limit: int, retry_after: int, max_body: int) -> None:
        super().__init__(app)
        self.limit = limit
        self.retry_after = retry_after
        self.max_body = max_body
        self.pending = 0  # changed only on the event loop's thread

    def handles(self, scope: Scope) -> bool:
        return scope["type"] == "http" and has_body(scope)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.pending >= self.limit:
            telemetry.BUSY.labels("queue").inc()
            # The connection is closed (the caller waits before it comes back), and a connection
            # closed on a body not yet received is reset, losing the answer with it: drop it first.
            await _drop_body(receive, self.max_body)
            retry = [(b"retry-after", str(self.retry_after).encode()), (b"connection", b"close")]
            for message in problem_messages(503, "busy", "当前提交较多，请稍后重试", retry):
                await send(message)
            return
        self.pending += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.pending -= 1


def has_body(scope: Scope) -> bool:
    headers = dict(scope["headers"])
    declared = headers.get(b"content-length")
    return b"transfer-encoding" in headers if declared is None else declared != b"0"


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


class IdempotencyRecorder(Middleware):
    """Keeps the answer of a request that holds an Idempotency-Key (app/routes/idempotency.py
    decides that, once the caller is authenticated), so a retry gets it again."""

    def handles(self, scope: Scope) -> bool:
        keyed = scope["type"] == "http" and b"idempotency-key" in dict(scope["headers"])
        return keyed and scope["method"] == "POST"

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = Answer()

        async def capture(message: Message) -> None:
            answer.keep(message)
            await send(message)

        engine = get_engine()
        try:
            await self.app(scope, receive, capture)
        except BaseException:
            abandoned: idempotency.Held | None = scope.get(idempotency.SCOPE_KEY)
            if abandoned is not None:
                await anyio.to_thread.run_sync(lambda: idempotency.abandon(engine=engine, held=abandoned))
            raise
        if (held := scope.get(idempotency.SCOPE_KEY)) is None:
            return
        media_type = answer.media_type(b"application/json")
        stored = idempotency.Stored(answer.start.get("status", 500), media_type, answer.body)
        await anyio.to_thread.run_sync(lambda: idempotency.finish(engine=engine, held=held, answer=stored))

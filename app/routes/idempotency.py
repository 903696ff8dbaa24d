"""Idempotency-Key as a dependency of the whole application, run after authentication: a key is
taken (or its answer replayed) only for a caller who proved who they are."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Request

from app import body
from app.db import get_engine
from app.routes.access import authenticate
from app.services import idempotency
from app.services.access import ANONYMOUS, Caller


async def hold_idempotency_key(request: Request, caller: Annotated[Caller, Depends(authenticate)]) -> None:
    """A POST with an Idempotency-Key: its body's fingerprint decides between running it (this
    request now holds the key), replaying the stored answer, 409 and 422."""
    header = request.headers.get("idempotency-key")
    if request.method != "POST" or header is None or caller is ANONYMOUS:
        return
    key = idempotency.checked_key(header)
    spooled = await body.of(request.scope).spool()
    fingerprint = idempotency.fingerprint(
        path=request.scope["path"],
        query=request.scope.get("query_string", b""),
        content_type=request.headers.get("content-type", ""),
        body=spooled.chunks(),
    )
    held = idempotency.Held(idempotency.principal(key_id=caller.key_id, user_id=caller.user_id), key)
    engine = get_engine()
    await anyio.to_thread.run_sync(
        lambda: idempotency.begin(engine=engine, held=held, request_sha256=fingerprint)
    )
    request.scope[idempotency.SCOPE_KEY] = held  # the recorder keeps the answer

"""Bounded work: at most N extractions at once in a process; the next caller waits briefly, then
gets 503 with Retry-After instead of piling up threads and memory."""

from __future__ import annotations

import threading
from functools import cache

from app.config import get_settings
from app.draft import Draft
from app.errors import ProblemError
from app.services import intake, telemetry
from app.services.reports import Upload


@cache
def _slots(size: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(max(1, size))


def busy() -> ProblemError:
    seconds = get_settings().retry_after_seconds
    return ProblemError(
        503,
        "busy",
        f"服务繁忙：同时处理的文件已达上限，请 {seconds} 秒后重试",
        headers={"Retry-After": str(seconds)},
    )


def extract(
    *, data: bytes, filename: str | None, is_json_body: bool, wait: bool = False
) -> tuple[Draft, Upload]:
    """intake.read within a slot, timed by format; `wait` blocks (workers) instead of refusing."""
    settings = get_settings()
    slots = _slots(settings.max_concurrent_extractions)
    if not slots.acquire(timeout=None if wait else settings.extraction_wait_seconds):
        telemetry.BUSY.inc()
        raise busy()
    try:
        with telemetry.extraction_timer() as found:
            draft, upload = intake.read(data, filename, is_json_body)
            found["media_type"] = upload.media_type
        return draft, upload
    finally:
        slots.release()

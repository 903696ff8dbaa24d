"""Extraction in a bounded worker process: a hostile or huge file costs one child, never the API.

Children come from a fork server started once (single-threaded, extraction modules preloaded),
so starting one is cheap. Each child gets an address-space limit; the parent waits with a
deadline and kills a child that runs over. A semaphore caps how many run at once.
"""

from __future__ import annotations

import multiprocessing
import resource
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from app.config import get_settings
from app.errors import ProblemError

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["app.extract.preload"])
_slots: threading.BoundedSemaphore | None = None
_progress: Connection | None = None  # set inside a child: where it announces a long stage
_slots_lock = threading.Lock()


def _semaphore() -> threading.BoundedSemaphore:
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(get_settings().extraction_concurrency)
        return _slots


def extend_deadline(seconds: float, detail: str) -> None:
    """From inside a child: the next stage (an OCR page) may take `seconds`; on running over,
    the caller gets 422 with `detail`. Outside a child it does nothing."""
    if _progress is not None:
        _progress.send(("extend", (seconds, detail)))


def allow_ocr_memory() -> None:
    """From inside a child: raise its address-space limit to the OCR ceiling (onnxruntime maps
    far more address space than it uses). Outside a child it does nothing."""
    if _progress is not None:
        _, ceiling = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))


def _child(conn: Connection, memory_bytes: int, func: Callable, args: tuple) -> None:
    global _progress
    _progress = conn
    try:
        # the hard limit leaves room that only OCR may claim (see allow_ocr_memory)
        ceiling = max(memory_bytes, get_settings().ocr_memory_mb * 1024 * 1024)
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, ceiling))
        conn.send(("ok", func(*args)))
    except ProblemError as problem:
        conn.send(("problem", (problem.status, problem.code, problem.detail, problem.errors)))
    except MemoryError:
        conn.send(("memory", None))
    except RecursionError:
        conn.send(("broken", "RecursionError"))
    except Exception as exc:  # any other failure means the file could not be read
        conn.send(("broken", type(exc).__name__))
    finally:
        conn.close()


def _too_complex() -> ProblemError:
    return ProblemError(
        413, "file_too_complex", "文件过大或结构过于复杂，超出了读取所允许的内存：请拆分或重新导出后上传"
    )


def run_bounded(func: Callable[..., Any], *args: Any) -> Any:
    """`func(*args)` in a child process within the time and memory limits of the settings."""
    settings = get_settings()
    slots = _semaphore()
    if not slots.acquire(timeout=settings.extraction_queue_wait_seconds):
        raise ProblemError(
            503, "busy", "正在读取的文件较多，请稍后重试", retry_after=settings.extraction_retry_after_seconds
        )
    try:
        receiver, sender = _context.Pipe(duplex=False)
        memory = settings.extraction_memory_mb * 1024 * 1024
        child = _context.Process(target=_child, args=(sender, memory, func, args), daemon=True)
        child.start()
        sender.close()
        timeout = ProblemError(
            422, "extraction_timeout", "读取文件超时：文件可能已损坏或过于复杂，请重新导出后上传"
        )
        deadline = time.monotonic() + settings.extraction_timeout_seconds
        try:
            while True:
                if not receiver.poll(max(0.0, deadline - time.monotonic())):
                    raise timeout
                kind, payload = receiver.recv()
                if kind != "extend":
                    break
                deadline = time.monotonic() + payload[0]
                timeout = ProblemError(422, "ocr_timeout", payload[1])
        except EOFError:
            raise _too_complex() from None
        finally:
            receiver.close()
            if child.is_alive():
                child.kill()
            child.join(5)
    finally:
        slots.release()
    if kind == "ok":
        return payload
    if kind == "problem":
        status, code, detail, errors = payload
        raise ProblemError(status, code, detail, errors)
    if kind == "memory":
        raise _too_complex()
    raise ProblemError(422, "unreadable_file", "文件无法读取，可能已损坏：请重新导出 PDF 或 Word 后上传")

"""Extraction in warm, bounded worker processes: a hostile or huge file costs one child, never the API.

A pool of `extraction_concurrency` children, started from a fork server (single-threaded, the
extraction modules preloaded), is kept warm: a file is sent to an idle child instead of a
process being started for it. Each child reads one file at a time under an address-space
limit; the parent waits with a deadline and kills a child that runs over. A killed or hung
child is replaced. A child that dies mid-file (killed from outside, crashed) is replaced and
the file read once more by the fresh child; when that one dies too, the file is what kills
them. A child whose address space stays past its limit after a file (OCR maps much) is retired.

Every file goes through a child, small text, HTML and Word files included. Reading those in the
request thread would save the hop (about a millisecond: the bytes and the draft pickled across
the pipe, two wake-ups), but a thread can be given neither a deadline nor a memory limit: a
hostile page that makes a regular expression or the layout parser run away, or a Word file whose
parts parse into far more memory than their size says, would hold a request thread and the API's
memory, with no way to stop it. A size bound does not make that safe, so the hop stays.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from app.config import get_settings
from app.errors import BUSY, EXTRACTION_TIMEOUT, FILE_TOO_COMPLEX, OCR_TIMEOUT, UNREADABLE_FILE, ProblemError

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["app.extract.preload"])
_progress: Connection | None = None  # set inside a child: where it announces a long stage
_pool_lock = threading.Lock()
_the_pool: _Pool | None = None
RETIRE_FRACTION = 0.75  # a child using more of its limit than this after a file is retired


def extend_deadline(seconds: float, detail: str) -> None:
    """From inside a child: the next stage (an OCR page) may take `seconds`; on running over,
    the caller gets 422 with `detail`. Outside a child it does nothing."""
    if _progress is not None:
        _progress.send(("extend", (seconds, detail)))


def allow_ocr_memory() -> None:
    """From inside a child: raise its address-space limit to the OCR ceiling (onnxruntime maps
    far more address space than it uses) for this file. Outside a child it does nothing."""
    if _progress is not None:
        _, ceiling = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))


# ---- inside a child ----------------------------------------------------------------------------


def _address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _answer(func: Callable, args: tuple) -> tuple[str, Any]:
    try:
        return "ok", func(*args)
    except ProblemError as problem:
        return "problem", (problem.status, problem.code, problem.detail, problem.errors)
    except MemoryError:
        return "memory", None
    except RecursionError:
        return "broken", "RecursionError"
    except Exception as exc:  # any other failure means the file could not be read
        return "broken", type(exc).__name__


def _serve(conn: Connection, memory_bytes: int, ceiling: int) -> None:
    """A child's life: read files sent by the parent, one at a time, until told to stop or retired.
    The hard limit leaves room that only OCR may claim (see allow_ocr_memory)."""
    global _progress
    _progress = conn
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, ceiling))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if job is None:
            return
        kind, payload = _answer(*job)
        del job
        retire = kind == "memory" or _address_space() > memory_bytes * RETIRE_FRACTION
        try:
            conn.send((kind, payload, retire))
        except Exception:  # the answer cannot be sent (too large to pickle within the limit)
            conn.send(("memory", None, True))
            return
        if retire:
            return
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, ceiling))  # after OCR raised it


# ---- in the API process ------------------------------------------------------------------------


class _Died(Exception):
    """The child ended before answering."""


class _Child:
    def __init__(self, limits: tuple[int, int]) -> None:
        self.limits = limits
        self.conn, theirs = _context.Pipe(duplex=True)
        self.process: BaseProcess = _context.Process(target=_serve, args=(theirs, *limits), daemon=True)
        self.process.start()
        theirs.close()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def run(self, func: Callable, args: tuple, timeout_seconds: float) -> tuple[str, Any, bool]:
        """The child's answer; _Died if it ended first. Kills it on running over the deadline."""
        timeout = EXTRACTION_TIMEOUT()
        deadline = time.monotonic() + timeout_seconds
        try:
            self.conn.send((func, args))
            while True:
                if not self.conn.poll(max(0.0, deadline - time.monotonic())):
                    self.stop()
                    raise timeout
                message = self.conn.recv()
                if message[0] != "extend":
                    return message
                deadline = time.monotonic() + message[1][0]
                timeout = OCR_TIMEOUT(message[1][1])
        except (EOFError, OSError):
            self.stop()
            raise _Died from None

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


class _Pool:
    """At most `size` children; idle ones wait, warm, for the next file."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.slots = threading.BoundedSemaphore(size)
        self._idle: list[_Child] = []
        self._lock = threading.Lock()

    def take(self, wait_seconds: float, limits: tuple[int, int]) -> _Child:
        if not self.slots.acquire(timeout=wait_seconds):
            retry_after = get_settings().extraction_retry_after_seconds
            raise BUSY("正在读取的文件较多，请稍后重试", retry_after=retry_after)
        with self._lock:
            child = self._idle.pop() if self._idle else None
        try:
            if child is not None and (child.limits != limits or not child.process.is_alive()):
                child.stop()
                child = None
            return child or _Child(limits)
        except BaseException:
            self.slots.release()
            raise

    def give_back(self, child: _Child | None) -> None:
        """Back to the idle ones (None: a child that was stopped, its slot freed)."""
        if child is not None:
            with self._lock:
                self._idle.append(child)
        self.slots.release()

    def pids(self) -> list[int | None]:
        with self._lock:
            return [child.pid for child in self._idle]


def _pool() -> _Pool:
    global _the_pool
    with _pool_lock:
        if _the_pool is None:
            _the_pool = _Pool(get_settings().extraction_concurrency)
        return _the_pool


def _limits() -> tuple[int, int]:
    settings = get_settings()
    memory = settings.extraction_memory_mb * 1024 * 1024
    return memory, max(memory, settings.ocr_memory_mb * 1024 * 1024)


def warm() -> None:
    """Start the children that are not running yet, so the first files do not wait for them."""
    pool, limits, taken = _pool(), _limits(), []
    try:
        for _ in range(pool.size):
            taken.append(pool.take(0, limits))
    except ProblemError:  # every other slot is reading a file
        pass
    finally:
        for child in taken:
            pool.give_back(child)


def _too_complex() -> ProblemError:
    return FILE_TOO_COMPLEX()


def _fresh(limits: tuple[int, int]) -> _Child | None:
    try:
        return _Child(limits)
    except OSError:  # no process could be started now: the next file starts one
        return None


def run_bounded(func: Callable[..., Any], *args: Any) -> Any:
    """`func(*args)` in a warm child process within the time and memory limits of the settings."""
    settings = get_settings()
    pool, limits = _pool(), _limits()
    child = pool.take(settings.extraction_queue_wait_seconds, limits)
    answer = None
    try:
        for _ in range(2):  # a child that dies mid-file is replaced, and the file read once more
            try:
                answer = child.run(func, args, settings.extraction_timeout_seconds)
                break
            except _Died:
                child = _Child(limits)
    finally:
        # a child stopped at the deadline, or retired after its file, is replaced at once
        replacement: _Child | None = child
        if not child.process.is_alive() or (answer is not None and answer[2]):
            child.stop()
            replacement = _fresh(limits)
        pool.give_back(replacement)
    if answer is None:  # the file killed two children
        raise _too_complex()
    kind, payload, _ = answer
    if kind == "ok":
        return payload
    if kind == "problem":
        status, code, detail, errors = payload
        raise ProblemError(status, code, detail, errors)
    if kind == "memory":
        raise _too_complex()
    raise UNREADABLE_FILE()

"""What the extraction pool's tests send to its children (a module, so a child can import them)."""

from __future__ import annotations

import os
import resource
import signal
import time

from app.extract.worker import allow_ocr_memory


def pid() -> int:
    return os.getpid()


def nap(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def allocate(megabytes: int) -> int:
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def limit() -> int:
    return resource.getrlimit(resource.RLIMIT_AS)[0]


def map_like_ocr(megabytes: int) -> int:
    """What an OCR file does: claim the OCR ceiling, then map past the usual limit, and keep it."""
    allow_ocr_memory()
    global _kept
    _kept = bytearray(megabytes * 1024 * 1024)
    return os.getpid()


_kept = bytearray()

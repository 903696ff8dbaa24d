"""Reading an uploaded file out of a multipart form, beside Starlette's own form parser.

The upload routes read the form with `app.routes.forms.read_form` (a `file` part is the file
with or without a filename). The baseline is what they did before: `request.form()`, whose
files spool to a temporary file past 1 MB, then `read()`. Both take the same body, streamed in
64 KiB chunks as uvicorn delivers it; the figures are the best wall time of the repeats and the
peak of Python allocations (tracemalloc) while reading one form and its file into bytes (the
body's chunks themselves not counted).

    .venv/bin/python bench/forms.py [--mb 20] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from starlette.datastructures import UploadFile
from starlette.requests import Request

from app.errors import ProblemError
from app.routes.forms import read_form

BOUNDARY = "nianbao-bench-boundary"
CHUNK = 64 * 1024


def body(size: int) -> bytes:
    file = os.urandom(size)
    return (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="published_on"\r\n\r\n2025-01-20\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="r.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + file
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def request(data: bytes) -> Request:
    chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]

    async def receive() -> dict:
        chunk = chunks.pop(0) if chunks else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    headers = [(b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())]
    return Request({"type": "http", "method": "POST", "path": "/", "headers": headers}, receive)


async def ours(incoming: Request) -> bytes:
    form = await read_form(
        incoming,
        file_fields=frozenset({"file"}),
        file_limit=2**30,
        too_large=ProblemError(413, "too_large", "过大"),
        max_files=1,
        max_fields=10,
    )
    upload = form.get("file")
    assert isinstance(upload, UploadFile)
    return await upload.read()


async def starlette(incoming: Request) -> bytes:
    form = await incoming.form(max_files=1, max_fields=10)
    upload = form.get("file")
    assert isinstance(upload, UploadFile)
    read = await upload.read()
    await form.close()
    return read


def measure(read: Callable[[Request], Awaitable[bytes]], data: bytes, repeat: int) -> tuple[float, float]:
    """Best wall time, and the peak of what reading allocates (the request's own chunks apart)."""
    best = float("inf")
    for _ in range(repeat):
        incoming = request(data)
        started = time.perf_counter()
        asyncio.run(read(incoming))
        best = min(best, time.perf_counter() - started)
    incoming = request(data)
    tracemalloc.start()
    asyncio.run(read(incoming))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = body(args.mb * 2**20)
    assert asyncio.run(ours(request(data))) == asyncio.run(starlette(request(data)))
    base_s, base_mb = measure(starlette, data, args.repeat)
    our_s, our_mb = measure(ours, data, args.repeat)
    print(f"one {args.mb} MB file in a multipart form, best of {args.repeat}")
    print(f"  Starlette request.form() + read  {base_s * 1000:8.1f} ms  peak {base_mb:7.1f} MiB")
    print(f"  read_form() + read               {our_s * 1000:8.1f} ms  peak {our_mb:7.1f} MiB")
    print(f"  ratio                            {our_s / base_s:8.2f} ×        {our_mb / base_mb:7.2f} ×")


if __name__ == "__main__":
    main()

"""Memory under unauthenticated bodies, against a real server: twenty callers without a valid key
each send 20 MB at once — forged signatures, Idempotency-Keys, plain uploads, a GET with a body —
and the server's resident memory stays bounded, every caller gets its answer (no reset), nothing
is stored, and /healthz answers after."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from live import ROOT
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.slow

MB = 1024 * 1024


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


@contextmanager
def _server(env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base, server
    finally:
        server.terminate()
        server.wait(30)


def test_twenty_unauthenticated_20_mb_bodies_keep_the_server_under_400_mb():
    workdir = tempfile.mkdtemp(prefix="nianbao-memory-")
    url = f"sqlite:///{workdir}/memory.db"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "NIANBAO_FILE_STORE": f"{workdir}/files",
        "NIANBAO_AUTH": "on",
        "NIANBAO_WORKER_THREADS": "0",
        "NIANBAO_LOG_LEVEL": "WARNING",
    }
    subprocess.run([sys.executable, "-m", "app.cli", "migrate"], cwd=ROOT, env=env, check=True)
    body = b"x" * (20 * MB)
    form = {"content-type": "multipart/form-data; boundary=x"}
    now = str(int(time.time()))
    forged = {"X-App-Key": "0123456789ab", "X-Timestamp": now, "X-Nonce": "n" * 16, "X-Signature": "0" * 64}
    kinds = [
        ("POST", "/api/v1/reports", {**form, **forged}),
        ("POST", "/api/v1/validate", {**form, "Idempotency-Key": "k-1"}),
        ("POST", "/api/v1/batches", {**form, "Authorization": "Bearer nb_0_forged"}),
        ("GET", "/api/v1/reports", {"content-type": "application/json"}),
    ]
    with _server(env) as (base, server):
        started_kib = _kib(server.pid, "VmRSS")

        def send(n: int) -> int:
            method, path, headers = kinds[n % len(kinds)]
            with httpx.Client(base_url=base, timeout=120) as client:
                return client.request(method, path, content=body, headers=headers).status_code

        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(pool.map(send, range(20)))
        peak_kib = _kib(server.pid, "VmHWM")  # the most the server was resident, ever
        healthy = httpx.get(f"{base}/healthz").json()

    print(f"\nserver RSS: {started_kib / 1024:.0f} MB at start, peak {peak_kib / 1024:.0f} MB (bound 400 MB)")
    assert sorted(set(statuses)) == [401, 413], statuses  # answered, never reset
    assert statuses.count(413) == 5  # the GETs: a body past their 64 KB cap
    assert peak_kib < 400 * 1024, f"peak RSS {peak_kib / 1024:.0f} MB"
    assert healthy == {"status": "ok"}
    engine = create_engine(url)
    with engine.connect() as connection:
        for table in ("report", "source_document", "idempotency_record", "batch_job", "request_nonce"):
            assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0, table
    engine.dispose()

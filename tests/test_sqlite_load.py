"""Many callers at once: no request waits on another for a lock or a connection, reads never
wait for SQLite's writer, and what is beyond the service's capacity is answered 503 with
Retry-After — never "database is locked" or a pool timeout as a 500."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest
from conftest import DATABASES
from fastapi.testclient import TestClient
from live import Live, distinct_report, hold_reading, open_live
from sqlmodel import Session

from app import db
from app.models.tables import SourceDocument
from app.services import jobs


def _post(client: TestClient, n: int) -> tuple[int, str]:
    response = client.post("/api/v1/reports", json=distinct_report(n, "并发"))
    return response.status_code, response.text


def _sqlite_file(url: str) -> str:
    return url.removeprefix("sqlite:///")


def test_concurrent_writes_through_the_app_on_sqlite():
    for live in open_live("sqlite"):
        post = partial(_post, live.client)
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(post, range(64)))
        assert [status for status, _ in answers] == [201] * 64, [t for s, t in answers if s != 201][:3]
        assert not any("locked" in text for _, text in answers)
        assert live.scalar("SELECT count(*) FROM report") == 64
        assert live.scalar("SELECT count(DISTINCT organ) FROM report") == 64


@pytest.fixture(params=DATABASES)
def two_threads(request: pytest.FixtureRequest) -> Iterator[Live]:
    yield from open_live(request.param, NIANBAO_REQUEST_THREADS="2", NIANBAO_SQLITE_BUSY_SECONDS="20")


def test_more_callers_than_request_threads(two_threads: Live):
    """Two request threads (and a pool of 2 + 10 connections) for two dozen callers. A handler's
    transaction ends before its answer waits for a thread, so a lock or a connection is never held
    by a request that waits for the threads the others hold (that wait lasted until the lock or
    the pool timed out)."""
    client = two_threads.client
    assert client.portal.call(_thread_tokens) == 2  # type: ignore[union-attr]
    stored = client.post("/api/v1/reports", json=distinct_report(0, "线程")).json()
    same = distinct_report(99, "线程")

    def call(n: int) -> int:
        if n % 3 == 0:
            return client.get(f"/api/v1/reports/{stored['id']}").status_code
        if n % 3 == 1:
            return client.post("/api/v1/reports", json=same).status_code  # the same, at once
        return client.post("/api/v1/reports", json=distinct_report(n, "线程")).status_code

    with ThreadPoolExecutor(max_workers=24) as pool:
        statuses = list(pool.map(call, range(48)))
    assert all(status in (200, 201) for status in statuses), statuses
    assert statuses.count(201) == 16 + 1  # every distinct report, and the repeated one once
    assert two_threads.scalar("SELECT count(*) FROM report") == 18


def _thread_tokens() -> float:
    import anyio.to_thread

    return anyio.to_thread.current_default_thread_limiter().total_tokens


def test_reads_never_wait_for_the_writer_and_a_writer_past_its_wait_is_503():
    for live in open_live("sqlite", NIANBAO_SQLITE_BUSY_SECONDS="0.5"):
        client = live.client
        stored = client.post("/api/v1/reports", json=distinct_report(0, "读")).json()
        writer = sqlite3.connect(_sqlite_file(live.url), isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            assert client.get(f"/api/v1/reports/{stored['id']}").status_code == 200
            assert client.get("/api/v1/reports").json()["total"] == 1
            assert client.get("/readyz").status_code == 200
            assert client.post("/api/v1/validate", json=distinct_report(1, "读")).status_code == 200
            busy = client.post("/api/v1/reports", json=distinct_report(1, "读"))
            assert (busy.status_code, busy.json()["code"]) == (503, "busy")
            assert busy.headers["retry-after"] == "10"
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        assert client.post("/api/v1/reports", json=distinct_report(1, "读")).status_code == 201


def test_a_write_in_a_transaction_begun_to_read_is_refused():
    for live in open_live("sqlite"):
        with Session(live.engine) as session:
            db.begin(session, writes=False)
            session.add(SourceDocument(sha256="0" * 64, media_type="text/plain", size=0))
            with pytest.raises(db.WriteInReadTransaction):
                session.flush()


@pytest.fixture
def on_sqlite() -> Iterator[Live]:
    yield from open_live("sqlite")


def test_a_batch_worker_reads_its_file_outside_any_transaction(on_sqlite: Live, monkeypatch):
    live = on_sqlite
    parts = [("files", ("a.json", json.dumps(distinct_report(0, "批读")), "application/json"))]
    batch = live.client.post("/api/v1/batches", files=parts).json()
    reading_started, go_on = hold_reading(monkeypatch)
    worker = threading.Thread(
        target=jobs.work, kwargs={"engine": live.engine, "stop": threading.Event(), "until_idle": True}
    )
    worker.start()
    try:
        assert reading_started.wait(30)
        other = sqlite3.connect(_sqlite_file(live.url), isolation_level=None, timeout=0.2)
        other.execute("BEGIN IMMEDIATE")  # the write lock is free while the file is read
        other.execute("ROLLBACK")
        other.close()
    finally:
        go_on.set()
        worker.join(60)
    status = live.client.get(f"/api/v1/batches/{batch['id']}").json()
    assert (status["done"], status["failed"]) == (1, 0)

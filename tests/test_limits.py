"""Limits: a full extraction pool or too many submissions at once answer 503 with Retry-After; an
oversized request 413; the pool has a connection for every thread."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import anyio
import pytest
from conftest import SEEDS
from live import Live, distinct_report, hold_reading, open_live

from app import config, db
from app.extract import worker
from app.middleware import Admission

SEED = "002_3de73757d3cdff2d"


@pytest.fixture
def setting(monkeypatch):
    def set_(name: str, value: str) -> None:
        monkeypatch.setenv(f"NIANBAO_{name.upper()}", value)
        config.get_settings.cache_clear()

    yield set_
    monkeypatch.undo()
    config.get_settings.cache_clear()


def test_full_extraction_pool_is_503_with_retry_after(client, setting):
    setting("extraction_queue_wait_seconds", "0.05")
    pool = worker._pool()
    taken = 0
    for _ in range(pool.size):  # every extraction slot busy (the warm-up may hold one a moment)
        assert pool.slots.acquire(timeout=30)
        taken += 1
    text = (SEEDS / f"{SEED}.txt").read_bytes()
    try:
        response = client.post("/api/v1/validate", files={"file": ("report.txt", text, "text/plain")})
    finally:
        for _ in range(taken):
            pool.slots.release()
    assert taken >= 1
    assert (response.status_code, response.json()["code"]) == (503, "busy")
    assert response.headers["retry-after"] == "10"
    again = client.post("/api/v1/validate", files={"file": ("report.txt", text, "text/plain")})
    assert again.status_code == 200, again.text


def test_request_over_the_cap_is_413_before_it_is_read():
    for live in open_live("sqlite", NIANBAO_MAX_REQUEST_BYTES="1000"):
        json_body = {"content-type": "application/json"}
        response = live.client.post("/api/v1/validate", content=b"{" + b" " * 2000 + b"}", headers=json_body)
        assert (response.status_code, response.json()["code"]) == (413, "too_large")
        chunks = (b" " * 600 for _ in range(3))  # no Content-Length: counted as it streams
        form = {"content-type": "multipart/form-data; boundary=x"}
        response = live.client.post("/api/v1/batches", content=chunks, headers=form)
        assert (response.status_code, response.json()["code"]) == (413, "too_large")
        assert live.client.get("/healthz").status_code == 200


def test_the_postgresql_pool_holds_a_connection_for_every_thread_that_may_ask(setting):
    setting("request_threads", "12")
    setting("worker_threads", "3")
    engine = db.make_engine("postgresql://nobody@127.0.0.1:1/none")  # nothing is connected
    assert engine.pool.size() == 15  # type: ignore[attr-defined]


@pytest.fixture
def one_submission() -> Iterator[Live]:
    yield from open_live("sqlite", NIANBAO_MAX_PENDING_SUBMISSIONS="1")


def test_submissions_past_the_bound_are_503_at_once_and_reads_still_answer(one_submission, monkeypatch):
    live = one_submission
    started, go_on = hold_reading(monkeypatch)
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(live.client.post, "/api/v1/reports", json=distinct_report(0, "满"))
        try:
            assert started.wait(30)  # the first submission holds the only place
            second = live.client.post("/api/v1/reports", json=distinct_report(1, "满"))
            assert (second.status_code, second.json()["code"]) == (503, "busy")
            assert (second.headers["retry-after"], second.headers["connection"]) == ("10", "close")
            assert live.client.get("/api/v1/reports").status_code == 200
        finally:
            go_on.set()
        assert first.result(60).status_code == 201
    assert live.client.post("/api/v1/reports", json=distinct_report(1, "满")).status_code == 201


def test_a_submission_turned_away_has_its_body_received_before_its_connection_closes():
    chunks = [{"type": "http.request", "body": b"x" * 100, "more_body": n < 2} for n in range(3)]
    sent: list[dict] = []

    async def receive() -> dict:
        return chunks.pop(0)

    async def send(message: dict) -> None:
        sent.append(message)

    async def unreachable(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        raise AssertionError("past the bound")

    admission = Admission(unreachable, limit=0, retry_after=10, max_body=1000)
    scope = {"type": "http", "method": "POST", "headers": [(b"transfer-encoding", b"chunked")]}
    anyio.run(admission, scope, receive, send)
    assert chunks == []  # all of the body was received, and dropped
    start = sent[0]
    assert start["status"] == 503
    assert (b"connection", b"close") in start["headers"] and (b"retry-after", b"10") in start["headers"]

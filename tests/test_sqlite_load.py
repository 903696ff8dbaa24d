"""Many callers at once: no request waits on another for a lock or a connection, so "database is
locked" or a pool timeout never reaches a caller."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest
from fastapi.testclient import TestClient
from live import Live, distinct_report, open_live


def _post(client: TestClient, n: int) -> tuple[int, str]:
    response = client.post("/api/v1/reports", json=distinct_report(n, "并发"))
    return response.status_code, response.text


def test_concurrent_writes_through_the_app_on_sqlite():
    for live in open_live("sqlite"):
        post = partial(_post, live.client)
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(post, range(64)))
        assert [status for status, _ in answers] == [201] * 64, [t for s, t in answers if s != 201][:3]
        assert not any("locked" in text for _, text in answers)
        assert live.scalar("SELECT count(*) FROM report") == 64
        assert live.scalar("SELECT count(DISTINCT organ) FROM report") == 64


@pytest.fixture(params=["sqlite", "postgresql"])
def two_threads(request: pytest.FixtureRequest) -> Iterator[Live]:
    yield from open_live(request.param, NIANBAO_REQUEST_THREADS="2")


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

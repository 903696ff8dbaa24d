"""Many writers at once on SQLite: WAL, a busy timeout and BEGIN IMMEDIATE keep "database is
locked" from ever reaching a caller."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import partial

from fastapi.testclient import TestClient
from live import distinct_report, open_live


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

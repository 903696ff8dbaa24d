"""Limits: a full extraction pool answers 503 with Retry-After; an oversized request 413."""

from __future__ import annotations

import pytest
from conftest import seed_report_json
from live import open_live

from app import config
from app.services import limits


@pytest.fixture
def setting(monkeypatch):
    def set_(name: str, value: str) -> None:
        monkeypatch.setenv(f"NIANBAO_{name.upper()}", value)
        config.get_settings.cache_clear()

    yield set_
    monkeypatch.undo()
    config.get_settings.cache_clear()


def test_full_extraction_pool_is_503_with_retry_after(client, setting):
    setting("max_concurrent_extractions", "1")
    setting("extraction_wait_seconds", "0.05")
    slots = limits._slots(1)
    assert slots.acquire(timeout=5)
    try:
        response = client.post("/api/v1/validate", json=seed_report_json("002_3de73757d3cdff2d"))
    finally:
        slots.release()
    assert response.status_code == 503
    assert response.json()["code"] == "busy"
    assert response.headers["retry-after"] == "5"
    assert client.post("/api/v1/validate", json=seed_report_json("002_3de73757d3cdff2d")).status_code == 200


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

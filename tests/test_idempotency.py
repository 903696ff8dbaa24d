"""Idempotency-Key: one execution per key; the same answer again; another body or a request in
flight are told apart."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from live import distinct_report, live  # noqa: F401
from sqlmodel import Session

from app.models.access import IdempotencyRecord
from app.services import idempotency

JSON = {"content-type": "application/json"}


def _post(live, report: dict, key: str):  # noqa: F811
    return live.client.post("/api/v1/reports", json=report, headers={"Idempotency-Key": key})


def test_same_key_same_body_replays_the_answer(live):  # noqa: F811
    report = distinct_report(1, "幂等")
    first = _post(live, report, "order-1")
    assert first.status_code == 201
    again = _post(live, report, "order-1")
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    # Without the key the content dedupe answers instead: 200 with the stored report.
    assert live.client.post("/api/v1/reports", json=report).status_code == 200
    assert live.scalar("SELECT count(*) FROM report WHERE organ = '测试幂等县第1局'") == 1


def test_same_key_other_body_is_refused(live):  # noqa: F811
    assert _post(live, distinct_report(2, "幂等"), "order-2").status_code == 201
    other = _post(live, distinct_report(3, "幂等"), "order-2")
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert live.scalar("SELECT count(*) FROM report WHERE organ = '测试幂等县第3局'") == 0


def test_a_key_still_in_flight_is_409(live):  # noqa: F811
    report = distinct_report(4, "幂等")
    body = json.dumps(report).encode()
    # The first request holds the key and has not answered yet.
    fingerprint = idempotency.fingerprint(
        path="/api/v1/reports", query=b"", content_type="application/json", body=[body[:7], body[7:]]
    )
    principal = idempotency.principal(key_id=None)  # the local newcomer: no key exists yet
    with Session(live.engine) as session:
        session.add(
            IdempotencyRecord(
                principal=principal, key="order-4", request_sha256=fingerprint, created_at=datetime.now(UTC)
            )
        )
        session.commit()
    response = live.client.post(
        "/api/v1/reports",
        content=body,
        headers={"Idempotency-Key": "order-4", "content-type": "application/json"},
    )
    assert (response.status_code, response.json()["code"]) == (409, "idempotency_in_flight")
    assert response.headers["retry-after"] == "2"


def test_a_failed_first_attempt_can_be_retried_with_the_same_key(live):  # noqa: F811
    broken = live.client.post(
        "/api/v1/reports",
        content=b'{"organ": ',
        headers={"Idempotency-Key": "k-5", "content-type": "application/json"},
    )
    assert broken.status_code == 422
    # A 4xx answer is an answer: the same bytes with the same key get it again.
    again = live.client.post(
        "/api/v1/reports",
        content=b'{"organ": ',
        headers={"Idempotency-Key": "k-5", "content-type": "application/json"},
    )
    assert again.status_code == 422 and again.headers["idempotent-replayed"] == "true"
    bad_key = live.client.post("/api/v1/reports", json={}, headers={"Idempotency-Key": "with space"})
    assert (bad_key.status_code, bad_key.json()["code"]) == (422, "invalid_idempotency_key")


def test_multipart_retries_match_whatever_the_boundary(live):  # noqa: F811
    data = json.dumps(distinct_report(6, "幂等")).encode()
    headers = {"Idempotency-Key": "batch-6"}
    first = live.client.post("/api/v1/batches", files={"files": ("a.json", data)}, headers=headers)
    again = live.client.post("/api/v1/batches", files={"files": ("a.json", data)}, headers=headers)
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert live.scalar("SELECT count(*) FROM batch") == 1


def test_the_fingerprint_ignores_the_boundary_wherever_the_chunks_split_it():
    def body(boundary: bytes) -> bytes:
        return b"--" + boundary + b"\r\ncontent\r\n--" + boundary + b"--\r\n"

    def fingerprint(boundary: bytes, size: int) -> str:
        data = body(boundary)
        return idempotency.fingerprint(
            path="/api/v1/batches",
            query=b"",
            content_type=f"multipart/form-data; boundary={boundary.decode()}",
            body=[data[i : i + size] for i in range(0, len(data), size)],
        )

    prints = {fingerprint(b, size) for b in (b"abc123", b"zzzzzzzzzzzzzz") for size in (1, 3, 5, 7, 100)}
    assert len(prints) == 1
    other = idempotency.fingerprint(
        path="/api/v1/batches",
        query=b"",
        content_type="multipart/form-data; boundary=q",
        body=[b"--q\r\nother"],
    )
    assert other not in prints

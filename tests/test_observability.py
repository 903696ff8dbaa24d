"""Request ids, JSON logs, Prometheus metrics."""

from __future__ import annotations

import json
import logging

from conftest import seed_report_json

from app.services import telemetry


def test_request_id_is_returned_and_a_sane_one_is_kept(client):
    generated = client.get("/healthz").headers["x-request-id"]
    assert len(generated) == 32 and int(generated, 16) >= 0
    assert (
        client.get("/healthz", headers={"X-Request-ID": "portal-42.a"}).headers["x-request-id"]
        == "portal-42.a"
    )
    hostile = client.get("/healthz", headers={"X-Request-ID": 'x" injected'}).headers["x-request-id"]
    assert hostile != 'x" injected' and len(hostile) == 32


def test_json_log_line_carries_the_request_id():
    record = logging.LogRecord("nianbao.http", logging.INFO, __file__, 1, "request", None, None)
    record.fields = {"status": 201}
    token = telemetry.request_id.set("abc123")
    try:
        line = json.loads(telemetry.JsonFormatter().format(record))
    finally:
        telemetry.request_id.reset(token)
    assert (line["message"], line["request_id"], line["status"], line["level"]) == (
        "request",
        "abc123",
        201,
        "info",
    )


def _metric(text: str, prefix: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(prefix))


def test_metrics_count_requests_extractions_and_findings(client):
    before = client.get("/metrics").text
    report = seed_report_json("001_67e027749f67ecd0")
    report["organ"] = "指标测试局"
    report["table3"]["new_received"]["natural_person"] = 999  # breaks the balance: findings
    stored = client.post("/api/v1/reports", json=report).json()
    after = client.get("/metrics")
    assert after.headers["content-type"].startswith("text/plain")
    text = after.text
    route = 'nianbao_http_requests_total{method="POST",route="/api/v1/reports",status="201"}'
    assert _metric(text, route) == _metric(before, route) + 1
    json_ok = 'nianbao_extraction_seconds_count{format="json",outcome="ok"}'
    assert _metric(text, json_ok) == _metric(before, json_ok) + 1
    for rule in {f["rule"] for f in stored["validation"]["findings"]}:
        prefix = f'nianbao_findings_total{{rule="{rule}"'
        count = sum(1 for f in stored["validation"]["findings"] if f["rule"] == rule)
        assert _metric(text, prefix) == _metric(before, prefix) + count
    assert stored["validation"]["findings"]

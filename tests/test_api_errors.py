"""Bad input gets a problem+json with a stable code, a Chinese detail and the exact path."""

from __future__ import annotations

from conftest import seed_report_json

SEED_004 = "004_3754507d9f900802"
SEED_002 = "002_3de73757d3cdff2d"


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])
    return body


def _paths(body: dict) -> list[str]:
    return [e["path"] for e in body["errors"]]


def test_malformed_json(client):
    response = client.post(
        "/api/v1/reports", content=b'{"organ": ', headers={"content-type": "application/json"}
    )
    _problem(response, 422, "invalid_json")


def test_wrong_type_names_its_path(client):
    report = seed_report_json(SEED_002)
    report["table3"]["new_received"]["natural_person"] = "三"
    report["table4"]["reconsideration"]["total"] = [1]
    report["table4"]["reconsideration"]["upheld"] = 1.5  # a figure, if not a valid one: a VALUE error
    body = _problem(client.post("/api/v1/reports", json=report), 422, "invalid_report")
    assert _paths(body) == ["table3.new_received.natural_person", "table4.reconsideration.total"]


def test_unknown_codes_and_a_2021_row_in_a_2019_report(client):
    report = seed_report_json(SEED_004)
    report["table3"]["result.other.other"] = {"total": 0}
    report["table2"]["licensing"]["bogus"] = 1
    report["table9"] = {}
    body = _problem(client.post("/api/v1/reports", json=report), 422, "invalid_report")
    assert _paths(body) == ["table9"]
    del report["table9"]
    body = _problem(client.post("/api/v1/reports", json=report), 422, "invalid_report")
    assert _paths(body) == ["table2.licensing.bogus", "table3.result.other.other"]
    assert "2021" in body["errors"][1]["message"]


def test_missing_metadata(client):
    report = seed_report_json(SEED_002)
    del report["organ"]
    report["format"] = "2020"
    body = _problem(client.post("/api/v1/reports", json=report), 422, "invalid_report")
    assert _paths(body) == ["organ", "format"]


def test_money_is_kept_exact_from_a_number_or_a_string(client):
    report = seed_report_json(SEED_002)
    report["table2"]["fees"]["amount_10k_yuan"] = 0.1
    first = client.post(
        "/api/v1/validate",
        content=__import__("json").dumps(report),
        headers={"content-type": "application/json"},
    ).json()
    assert first["table2"]["fees"]["amount_10k_yuan"] == "0.1"
    report["table2"]["fees"]["amount_10k_yuan"] = "12345678.123456"
    stored = client.post("/api/v1/reports", json=report).json()
    assert client.get(f"/api/v1/reports/{stored['id']}").json()["table2"]["fees"]["amount_10k_yuan"] == (
        "12345678.123456"
    )


def test_negative_count_is_a_value_finding_not_a_422(client):
    report = seed_report_json(SEED_002)
    report["table2"]["licensing"]["decisions"] = -3
    body = client.post("/api/v1/validate", json=report).json()
    values = [f for f in body["validation"]["findings"] if f["rule"] == "VALUE"]
    assert [(f["cells"], f["reported"]) for f in values] == [(["table2.licensing.decisions"], "-3")]


def test_not_found_and_unsupported_media_type(client):
    _problem(client.get("/api/v1/reports/999999"), 404, "not_found")
    _problem(client.get("/api/v1/nothing"), 404, "not_found")
    _problem(
        client.post("/api/v1/reports", content=b"x", headers={"content-type": "text/csv"}),
        415,
        "unsupported_media_type",
    )
    _problem(client.get("/api/v1/reports", params={"limit": 0}), 422, "invalid_request")


def test_json_too_deep(client):
    response = client.post(
        "/api/v1/reports", content=b"[" * 10000 + b"]" * 10000, headers={"content-type": "application/json"}
    )
    _problem(response, 422, "json_too_deep")


def test_what_is_wrong_with_a_field_is_said_in_chinese(client):
    report = seed_report_json(SEED_002)
    report.update(organ="", year=1900, format="2020", published_on="去年", bogus=1)
    body = _problem(client.post("/api/v1/reports", json=report), 422, "invalid_report")
    assert {e["path"]: e["message"] for e in body["errors"]} == {
        "organ": "不能为空",
        "year": "应不小于 2008",
        "format": "应为 2021、2019 之一",
        "published_on": "应为日期，如 2025-01-20",
        "bogus": "未知的字段",
    }
    body = _problem(client.get("/api/v1/reports?limit=0&year=abc"), 422, "invalid_request")
    assert {e["path"]: e["message"] for e in body["errors"]} == {
        "query.year": "应为整数",
        "query.limit": "应不小于 1",
    }

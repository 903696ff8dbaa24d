"""/gov/v1: the same answers in {code, msg, data} with HTTP 200, documented beside /api/v1."""

from __future__ import annotations

from conftest import seed_report_json

from app.main import create_app

SEED = "002_3de73757d3cdff2d"


def test_success_is_code_zero_with_the_answer_as_data(client):
    report = seed_report_json(SEED)
    stored = client.post("/gov/v1/reports", json=report)
    assert stored.status_code == 200
    body = stored.json()
    assert (body["code"], body["msg"]) == ("0", "成功")
    direct = client.get(f"/api/v1/reports/{body['data']['id']}").json()
    assert client.get(f"/gov/v1/reports/{body['data']['id']}").json()["data"] == direct
    assert body["data"]["organ"] == report["organ"]


def test_problems_are_their_stable_code_with_http_200(client):
    missing = client.get("/gov/v1/reports/999999")
    assert missing.status_code == 200
    assert missing.json() == {
        "code": "not_found",
        "msg": "未找到编号为 999999 的报告",
        "data": {"status": 404},
    }
    report = seed_report_json(SEED)
    del report["organ"]
    invalid = client.post("/gov/v1/reports", json=report).json()
    assert invalid["code"] == "invalid_report"
    assert [e["path"] for e in invalid["data"]["errors"]] == ["organ"]
    assert client.get("/gov/v1/nothing").json()["code"] == "not_found"


def test_every_api_path_has_its_documented_twin():
    paths = create_app().openapi()["paths"]
    api = {p[len("/api/v1/") :] for p in paths if p.startswith("/api/v1/")}
    gov = {p[len("/gov/v1/") :] for p in paths if p.startswith("/gov/v1/")}
    assert api == gov and "reports" in api and "batches" in api
    twin = paths["/gov/v1/reports/{report_id}"]["get"]
    assert list(twin["responses"]) == ["200"]
    envelope = twin["responses"]["200"]["content"]["application/json"]["schema"]
    assert envelope["required"] == ["code", "msg", "data"]
    assert {"$ref": "#/components/schemas/ReportPublic"} in envelope["properties"]["data"]["anyOf"]

"""A name many places share (城关区) is placed by the city its report names, or left unplaced
with its candidates for a supervisor to choose on the report's page."""

from __future__ import annotations

from conftest import form_token, seed_report_json

ASHILI = "002_3de73757d3cdff2d"
LANZHOU_CHENGGUAN, LHASA_CHENGGUAN = "620102000000", "540102000000"


def _store(client, narrative: str) -> dict:
    report = seed_report_json(ASHILI) | {"organ": "城关区人民政府", "year": 2025, "narrative": narrative}
    response = client.post("/api/v1/reports", json=report)
    assert response.status_code == 201, response.text
    return response.json()


def _region_findings(report: dict) -> list[dict]:
    return [f for f in report["validation"]["findings"] if f["rule"] == "REGION"]


def test_the_city_the_report_names_places_it(client):
    report = _store(client, "兰州市城关区人民政府办公室编制本报告。根据《中华人民共和国政府信息公开条例》……")
    assert report["region_code"] == LANZHOU_CHENGGUAN
    [said] = _region_findings(report)
    assert said["severity"] == "info" and "兰州市" in said["message"]


def test_no_place_named_leaves_it_unplaced_until_a_supervisor_assigns_it(client):
    report = _store(client, "本机关认真贯彻落实《条例》。")
    assert report["region_code"] is None
    [warning] = _region_findings(report)
    assert warning["severity"] == "warning"
    assert "兰州市城关区" in warning["message"] and "拉萨市城关区" in warning["message"]
    candidates = client.get(f"/api/v1/reports/{report['id']}/region-candidates").json()
    assert {c["code"] for c in candidates} >= {LANZHOU_CHENGGUAN, LHASA_CHENGGUAN}

    unplaced = client.get("/reports", params={"region": "未定"}).text
    assert f'href="/reports/{report["id"]}"' in unplaced and "共 1 份报告" in unplaced
    page = client.get(f"/reports/{report['id']}")
    assert "未能确定所属地区" in page.text and f'value="{LHASA_CHENGGUAN}"' in page.text
    page = client.post(
        f"/reports/{report['id']}/region",
        data={"region_code": LHASA_CHENGGUAN, "csrf_token": form_token(client)},
    )
    assert page.status_code == 200 and "已归入" in page.text
    assert "共 0 份报告" in client.get("/reports", params={"region": "未定"}).text

    placed = client.get(f"/api/v1/reports/{report['id']}").json()
    assert placed["region_code"] == LHASA_CHENGGUAN and _region_findings(placed) == []
    sums = client.get(
        "/api/v1/aggregates", params={"figures": "table3.new_received.total", "region": "54", "group_by": ""}
    ).json()
    assert sums["rows"][0]["reports"] == 1

    response = client.put(f"/api/v1/reports/{report['id']}/region", json={"region_code": LANZHOU_CHENGGUAN})
    assert response.status_code == 200 and response.json()["region_code"] == LANZHOU_CHENGGUAN
    assert (
        client.put(f"/api/v1/reports/{report['id']}/region", json={"region_code": "999999"}).status_code
        == 422
    )
    assert client.put("/api/v1/reports/999999/region", json={"region_code": "620102"}).status_code == 404

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


def test_the_postcode_it_prints_places_it(client):
    report = _store(client, "本机关认真贯彻落实《条例》。地址：城关区XX路1号，邮编：730030。")
    assert report["region_code"] == LANZHOU_CHENGGUAN
    [said] = _region_findings(report)
    assert said["severity"] == "info" and "邮编 730030" in said["message"]


def test_the_telephone_area_code_it_prints_places_it(client):
    report = _store(client, "如有疑问请联系：（0891）6331234。")
    assert report["region_code"] == LHASA_CHENGGUAN
    # 0893 is 山南, which neither 城关区 is in: nothing settled, both candidates kept
    other = _store(client, "联系电话：0893-7821234")
    assert other["region_code"] is None
    [warning] = _region_findings(other)
    assert warning["severity"] == "warning" and "兰州市城关区" in warning["message"]


def test_codes_pointing_two_ways_settle_nothing(client):
    report = _store(client, "邮编：730030。联系电话：0891-6331234。")
    assert report["region_code"] is None
    assert "拉萨市城关区" in _region_findings(report)[0]["message"]


def test_a_name_that_settles_itself_is_not_moved_by_a_code(client):
    report = seed_report_json(ASHILI) | {
        "organ": "兰州市城关区人民政府",
        "year": 2025,
        "narrative": "联系电话：0891-6331234，邮编 850000。",
    }
    stored = client.post("/api/v1/reports", json=report).json()
    assert stored["region_code"] == LANZHOU_CHENGGUAN and _region_findings(stored) == []


def test_xinjiang_street_placed_by_its_area_code(client):
    report = seed_report_json(ASHILI) | {
        "organ": "团结路街道办事处",
        "year": 2025,
        "narrative": "本报告电子版可在门户网站下载。联系电话：0906-2123456。",
    }
    stored = client.post("/api/v1/reports", json=report).json()
    assert stored["region_code"] == "654301003000"  # 阿勒泰市团结路街道, not 天山区's or 奎屯市's
    kuitun = report | {"narrative": "邮编：833200", "year": 2024}
    assert client.post("/api/v1/reports", json=kuitun).json()["region_code"] == "654003001000"


def test_contact_codes_are_read_from_text():
    from app.extract.contacts import area_codes, postcodes

    text = (
        "电话：（0994）2345678、029-88881234，传真 0991－4561234；2023-12345678；"
        "邮政编码：830001 邮编 7300301"
    )
    assert area_codes(text) == ["0994", "029", "0991"]
    assert postcodes(text) == ["830001"]

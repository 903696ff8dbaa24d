"""The JSON path end to end: store, version, dedupe, list, read back, validate — on both databases."""

from __future__ import annotations

import copy
import hashlib
import json

from conftest import seed_report_json
from sqlalchemy import text

from app.services import files

SEED_001 = "001_67e027749f67ecd0"
SEED_000 = "000_b5dc321a53ba7bbe"
SEED_002 = "002_3de73757d3cdff2d"
SEED_004 = "004_3754507d9f900802"


def _errors(body: dict) -> list[dict]:
    return [f for f in body["validation"]["findings"] if f["severity"] == "error"]


def test_seed_001_is_stored_with_its_six_errors_and_read_back(client):
    response = client.post("/api/v1/reports", json=seed_report_json(SEED_001))
    assert response.status_code == 201
    body = response.json()
    assert body["id"] > 0 and body["version"] == 1
    assert body["table2"]["fees"]["amount_10k_yuan"] == "1941.7065"
    assert body["table3"]["result.total"]["natural_person"] == 164
    assert len(_errors(body)) == 6
    assert body["validation"]["valid"] is False

    again = client.get(f"/api/v1/reports/{body['id']}").json()
    assert again["table2"]["fees"]["amount_10k_yuan"] == "1941.7065"
    assert again["table3"] == body["table3"]
    assert again["validation"] == body["validation"]
    assert again["source"]["media_type"] == "application/json"

    validation = client.get(f"/api/v1/reports/{body['id']}/validation").json()
    assert validation["valid"] is False
    assert validation["counts"]["error"] == 6
    rules = sorted(f["rule"] for f in validation["findings"] if f["severity"] == "error")
    assert rules == ["T3-BALANCE"] * 3 + ["T3-RESULT-SUM"] * 3


def test_same_content_returns_the_stored_report(client):
    report = seed_report_json(SEED_002)
    first = client.post("/api/v1/reports", json=report)
    reordered = dict(reversed(list(report.items())))
    second = client.post("/api/v1/reports", json=reordered)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert client.get("/api/v1/reports", params={"organ": "阿什里乡"}).json()["total"] == 1


def test_a_json_report_keeps_its_canonical_bytes_in_its_row(client, session):
    report = seed_report_json(SEED_002)
    body = client.post("/api/v1/reports", json=report).json()
    content, size = session.execute(
        text("SELECT content, size FROM source_document WHERE sha256 = :digest"),
        {"digest": body["source"]["sha256"]},
    ).one()
    assert json.loads(bytes(content)) == report and size == len(content) == body["source"]["size"]
    assert hashlib.sha256(bytes(content)).hexdigest() == body["source"]["sha256"]
    assert not files.path_for(body["source"]["sha256"]).exists()


def test_a_corrected_report_becomes_a_new_version_and_the_old_stays_readable(client):
    wrong = seed_report_json(SEED_001)
    first = client.post("/api/v1/reports", json=wrong).json()
    fixed = copy.deepcopy(wrong)
    fixed["table3"]["result.total"].update({"natural_person": 82, "other_org": 215, "total": 297})
    second = client.post("/api/v1/reports", json=fixed)
    assert second.status_code == 201
    assert second.json()["version"] == 2
    assert second.json()["validation"]["valid"] is True

    old = client.get(f"/api/v1/reports/{first['id']}").json()
    assert old["is_latest"] is False and old["table3"]["result.total"]["total"] == 594

    listed = client.get("/api/v1/reports", params={"organ": "第十师北屯市"}).json()
    assert [item["id"] for item in listed["items"]] == [second.json()["id"]]
    every = client.get("/api/v1/reports", params={"organ": "第十师北屯市", "all_versions": True}).json()
    assert every["total"] == 2


def test_list_filters_by_year_and_validity(client):
    for name in (SEED_000, SEED_001, SEED_002, SEED_004):
        assert client.post("/api/v1/reports", json=seed_report_json(name)).status_code == 201
    invalid = client.get("/api/v1/reports", params={"valid": False}).json()
    assert sorted(item["organ"] for item in invalid["items"]) == ["二二三团开泽镇", "第十师北屯市"]
    of_2025 = client.get("/api/v1/reports", params={"year": 2025}).json()
    assert sorted(item["organ"] for item in of_2025["items"]) == [
        "昌吉市阿什里乡",
        "第四师可克达拉市六十七团",
    ]
    page = client.get("/api/v1/reports", params={"limit": 1, "offset": 1}).json()
    assert page["total"] == 4 and len(page["items"]) == 1 and page["limit"] == 1


def test_validate_stores_nothing(client):
    response = client.post("/api/v1/validate", json=seed_report_json(SEED_004))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] is None
    assert len(_errors(body)) == 4
    assert client.get("/api/v1/reports").json()["total"] == 0


def test_blank_figures_are_kept_blank(client):
    body = client.post("/api/v1/reports", json=seed_report_json(SEED_000)).json()
    assert body["table4"]["reconsideration"] == dict.fromkeys(
        ("upheld", "corrected", "other", "pending", "total")
    )
    stored = client.get(f"/api/v1/reports/{body['id']}").json()
    blanks = [f for f in stored["figures"] if f["status"] == "blank"]
    assert [f["column"] for f in blanks] == ["upheld", "corrected", "other", "pending", "total"]
    assert stored["validation"]["valid"] is True


def _carry(year: int, carried_over: int, carried_to_next: int) -> dict:
    report = seed_report_json(SEED_002)
    report["year"] = year
    t3 = report["table3"]
    t3["carried_over"].update({"natural_person": carried_over, "total": carried_over})
    t3["new_received"].update({"natural_person": 5, "total": 5})
    t3["result.disclosed"].update({"natural_person": 5 + carried_over - carried_to_next})
    t3["result.disclosed"]["total"] = t3["result.disclosed"]["natural_person"]
    t3["result.total"].update(t3["result.disclosed"])
    t3["carried_to_next_year"].update({"natural_person": carried_to_next, "total": carried_to_next})
    return report


def _carry_findings(body: dict) -> list[dict]:
    return [f for f in body["validation"]["findings"] if f["rule"] == "YEAR-CARRY"]


def test_year_carry_fires_when_the_previous_year_arrives_first(client):
    client.post("/api/v1/reports", json=_carry(2023, 0, 2))
    body = client.post("/api/v1/reports", json=_carry(2024, 3, 0)).json()
    findings = _carry_findings(body)
    assert {(f["location"]["column"], f["reported"], f["expected"]) for f in findings} == {
        ("natural_person", "3", "2"),
        ("total", "3", "2"),
    }


def test_year_carry_fires_when_the_previous_year_arrives_later(client):
    later = client.post("/api/v1/reports", json=_carry(2024, 3, 0)).json()
    assert _carry_findings(later) == []
    client.post("/api/v1/reports", json=_carry(2023, 0, 2))
    rechecked = client.get(f"/api/v1/reports/{later['id']}/validation").json()
    assert {
        (f["location"]["column"], f["reported"], f["expected"])
        for f in rechecked["findings"]
        if f["rule"] == "YEAR-CARRY"
    } == {("natural_person", "3", "2"), ("total", "3", "2")}
    assert rechecked["counts"]["warning"] == 2


def test_year_carry_is_quiet_when_the_years_agree(client):
    client.post("/api/v1/reports", json=_carry(2023, 0, 2))
    assert _carry_findings(client.post("/api/v1/reports", json=_carry(2024, 2, 0)).json()) == []


def test_a_report_without_any_figure_is_stored_and_found_incomplete(client):
    response = client.post("/api/v1/reports", json={"organ": "某县某局", "year": 2024, "format": "2021"})
    assert response.status_code == 201, response.text
    body = client.get(f"/api/v1/reports/{response.json()['id']}").json()
    assert body["figures"] == []
    assert "COMPLETE" in {f["rule"] for f in body["validation"]["findings"]}

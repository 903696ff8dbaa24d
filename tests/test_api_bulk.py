"""Many reports in one request: the same outcome as posting them one by one, on both databases."""

from __future__ import annotations

import copy
import json
import threading
from decimal import Decimal

import pytest
from conftest import seed_names, seed_report_json
from sqlalchemy import text
from sqlmodel import Session

from app.config import get_settings
from app.draft import Figure, Status
from app.services import bulk, intake, reports
from app.services.access import LOCAL
from app.services.scope import NATIONAL

BULK = "/api/v1/reports/bulk"
SEED_000 = "000_b5dc321a53ba7bbe"
SEED_001 = "001_67e027749f67ecd0"
SEED_002 = "002_3de73757d3cdff2d"
SEED_004 = "004_3754507d9f900802"


def _rules(validation: dict, severity: str) -> list[str]:
    return sorted(f["rule"] for f in validation["findings"] if f["severity"] == severity)


def test_the_five_seeds_in_one_batch_are_stored_with_their_findings(client):
    body = client.post(BULK, json=[seed_report_json(name) for name in seed_names()])
    assert body.status_code == 200
    result = body.json()
    assert (result["created"], result["existing"], result["rejected"]) == (5, 0, 0)
    items = result["items"]
    assert [i["index"] for i in items] == [0, 1, 2, 3, 4]
    assert [i["status"] for i in items] == [201] * 5
    assert [i["version"] for i in items] == [1] * 5
    assert [(i["valid"], i["counts"]["error"]) for i in items] == [
        (True, 0),
        (False, 6),
        (True, 0),
        (True, 0),
        (False, 4),
    ]
    assert items[0]["counts"]["warning"] == 1  # the five blank 行政复议 cells
    assert items[4]["counts"]["warning"] == 1  # a 2024 report in the 2019 layout

    seed_001 = client.get(f"/api/v1/reports/{items[1]['id']}").json()
    assert seed_001["organ"] == "第十师北屯市" and seed_001["year"] == 2024
    assert seed_001["table2"]["fees"]["amount_10k_yuan"] == "1941.7065"
    assert seed_001["table3"]["result.total"]["total"] == 594
    assert _rules(seed_001["validation"], "error") == ["T3-BALANCE"] * 3 + ["T3-RESULT-SUM"] * 3
    assert all("两倍" in f["hint"] for f in seed_001["validation"]["findings"] if f["severity"] == "error")

    seed_004 = client.get(f"/api/v1/reports/{items[4]['id']}/validation").json()
    assert _rules(seed_004, "warning") == ["FORMAT"]
    blanks = client.get(f"/api/v1/reports/{items[0]['id']}").json()
    assert blanks["table4"]["reconsideration"]["total"] is None


def test_a_report_stored_in_bulk_reads_back_as_one_stored_alone(client):
    report = seed_report_json(SEED_001)
    alone = client.post("/api/v1/validate", json=report).json()
    [item] = client.post(BULK, json=[report]).json()["items"]
    stored = client.get(f"/api/v1/reports/{item['id']}").json()
    # a stored finding has an id to review it by; one only checked has none
    assert all(f["id"] for f in stored["validation"]["findings"])
    for finding in stored["validation"]["findings"]:
        finding["id"] = None
    assert stored["validation"] == alone["validation"]
    assert stored["figures"] == alone["figures"]
    assert stored["source"]["media_type"] == "application/json"


def test_identical_content_is_stored_once_within_a_batch_and_across_requests(client):
    report = seed_report_json(SEED_002)
    reordered = dict(reversed(list(report.items())))
    first = client.post(BULK, json=[report, reordered]).json()
    assert [(i["status"], i["created"]) for i in first["items"]] == [(201, True), (200, False)]
    assert first["items"][0]["id"] == first["items"][1]["id"]
    assert (first["created"], first["existing"]) == (1, 1)

    single = client.post("/api/v1/reports", json=report)
    assert single.status_code == 200 and single.json()["id"] == first["items"][0]["id"]
    again = client.post(BULK, json=[reordered]).json()
    assert again["items"][0]["status"] == 200 and again["items"][0]["id"] == first["items"][0]["id"]
    assert (
        client.get("/api/v1/reports", params={"organ": "阿什里乡", "all_versions": True}).json()["total"] == 1
    )


def test_a_report_stored_alone_before_is_found_by_a_batch(client):
    stored = client.post("/api/v1/reports", json=seed_report_json(SEED_004)).json()
    result = client.post(BULK, json=[seed_report_json(SEED_004), seed_report_json(SEED_000)]).json()
    assert [i["status"] for i in result["items"]] == [200, 201]
    assert result["items"][0]["id"] == stored["id"]
    assert result["items"][0]["counts"] == {"error": 4, "warning": 1, "info": 0}


def _fixed_001() -> dict:
    fixed = seed_report_json(SEED_001)
    fixed["table3"]["result.total"].update({"natural_person": 82, "other_org": 215, "total": 297})
    return fixed


def test_the_same_body_and_year_twice_in_a_batch_are_two_versions(client):
    result = client.post(BULK, json=[seed_report_json(SEED_001), _fixed_001()]).json()
    first, second = result["items"]
    assert (first["version"], second["version"]) == (1, 2)
    assert (first["valid"], second["valid"]) == (False, True)
    assert client.get(f"/api/v1/reports/{first['id']}").json()["is_latest"] is False
    assert client.get(f"/api/v1/reports/{second['id']}").json()["is_latest"] is True
    listed = client.get("/api/v1/reports", params={"organ": "第十师北屯市"}).json()
    assert [i["id"] for i in listed["items"]] == [second["id"]]


def test_a_batch_adds_a_version_on_top_of_a_stored_report(client):
    stored = client.post("/api/v1/reports", json=seed_report_json(SEED_001)).json()
    [item] = client.post(BULK, json=[_fixed_001()]).json()["items"]
    assert item["version"] == 2 and item["status"] == 201
    assert client.get(f"/api/v1/reports/{stored['id']}").json()["is_latest"] is False
    every = client.get("/api/v1/reports", params={"organ": "第十师北屯市", "all_versions": True}).json()
    assert sorted(i["version"] for i in every["items"]) == [1, 2]


def _carry(year: int, carried_over: int, carried_to_next: int) -> dict:
    """Seed 002 with one consistent table 三 whose carry-over figures are the ones given."""
    report = copy.deepcopy(seed_report_json(SEED_002))
    report["year"] = year
    t3 = report["table3"]
    t3["carried_over"].update({"natural_person": carried_over, "total": carried_over})
    t3["new_received"].update({"natural_person": 5, "total": 5})
    handled = 5 + carried_over - carried_to_next
    t3["result.disclosed"].update({"natural_person": handled, "total": handled})
    t3["result.total"].update({"natural_person": handled, "total": handled})
    t3["carried_to_next_year"].update({"natural_person": carried_to_next, "total": carried_to_next})
    return report


def _carry_cells(validation: dict) -> set[tuple[str, str, str]]:
    return {
        (f["location"]["column"], f["reported"], f["expected"])
        for f in validation["findings"]
        if f["rule"] == "YEAR-CARRY"
    }


def test_year_carry_between_two_years_of_one_batch_in_either_order(client):
    forward = client.post(BULK, json=[_carry(2023, 0, 2), _carry(2024, 3, 0)]).json()["items"]
    assert forward[1]["counts"]["warning"] == 2
    later = client.get(f"/api/v1/reports/{forward[1]['id']}/validation").json()
    assert _carry_cells(later) == {("natural_person", "3", "2"), ("total", "3", "2")}


def test_year_carry_when_the_later_year_comes_first_in_the_batch(client):
    items = client.post(BULK, json=[_carry(2024, 3, 0), _carry(2023, 0, 2)]).json()["items"]
    assert items[0]["counts"]["warning"] == 2  # the 2024 report, re-checked within the batch
    assert items[1]["counts"]["warning"] == 0
    later = client.get(f"/api/v1/reports/{items[0]['id']}/validation").json()
    assert _carry_cells(later) == {("natural_person", "3", "2"), ("total", "3", "2")}
    assert later["counts"]["warning"] == 2


def test_a_batch_rechecks_the_stored_following_year(client):
    stored = client.post("/api/v1/reports", json=_carry(2024, 3, 0)).json()
    assert _carry_cells(stored["validation"]) == set()
    client.post(BULK, json=[_carry(2023, 0, 2)])
    rechecked = client.get(f"/api/v1/reports/{stored['id']}/validation").json()
    assert _carry_cells(rechecked) == {("natural_person", "3", "2"), ("total", "3", "2")}
    listed = client.get("/api/v1/reports", params={"year": 2024}).json()["items"]
    assert [i["counts"]["warning"] for i in listed] == [2]

    client.post(BULK, json=[_carry(2023, 0, 3)])  # a corrected 2023 that agrees with 2024
    agreed = client.get(f"/api/v1/reports/{stored['id']}/validation").json()
    assert _carry_cells(agreed) == set() and agreed["counts"]["warning"] == 0


def test_a_batch_reads_the_stored_previous_year(client):
    client.post("/api/v1/reports", json=_carry(2023, 0, 2))
    [item] = client.post(BULK, json=[_carry(2024, 3, 0)]).json()["items"]
    stored = client.get(f"/api/v1/reports/{item['id']}/validation").json()
    assert _carry_cells(stored) == {("natural_person", "3", "2"), ("total", "3", "2")}


def test_an_invalid_item_is_answered_on_its_own_and_the_others_are_stored(client):
    wrong_layout = seed_report_json(SEED_004)  # a 2019 report given a 2021-only row
    wrong_layout["table3"]["result.other.other"] = {"total": 1}
    result = client.post(BULK, json=[seed_report_json(SEED_002), wrong_layout, "不是报告", _fixed_001()])
    assert result.status_code == 200
    body = result.json()
    assert (body["created"], body["existing"], body["rejected"]) == (2, 0, 2)
    assert [i["status"] for i in body["items"]] == [201, 422, 422, 201]
    problem = body["items"][1]["problem"]
    assert problem["code"] == "invalid_report"
    assert problem["errors"] == [
        {"path": "table3.result.other.other", "message": "该行属于 2021 年格式，与 format=2019 不符"}
    ]
    assert body["items"][1]["id"] is None
    assert body["items"][2]["problem"]["code"] == "invalid_report"
    assert client.get("/api/v1/reports").json()["total"] == 2


def test_an_empty_batch_stores_nothing(client):
    assert client.post(BULK, json=[]).json() == {"created": 0, "existing": 0, "rejected": 0, "items": []}


def test_the_batch_must_be_a_json_array(client):
    response = client.post(BULK, json=seed_report_json(SEED_002))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "invalid_batch"
    broken = client.post(BULK, content=b"[{", headers={"content-type": "application/json"})
    assert broken.status_code == 422 and broken.json()["code"] == "invalid_json"
    text = client.post(BULK, content=b"[]", headers={"content-type": "text/plain"})
    assert text.status_code == 415


def test_more_reports_than_the_cap_is_413(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "max_bulk_reports", 2)
    reports = [_carry(year, 0, 0) for year in (2021, 2022, 2023)]
    response = client.post(BULK, json=reports)
    assert response.status_code == 413
    assert response.json()["code"] == "too_many_reports"
    assert "2 份" in response.json()["detail"]
    assert client.get("/api/v1/reports").json()["total"] == 0
    assert client.post(BULK, json=reports[:2]).json()["created"] == 2


def test_a_body_over_the_byte_cap_is_413(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "max_bulk_bytes", 1024 * 1024)
    body = json.dumps([seed_report_json(SEED_002)] * 300).encode()
    assert len(body) > 1024 * 1024
    response = client.post(BULK, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_figure_provenance_and_candidates_survive_the_bulk_insert(session):
    draft, upload = intake.json_report(json.dumps(seed_report_json(SEED_001)).encode())
    key = ("table3", "new_received", "natural_person")
    draft.figures[key] = Figure(
        None, Status.AMBIGUOUS, raw="640020470", page=2, line=14, candidates=[64, Decimal("6.4")]
    )
    [outcome] = bulk.ingest(session=session, items=[bulk.prepare(draft, upload)], caller=LOCAL)
    stored = reports.get(session=session, report_id=outcome.report_id, within=NATIONAL)
    figure = next(f for f in stored.figures if (f.table, f.row, f.column) == key)
    assert (figure.value, figure.status, figure.raw, figure.page, figure.line) == (
        None,
        "ambiguous",
        "640020470",
        2,
        14,
    )
    assert figure.candidates == [64, "6.4"]
    assert stored.table2["fees"]["amount_10k_yuan"] == "1941.7065"
    assert any(f.rule == "COMPLETE" and f.location.row == "new_received" for f in stored.validation.findings)


def test_an_unknown_region_code_rejects_only_its_item(client):
    unknown = seed_report_json(SEED_004)
    unknown["region_code"] = "999999"
    body = client.post(BULK, json=[unknown, seed_report_json(SEED_002)]).json()
    assert [i["status"] for i in body["items"]] == [422, 201]
    assert body["items"][0]["problem"]["code"] == "unknown_region"
    assert client.get("/api/v1/reports").json()["total"] == 1
    alone = client.post("/api/v1/reports", json=unknown)
    assert alone.status_code == 422 and alone.json()["code"] == "unknown_region"


def test_two_writers_racing_for_the_same_report_store_it_once(engine):
    """The loser of the race waits on the unique index, then finds the winner's report."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes the write lock at BEGIN, so two writers never overlap")
    report = seed_report_json(SEED_002)
    report["organ"] = "昌吉市阿什里乡（并发）"
    body = json.dumps([report]).encode()
    first, second = Session(engine), Session(engine)
    answers: dict[str, dict] = {}

    def later() -> None:
        answers["second"] = bulk.ingest_items(
            session=second, items=intake.json_reports(body), caller=LOCAL
        ).model_dump()
        second.commit()

    try:
        answers["first"] = bulk.ingest_items(
            session=first, items=intake.json_reports(body), caller=LOCAL
        ).model_dump()
        waiting = threading.Thread(target=later)
        waiting.start()
        waiting.join(1)  # blocked on the first writer's uncommitted source row
        first.commit()
        waiting.join(60)
        [won], [lost] = answers["first"]["items"], answers["second"]["items"]
        assert (won["status"], lost["status"]) == (201, 200)
        assert lost["id"] == won["id"]
    finally:
        first.close()
        second.close()
        with engine.begin() as connection:
            ids = [
                r
                for (r,) in connection.execute(
                    text("SELECT id FROM report WHERE organ = :o"), {"o": report["organ"]}
                )
            ]
            for table in ("finding", "figure"):
                connection.execute(text(f"DELETE FROM {table} WHERE report_id = ANY(:ids)"), {"ids": ids})
            connection.execute(text("DELETE FROM report WHERE id = ANY(:ids)"), {"ids": ids})
            connection.execute(
                text("DELETE FROM source_document WHERE id NOT IN (SELECT source_id FROM report)")
            )

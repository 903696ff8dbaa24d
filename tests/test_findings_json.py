"""A JSON report is read as leniently as a portal's form: a wrong figure is a VALUE finding at its
cell, never a 422 hiding the report's other findings, and never a figure stored changed."""

from __future__ import annotations

import pytest
from conftest import seed_report_json

SEED_001 = "001_67e027749f67ecd0"
SEED_002 = "002_3de73757d3cdff2d"

# The six sum errors of seed 001: its （七）总计 row is doubled in three columns.
SIX_SUM_ERRORS = {
    ("T3-RESULT-SUM", "natural_person", "164", "82"),
    ("T3-RESULT-SUM", "other_org", "430", "215"),
    ("T3-RESULT-SUM", "total", "594", "297"),
    ("T3-BALANCE", "natural_person", "164", "82"),
    ("T3-BALANCE", "other_org", "430", "215"),
    ("T3-BALANCE", "total", "594", "297"),
}


def _post(client, report: dict) -> dict:
    response = client.post("/api/v1/reports", json=report)
    assert response.status_code == 201, response.text
    return response.json()


def _figure(body: dict, code: str) -> dict:
    return next(f for f in body["figures"] if f"{f['table']}.{f['row']}.{f['column']}" == code)


def _errors(body: dict, rule: str | None = None) -> list[dict]:
    return [
        f for f in body["validation"]["findings"] if f["severity"] == "error" and rule in (None, f["rule"])
    ]


def test_a_count_of_2_5_is_a_value_error_and_every_other_finding_still_comes(client):
    report = seed_report_json(SEED_001)
    report["table2"]["licensing"]["decisions"] = 2.5
    body = _post(client, report)
    [value] = _errors(body, "VALUE")
    assert value["cells"] == ["table2.licensing.decisions"]
    assert value["location"] == {"table": "table2", "row": "licensing", "column": "decisions", "page": None}
    assert value["reported"] == "2.5"
    assert value["message"] == "行政许可：2.5 不是合法的非负整数"
    sums = {
        (f["rule"], f["location"]["column"], f["reported"], f["expected"])
        for f in _errors(body)
        if f["rule"] != "VALUE"
    }
    assert sums == SIX_SUM_ERRORS
    # stored as its text only: the count column holds no 2 or 3 made up from it
    stored = client.get(f"/api/v1/reports/{body['id']}").json()
    figure = _figure(stored, "table2.licensing.decisions")
    assert (figure["value"], figure["raw"]) == (None, "2.5")
    assert stored["validation"] == body["validation"]


def test_minus_one_is_a_value_error_and_100_0_the_count_100(client):
    report = seed_report_json(SEED_002)
    report["table2"]["penalty"]["decisions"] = -1
    report["table2"]["coercion"]["decisions"] = 100.0
    body = _post(client, report)
    assert [(f["cells"], f["reported"]) for f in _errors(body)] == [(["table2.penalty.decisions"], "-1")]
    assert body["table2"]["coercion"]["decisions"] == 100
    assert _figure(body, "table2.coercion.decisions")["value"] == 100


@pytest.mark.parametrize("text", ["/", "-", "—", "", "N/A"])
def test_a_placeholder_is_a_blank_cell_with_its_text_kept(client, text):
    report = seed_report_json(SEED_002)
    report["table2"]["licensing"]["decisions"] = text
    report["table2"]["penalty"]["decisions"] = 0
    body = _post(client, report)
    blank = _figure(body, "table2.licensing.decisions")
    assert (blank["value"], blank["status"], blank["raw"]) == (None, "blank", text)
    zero = _figure(body, "table2.penalty.decisions")
    assert (zero["value"], zero["status"], zero["raw"]) == (0, "read", None)
    [complete] = [f for f in body["validation"]["findings"] if f["rule"] == "COMPLETE"]
    assert complete["cells"] == ["table2.licensing.decisions"] and complete["severity"] == "warning"
    assert body["validation"]["valid"]
    stored = _figure(client.get(f"/api/v1/reports/{body['id']}").json(), "table2.licensing.decisions")
    assert (stored["value"], stored["status"], stored["raw"]) == (None, "blank", text)


def test_text_that_is_no_number_stays_a_422_naming_its_path(client):
    report = seed_report_json(SEED_002)
    report["table2"]["licensing"]["decisions"] = "十二"
    response = client.post("/api/v1/reports", json=report)
    assert response.status_code == 422
    assert [e["path"] for e in response.json()["errors"]] == ["table2.licensing.decisions"]


def test_values_beyond_what_storage_holds_are_value_errors_never_rounded(client):
    report = seed_report_json(SEED_002)
    raw = client.post(
        "/api/v1/reports",
        content=_with_raw(report, {("table2", "licensing", "decisions"): "1e400"}),
        headers={"content-type": "application/json"},
    )
    assert raw.status_code == 201, raw.text
    body = raw.json()
    [value] = _errors(body, "VALUE")
    assert value["reported"] == "1E+400" and "10 的 15 次方" in value["message"]
    stored = client.get(f"/api/v1/reports/{body['id']}").json()
    figure = _figure(stored, "table2.licensing.decisions")
    assert (figure["value"], figure["raw"]) == (None, "1E+400")

    report["organ"] += "（二）"
    report["table2"]["penalty"]["decisions"] = 10**16
    report["table2"]["fees"]["amount_10k_yuan"] = "0.1234567"  # NUMERIC(20,6) would round it
    body = _post(client, report)
    assert {(f["cells"][0], f["reported"]) for f in _errors(body)} == {
        ("table2.penalty.decisions", "10000000000000000"),
        ("table2.fees.amount_10k_yuan", "0.1234567"),
    }
    stored = client.get(f"/api/v1/reports/{body['id']}").json()
    fees = _figure(stored, "table2.fees.amount_10k_yuan")
    assert (fees["value"], fees["raw"]) == (None, "0.1234567")
    assert _figure(stored, "table2.penalty.decisions")["value"] is None
    # the sums by region leave them out rather than count a rounded or infinite figure
    assert stored["table2"]["fees"]["amount_10k_yuan"] is None


def _with_raw(report: dict, literals: dict[tuple[str, str, str], str]) -> bytes:
    """The report as JSON text with some figures written as literals json cannot produce (1e400)."""
    import json

    marked = json.loads(json.dumps(report))
    for (table, row, column), _ in literals.items():
        marked[table][row][column] = f"@@{table}.{row}.{column}@@"
    text = json.dumps(marked, ensure_ascii=False)
    for (table, row, column), literal in literals.items():
        text = text.replace(f'"@@{table}.{row}.{column}@@"', literal)
    return text.encode()


def test_a_wrong_total_cell_is_located_at_the_total_column(client):
    report = seed_report_json(SEED_002)
    report["table4"]["reconsideration"]["total"] += 1
    report["table3"]["new_received"]["total"] += 1
    body = _post(client, report)
    t4 = _errors(body, "T4-TOTAL")
    assert [f["location"] for f in t4] == [
        {"table": "table4", "row": "reconsideration", "column": "total", "page": None}
    ]
    assert t4[0]["cells"][0] == "table4.reconsideration.total"
    assert set(t4[0]["cells"][1:]) == {
        f"table4.reconsideration.{c}" for c in ("upheld", "corrected", "other", "pending")
    }
    rows = _errors(body, "T3-ROW-TOTAL")
    assert [(f["location"]["row"], f["location"]["column"]) for f in rows] == [("new_received", "total")]
    # the balance of the 总计 column breaks too; the hint blames the one cell, and both are on it
    [balance] = _errors(body, "T3-BALANCE")
    assert "一、本年新收政府信息公开申请数量·总计" in balance["hint"]
    assert (balance["location"]["row"], balance["location"]["column"]) == ("new_received", "total")

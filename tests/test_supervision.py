"""Sums a supervisor can trust: impossible values left out and counted, errors on a figure counted,
downloads equal to the JSON with a 合计 row, and every finding in scope as one list."""

from __future__ import annotations

import csv
import io

import openpyxl
from conftest import seed_report_json

FEES = "table2.fees.amount_10k_yuan"
NEW = "table3.new_received.total"
ASHILI = "002_3de73757d3cdff2d"  # 昌吉市阿什里乡 2025, every figure consistent
CHANGJI_CITY = "652301000000"


def _report(organ: str, fee: str, **extra) -> dict:
    report = seed_report_json(ASHILI) | {"organ": organ, "year": 2025, **extra}
    report["table2"] = {**report["table2"], "fees": {"amount_10k_yuan": fee}}
    return report


def _store(client, *reports: dict) -> None:
    for report in reports:
        response = client.post("/api/v1/reports", json=report)
        assert response.status_code == 201, response.text


def _fees_by_township(client, **params) -> dict:
    response = client.get(
        "/api/v1/aggregates",
        params={"figures": f"{FEES},{NEW}", "region": CHANGJI_CITY, "year": 2025, "total": "true"} | params,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_negative_fee_is_left_out_of_the_sum_and_counted_as_invalid(client):
    _store(
        client,
        _report("昌吉市阿什里乡", "-12.5"),
        _report("昌吉市三工镇", "3.25"),
        _report("昌吉市榆树沟镇", "1.5"),
    )
    body = _fees_by_township(client, group_by="")
    [row] = body["rows"]
    assert row["reports"] == 3
    assert row["values"][FEES] == "4.75"  # 3.25 + 1.5; the -12.5 is not summed
    assert row["invalid"] == {FEES: 1, NEW: 0}
    assert row["blanks"] == {FEES: 0, NEW: 0}
    assert row["flagged"] == {FEES: 1, NEW: 0}
    assert row["reports_with_errors"] == 1

    by_township = {r["region"]["name"]: r for r in _fees_by_township(client)["rows"]}
    ashili = by_township["阿什里哈萨克民族乡"]
    assert (ashili["values"][FEES], ashili["invalid"][FEES], ashili["blanks"][FEES]) == (None, 1, 0)
    assert by_township["三工镇"]["values"][FEES] == "3.25"


def test_the_xlsx_and_csv_read_back_equal_to_the_json(client):
    _store(
        client,
        _report("昌吉市阿什里乡", "-12.5"),
        _report("昌吉市三工镇", "3.25"),
        _report("昌吉市人民政府", "7"),  # placed at the city itself: in the 合计, in no row
    )
    body = _fees_by_township(client)
    params = {"figures": f"{FEES},{NEW}", "region": CHANGJI_CITY, "year": 2025}
    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/api/v1/aggregates", params=params | {"format": "xlsx"}).content)
    )
    header, codes, *rows, total = list(book.active.iter_rows(values_only=True))
    assert header[0] == "地区代码" and header[4].endswith(f"（{FEES}）")
    assert codes[:4] == ("region.code", "region.path", "reports", "reports_with_errors")

    def as_json(row: dict) -> tuple:
        cells: list = [row["reports"], row["reports_with_errors"]]
        for code in (FEES, NEW):
            value = row["values"][code]
            cells += [float(value) if isinstance(value, str) else value]
            cells += [row["blanks"][code], row["invalid"][code], row["flagged"][code]]
        return tuple(cells)

    assert [r[0] for r in rows] == [r["region"]["code"] for r in body["rows"]]
    assert [r[2:] for r in rows] == [as_json(r) for r in body["rows"]]
    assert total[:2] == ("合计", None)
    assert total[2:] == as_json(body["total"])
    assert body["total"]["reports"] == 3 and body["total"]["values"][FEES] == "10.25"
    assert isinstance(total[4], float) and total[4] == 10.25  # a number, not text

    text = client.get("/api/v1/aggregates", params=params | {"format": "csv"}).content.decode("utf-8-sig")
    csv_rows = list(csv.reader(io.StringIO(text)))
    assert csv_rows[1] == list(codes)
    assert csv_rows[-1][:5] == ["合计", "", "3", "1", "10.25"]


def test_every_finding_in_scope_as_json_csv_and_xlsx(client):
    _store(client, _report("昌吉市阿什里乡", "-12.5"), _report("昌吉市三工镇", "3.25"))
    response = client.get("/api/v1/findings", params={"region": CHANGJI_CITY, "year": 2025, "rule": "VALUE"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 1 and body["truncated"] is False
    [item] = body["items"]
    assert (item["organ"], item["rule"], item["severity"], item["reported"]) == (
        "昌吉市阿什里乡",
        "VALUE",
        "error",
        "-12.5",
    )
    assert (item["table"], item["row"], item["column"]) == ("table2", "fees", "amount_10k_yuan")
    assert item["region"]["code"] == "652301202000"

    everything = client.get("/api/v1/findings", params={"region": CHANGJI_CITY}).json()
    assert everything["total"] >= 1

    for path, params in (
        ("/api/v1/findings", {"format": "xlsx"}),
        ("/api/v1/findings.xlsx", {}),
    ):
        content = client.get(path, params={"region": CHANGJI_CITY} | params).content
        header, codes, *rows, total = openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(
            values_only=True
        )
        assert header[:3] == ("报告编号", "机关", "年度") and codes[:3] == ("report_id", "organ", "year")
        assert len(rows) == everything["total"]
        assert [r[0] for r in rows] == [i["report_id"] for i in everything["items"]]
        assert total[0] == "合计"
    for path, params in (("/api/v1/findings", {"format": "csv"}), ("/api/v1/findings.csv", {})):
        response = client.get(path, params={"region": CHANGJI_CITY, "rule": "VALUE"} | params)
        assert response.headers["content-type"].startswith("text/csv")
        _, _, row, _ = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
        assert row[1] == "昌吉市阿什里乡" and row[5] == "VALUE" and row[7] == "错误"
        assert row[12] == "'-12.5"  # text that starts like a formula is guarded


def test_an_unknown_rule_is_a_problem(client):
    response = client.get("/api/v1/findings", params={"rule": "NOPE"})
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_rule"

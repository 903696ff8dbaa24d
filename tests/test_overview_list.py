"""The overview's report list: filtered by rule, severity, state, 逾期 and 未定, sorted, and read
leniently (a value that cannot be used is said on the page); both databases."""

from __future__ import annotations

import re

from conftest import seed_report_json

ASHILI = "002_3de73757d3cdff2d"  # a consistent report, 2025


def _store(client, organ: str, **extra) -> int:
    report = seed_report_json(ASHILI) | {"organ": organ, "year": 2025, **extra}
    response = client.post("/api/v1/reports", json=report)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _setup(client) -> dict[str, int]:
    late = _store(client, "吐鲁番市高昌区教育局", published_on="2026-02-10")  # departments: by 31 January
    broken = seed_report_json(ASHILI)["table3"]
    total = broken["result.total"]
    broken = {**broken, "result.total": {**total, "natural_person": total["natural_person"] + 1}}
    wrong = _store(client, "吐鲁番市高昌区财政局", published_on="2026-01-20", table3=broken)
    unplaced = _store(client, "城关区人民政府", narrative="本机关认真贯彻落实《条例》。")
    return {"late": late, "wrong": wrong, "unplaced": unplaced}


def _listed(client, **params) -> tuple[str, list[int]]:
    page = client.get("/overview", params={"region": "650402", "start": "2025", "end": "2025", **params})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    section = page.text[page.text.index('id="list-h"') :]
    return page.text, [int(i) for i in re.findall(r'<tr data-report="(\d+)">', section)]


def test_the_list_filters_by_rule_severity_state_late_and_unplaced(client):
    ids = _setup(client)
    text, listed = _listed(client)
    assert sorted(listed) == sorted([ids["late"], ids["wrong"]]) and "符合条件的报告共 2 份" in text
    assert _listed(client, rule="T3-RESULT-SUM")[1] == [ids["wrong"]]
    assert _listed(client, rule="t3-result-sum", severity="error")[1] == [ids["wrong"]]
    assert _listed(client, severity="info")[1] == []
    assert _listed(client, late="1")[1] == [ids["late"]]
    text, listed = _listed(client, unplaced="1")
    assert listed == [ids["unplaced"]] and "报告清单（未定地区）" in text

    returned = client.post(
        f"/api/v1/reports/{ids['wrong']}/state", json={"state": "returned", "note": "表三总计请核对"}
    )
    assert returned.status_code == 200, returned.text
    assert _listed(client, state="returned")[1] == [ids["wrong"]]
    assert _listed(client, state="accepted")[1] == []
    assert _listed(client, state="submitted")[1] == [ids["late"]]


def test_the_list_sorts(client):
    ids = _setup(client)
    assert _listed(client, sort="errors")[1] == [ids["wrong"], ids["late"]]
    assert _listed(client, sort="newest")[1] == [ids["wrong"], ids["late"]]
    assert _listed(client, sort="published")[1] == [ids["late"], ids["wrong"]]  # 2026-02-10 first
    text, _ = _listed(client, sort="errors")
    assert '<option value="errors" selected>' in text


def test_bad_values_are_ignored_and_said(client):
    ids = _setup(client)
    text, listed = _listed(client, rule="NOPE", severity="fatal", state="done", late="maybe", sort="size")
    assert sorted(listed) == sorted([ids["late"], ids["wrong"]])
    for said in (
        "规则“NOPE”不存在，已忽略",
        "严重程度“fatal”无法识别，已忽略",
        "审核状态“done”无法识别，已忽略",
        "“逾期”的取值“maybe”无法识别，已忽略",
        "排序“size”无法识别",
    ):
        assert said in text, said
    # 未定 without a region lists the unplaced reports alone
    page = client.get("/overview", params={"unplaced": "on", "late": "1"})
    assert page.status_code == 200 and re.findall(r'<tr data-report="(\d+)">', page.text) == [
        str(ids["unplaced"])
    ]
    assert "未定地区的报告不计算逾期" in page.text

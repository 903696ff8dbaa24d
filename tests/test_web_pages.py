"""The pages as HTML, on both databases: what they show, what they keep, what they refuse."""

from __future__ import annotations

import json
import re

from conftest import form_token, seed_report_json

from app.draft import Draft, Figure, Status
from app.layout import Format
from app.models.api import FindingPublic, LocationPublic
from app.services.present import primary_cells, report_public
from app.web.listing import Filters
from app.web.view import report_view, split_code

SEED_001 = "001_67e027749f67ecd0"
SEED_002 = "002_3de73757d3cdff2d"
SEED_004 = "004_3754507d9f900802"


def _upload(client, report: dict, action: str = "check", partial: bool = False):
    data = json.dumps(report, ensure_ascii=False).encode()
    headers = {"X-Requested-With": "fetch"} if partial else {}
    return client.post(
        "/check",
        files={"file": ("report.json", data, "application/json")},
        data={"action": action, "csrf_token": form_token(client)},
        headers=headers,
    )


def _cell(html: str, code: str) -> tuple[str, str]:
    """(class, text) of the data cell with that canonical code."""
    found = re.search(rf'<td data-cell="{re.escape(code)}" class="([^"]*)"[^>]*>([^<]*)</td>', html)
    assert found, code
    return found.group(1), found.group(2)


def _outlined(html: str, severity: str) -> list[str]:
    return re.findall(rf'<td data-cell="([^"]+)" class="fig [^"]*sev-{severity}', html)


def test_the_check_page_is_a_form_with_assets_of_its_own(client):
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert "//cdn" not in page.text and "https://" not in page.text
    assert client.get("/static/app.css").status_code == 200
    assert "finding-btn" in client.get("/static/app.js").text


def test_checking_seed_001_outlines_the_result_total_and_keeps_nothing(client):
    page = _upload(client, seed_report_json(SEED_001))
    assert page.status_code == 200
    assert sorted(_outlined(page.text, "error")) == sorted(
        f"table3.result.total.{c}" for c in ("natural_person", "other_org", "total")
    )
    assert _cell(page.text, "table3.result.total.natural_person")[1] == "164"
    assert _cell(page.text, "table2.fees.amount_10k_yuan")[1] == "1941.7065"
    assert page.text.count('class="finding sev-row-error"') == 6
    assert "仅检查，未保存任何内容" in page.text
    assert client.get("/api/v1/reports").json()["total"] == 0


def test_saving_stores_one_report_and_a_second_save_is_recognised(client):
    first = _upload(client, seed_report_json(SEED_002), "save", partial=True)
    assert first.status_code == 200
    assert "<html" not in first.text  # the fragment only, for the script to place
    assert "已保存：编号" in first.text and "第 1 版" in first.text
    again = _upload(client, seed_report_json(SEED_002), "save", partial=True)
    assert "此前已保存" in again.text
    assert client.get("/api/v1/reports").json()["total"] == 1


def test_table_three_has_the_rows_of_its_format(client):
    page_2021 = _upload(client, seed_report_json(SEED_002)).text
    page_2019 = _upload(client, seed_report_json(SEED_004)).text
    rows = lambda html: len(set(re.findall(r'data-cell="table3\.([^"]+)\.[a-z_]+"', html)))  # noqa: E731
    cells = lambda html: len(re.findall(r'data-cell="table3\.', html))  # noqa: E731
    assert (rows(page_2021), cells(page_2021)) == (25, 175)
    assert (rows(page_2019), cells(page_2019)) == (23, 161)
    assert "3.其他" in page_2021 and "3.其他" not in page_2019
    assert "第二十条第（九）项" in page_2019  # 政府集中采购, 2019 only
    assert 'rowspan="22"' in page_2021 and 'rowspan="20"' in page_2019  # 三、本年度办理结果


def test_a_blank_cell_is_not_shown_as_zero(client):
    report = seed_report_json(SEED_002)
    report["table3"]["carried_over"]["natural_person"] = None
    page = _upload(client, report).text
    css, text = _cell(page, "table3.carried_over.natural_person")
    assert (text, "st-blank" in css, "sev-warning" in css) == ("空", True, True)
    css, text = _cell(page, "table3.carried_over.commercial_enterprise")
    assert (text, "st-read" in css, "sev-" in css) == ("0", True, False)


def test_unreadable_input_is_explained_on_the_page(client):
    empty = client.post("/check", data={"action": "check", "text": "  ", "csrf_token": form_token(client)})
    assert empty.status_code == 422
    assert "请选择或拖入一份年度报告文件" in empty.text
    broken = client.post(
        "/check",
        data={"action": "check", "text": '{"organ": "x", "year": 2024}', "csrf_token": form_token(client)},
    )
    assert broken.status_code == 422
    assert "format" in broken.text and "年度报告的字段有误" in broken.text
    assert broken.headers["content-type"].startswith("text/html")


def test_the_list_filters_and_opens_a_report(client):
    client.post("/api/v1/reports", json=seed_report_json(SEED_001))
    client.post("/api/v1/reports", json=seed_report_json(SEED_002))
    everything = client.get("/reports").text
    assert "共 2 份报告" in everything
    with_errors = client.get("/reports", params={"errors": "1", "year": "", "region": ""}).text
    assert "共 1 份报告" in with_errors and "第十师北屯市" in with_errors and "阿什里乡" not in with_errors
    by_year = client.get("/reports", params={"year": "2025"}).text
    assert "共 1 份报告" in by_year and "阿什里乡" in by_year
    by_name = client.get("/reports", params={"region": "昌吉市"}).text
    assert "按区划代码 652301 开头筛选" in by_name and "共 1 份报告" in by_name
    assert "昌吉回族自治州 › 昌吉市 › 阿什里哈萨克民族乡" in by_name
    by_code = client.get("/reports", params={"region": "6590"}).text
    assert "共 1 份报告" in by_code and "第十师北屯市" in by_code
    odd = client.get("/reports", params={"year": "去年", "region": "6590xx"})
    assert odd.status_code == 200 and "已忽略" in odd.text and "共 2 份报告" in odd.text
    report_id = re.search(r'<a href="/reports/(\d+)">第十师北屯市</a>', everything).group(1)
    opened = client.get(f"/reports/{report_id}").text
    assert sorted(_outlined(opened, "error")) == sorted(
        _outlined(_upload(client, seed_report_json(SEED_001)).text, "error")
    )
    missing = client.get("/reports/999999")
    assert missing.status_code == 404 and "未找到" in missing.text


def test_versions_side_by_side_mark_the_changed_cells(client):
    wrong = seed_report_json(SEED_001)
    first = client.post("/api/v1/reports", json=wrong).json()
    fixed = json.loads(json.dumps(wrong))
    fixed["table3"]["result.total"].update({"natural_person": 82, "other_org": 215, "total": 297})
    second = client.post("/api/v1/reports", json=fixed).json()
    page = client.get(f"/reports/{second['id']}").text
    assert "第 2 版（当前）" in page and f"/compare?a={first['id']}&amp;b={second['id']}" in page
    compare = client.get("/compare", params={"a": second["id"], "b": first["id"]}).text
    assert "改动的数（3 处）" in compare
    changed = re.findall(r'<td data-cell="([^"]+)" class="[^"]*changed"[^>]*>([^<]*)<', compare)
    assert sorted(changed) == sorted(
        [
            ("table3.result.total.natural_person", "164"),
            ("table3.result.total.other_org", "430"),
            ("table3.result.total.total", "594"),
            ("table3.result.total.natural_person", "82"),
            ("table3.result.total.other_org", "215"),
            ("table3.result.total.total", "297"),
        ]
    )


def test_the_pages_are_not_in_the_api_contract(client):
    paths = set(client.get("/openapi.json").json()["paths"])
    pages = {"/", "/check", "/reports", "/reports/{report_id}", "/compare", "/overview"}
    assert "/api/v1/reports" in paths and not paths & pages
    assert not any(path.startswith("/static") for path in paths)


def test_a_relation_outlines_its_reported_cell_and_a_blank_row_all_its_cells():
    relation = FindingPublic(
        rule="T3-BALANCE",
        severity="error",
        location=LocationPublic(table="table3", column="total"),
        cells=["table3.result.total.total", "table3.carried_to_next_year.total", "table3.new_received.total"],
        reported="594",
        expected="297",
        message="",
    )
    blanks = FindingPublic(
        rule="COMPLETE",
        severity="warning",
        location=LocationPublic(table="table3", row="carried_over"),
        cells=["table3.carried_over.natural_person", "table3.carried_over.total"],
        message="",
    )
    assert primary_cells(relation) == ["table3.result.total.total"]
    assert primary_cells(blanks) == blanks.cells
    assert split_code("table3.result.withheld.state_secret.total") == (
        "table3",
        "result.withheld.state_secret",
        "total",
    )


def test_the_filters_keep_what_was_asked_across_pages():
    filters = Filters.parse(year="2024", region=" 6590 ", organ="北屯", errors="1", page="x")
    assert (filters.year, filters.region, filters.errors, filters.page, filters.notes) == (
        2024,
        "6590",
        True,
        1,
        [],
    )
    assert filters.query(page=2) == "year=2024&region=6590&organ=%E5%8C%97%E5%B1%AF&errors=1&page=2"
    assert Filters.parse(year="", region="", organ="", errors="0", page="3").query() == "errors=0&page=3"


def test_every_status_has_a_look_of_its_own_and_says_where_it_came_from():
    draft = Draft(organ="测试乡", year=2024, format=Format.F2021)
    row = "table3", "new_received"
    draft.figures = {
        (*row, "natural_person"): Figure(None, Status.BLANK, raw="—", page=2, line=14),
        (*row, "commercial_enterprise"): Figure(None, Status.UNREADABLE, raw="l0o"),
        (*row, "research_institution"): Figure(3, Status.INFERRED),
        (*row, "social_welfare_org"): Figure(None, Status.AMBIGUOUS, candidates=[12, 21]),
        (*row, "total"): Figure(
            64, Status.READ, raw="64（含转办3件）", note="（含转办3件）", page=2, line=15
        ),
    }
    view = report_view(report_public(draft, []))
    cells = {c.code: c for r in view.table3.rows for c in r.items if hasattr(c, "code")}
    shown = {
        code.rsplit(".", 1)[1]: (c.text, c.status) for code, c in cells.items() if "new_received" in code
    }
    assert shown == {
        "natural_person": ("—", "blank"),
        "commercial_enterprise": ("l0o", "unreadable"),
        "research_institution": ("3", "inferred"),
        "social_welfare_org": ("12 / 21", "ambiguous"),
        "legal_service_agency": ("缺", "missing"),
        "other_org": ("缺", "missing"),
        "total": ("64", "read"),
    }
    assert cells["table3.new_received.total"].title.split("\n") == [
        "表三“一、本年新收政府信息公开申请数量”·总计",
        "状态：已读出",
        "出处：第 2 页第 15 行",
        "原文：64（含转办3件）",
        "注：（含转办3件）",
    ]

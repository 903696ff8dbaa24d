"""Aggregates and coverage over the five seeds, on both databases, with exact sums."""

from __future__ import annotations

import copy
import csv
import io

import openpyxl
import pytest
from conftest import seed_names, seed_report_json

from app.models.aggregates import AggregateResult, AggregateRow, FigureInfo, RegionInRow
from app.models.regions import RegionRef
from app.services.tabular import aggregate_sheet, to_csv

NEW = "table3.new_received.total"
RECON = "table4.reconsideration.total"
FEES = "table2.fees.amount_10k_yuan"
BEITUN, KEKEDALA, TIEMENGUAN = "659005000000", "659008000000", "659006000000"


@pytest.fixture
def seeded(client):
    for name in seed_names():
        assert client.post("/api/v1/reports", json=seed_report_json(name)).status_code == 201
    return client


def _get(client, **params) -> dict:
    response = client.get("/api/v1/aggregates", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _by_region(body: dict) -> dict[str, dict]:
    return {row["region"]["code"]: row for row in body["rows"]}


def test_by_division_in_the_xpcc_tree(seeded):
    body = _get(seeded, figures=f"{NEW},{RECON}", group_by="region", tree="xpcc", region_level="division")
    rows = _by_region(body)
    assert set(rows) == {BEITUN, KEKEDALA, TIEMENGUAN}  # 阿什里乡 is not in the XPCC tree
    assert rows[BEITUN]["region"]["name"] == "第十师北屯市"
    assert rows[BEITUN] | {"region": None} == {
        "region": None,
        "reports": 1,
        "reports_with_errors": 1,
        "values": {NEW: 297, RECON: 1},
        "blanks": {NEW: 0, RECON: 0},
        "invalid": {NEW: 0, RECON: 0},
        "flagged": {NEW: 1, RECON: 0},  # its table 三 does not add up: an error reads 新收
    }
    # 六十七团 left table 四 blank: its 0 is not summed, it is counted as blank
    assert rows[KEKEDALA]["reports"] == 2
    assert rows[KEKEDALA]["values"] == {NEW: 0, RECON: 0}
    assert rows[KEKEDALA]["blanks"] == {NEW: 0, RECON: 1}
    assert rows[TIEMENGUAN]["values"] == {NEW: 1, RECON: 0}
    assert rows[TIEMENGUAN]["reports_with_errors"] == 1
    assert all("year" not in row for row in body["rows"])


def test_by_year(seeded):
    body = _get(seeded, figures=f"{NEW},{FEES}", group_by="year")
    assert [(r["year"], r["reports"], r["reports_with_errors"]) for r in body["rows"]] == [
        (2024, 3, 2),
        (2025, 2, 0),
    ]
    first = body["rows"][0]
    assert first["values"] == {NEW: 298, FEES: "2865.4165"}  # 1941.7065 + 923.71; 223团 uses 2019 layout
    assert first["blanks"] == {NEW: 0, FEES: 1}
    assert all("region" not in row for row in body["rows"])


def test_by_region_and_year_in_the_geographic_tree(seeded):
    body = _get(seeded, figures=NEW, group_by="region,year", region="65", region_level="prefecture")
    keys = [(r["region"]["code"], r["year"], r["reports"], r["values"][NEW]) for r in body["rows"]]
    assert keys == [
        ("652300000000", 2025, 1, 0),
        ("659000000000", 2024, 3, 298),
        ("659000000000", 2025, 1, 0),
    ]


def test_a_region_filter_and_a_year_filter(seeded):
    body = _get(seeded, figures=NEW, group_by="region", tree="xpcc", region="659008", year=2024)
    assert body["region_level"] == "regiment"
    assert [(r["region"]["name"], r["reports"]) for r in body["rows"]] == [("可克达拉经济技术开发区", 1)]
    total = _get(seeded, figures=RECON, group_by="", tree="xpcc", region="659008", year=2025)
    assert total["rows"] == [
        {
            "reports": 1,
            "reports_with_errors": 0,
            "values": {RECON: None},
            "blanks": {RECON: 1},
            "invalid": {RECON: 0},
            "flagged": {RECON: 0},
        }
    ]


def test_only_the_latest_version_counts(seeded):
    fixed = copy.deepcopy(seed_report_json("001_67e027749f67ecd0"))
    fixed["table3"]["new_received"].update({"natural_person": 10, "total": 307})
    assert seeded.post("/api/v1/reports", json=fixed).json()["version"] == 2
    rows = _by_region(_get(seeded, figures=NEW, tree="xpcc", region_level="division", year=2024))
    assert (rows[BEITUN]["reports"], rows[BEITUN]["values"][NEW]) == (1, 307)


def test_an_area_report_is_not_added_to_its_members(seeded):
    area = copy.deepcopy(seed_report_json("001_67e027749f67ecd0"))
    area |= {"organ": "第十师北屯市人民政府", "scope": "汇总"}
    area["table3"]["new_received"]["total"] = 500
    assert seeded.post("/api/v1/reports", json=area).status_code == 201
    bodies = _by_region(_get(seeded, figures=NEW, tree="xpcc", region_level="division"))
    assert (bodies[BEITUN]["reports"], bodies[BEITUN]["values"][NEW]) == (1, 297)
    areas = _get(seeded, figures=NEW, tree="xpcc", region_level="division", scope="area")
    assert [(r["region"]["code"], r["reports"], r["values"][NEW]) for r in areas["rows"]] == [
        (BEITUN, 1, 500)
    ]


def test_a_whole_table_by_its_code(seeded):
    body = _get(seeded, figures="table4", group_by="year", year=2024)
    assert len(body["figures"]) == 15
    assert body["rows"][0]["values"]["table4.litigation_direct.total"] == 1


def test_cells_off_the_grid_of_the_asked_ones_are_not_returned(seeded):
    carried = "table3.carried_over.natural_person"
    body = _get(seeded, figures=f"{NEW},{carried}", group_by="year", year=2024)
    assert [f["code"] for f in body["figures"]] == [NEW, carried]
    assert set(body["rows"][0]["values"]) == {NEW, carried}
    assert body["rows"][0]["values"][NEW] == 298


def test_bad_parameters_are_problems(client):
    cases = [
        {"figures": "table3.nope.total"},
        {"figures": NEW, "region": "999999"},
        {"figures": NEW, "tree": "xpcc", "region_level": "county"},
        {"figures": ""},
    ]
    for params in cases:
        response = client.get("/api/v1/aggregates", params=params)
        assert response.status_code == 422, params
        assert response.headers["content-type"].startswith("application/problem+json")


def test_csv_reads_back(seeded):
    response = seeded.get(
        "/api/v1/aggregates",
        params={"figures": f"{NEW},{FEES}", "tree": "xpcc", "region_level": "division", "format": "csv"},
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["地区代码", "地区", "报告数", "有错误的报告数"]
    assert rows[0][4].endswith(f"（{NEW}）") and rows[0][5].endswith("空白的报告数")
    assert rows[1][:6] == [
        "region.code",
        "region.path",
        "reports",
        "reports_with_errors",
        NEW,
        f"{NEW}:blanks",
    ]
    by_code = {row[0]: row for row in rows[2:]}
    assert by_code[BEITUN][1] == "新疆生产建设兵团 › 第十师北屯市"
    # sum, blank, invalid, flagged per figure: 北屯's table 三 does not add up, so 新收 is flagged
    assert by_code[BEITUN][2:] == ["1", "1", "297", "0", "0", "1", "1941.7065", "0", "0", "0"]
    assert rows[-1][:4] == ["合计", "", "5", "2"]


def test_csv_escapes_cells_that_look_like_formulas():
    result = AggregateResult(
        tree="geo",
        region_level="county",
        scope="body",
        figures=[FigureInfo(code=NEW, label="新收", kind="count")],
        rows=[
            AggregateRow(
                region=RegionInRow(
                    code="1",
                    name="=HYPERLINK(1)",
                    path=[RegionRef(code="1", name="=HYPERLINK(1)", level="county")],
                ),
                reports=1,
                reports_with_errors=0,
                values={NEW: -3},
                blanks={NEW: 0},
            )
        ],
    )
    row = next(
        r for r in csv.reader(io.StringIO(to_csv(aggregate_sheet(result)).decode("utf-8-sig"))) if r[0] == "1"
    )
    assert row[1] == "'=HYPERLINK(1)"
    assert row[4] == "-3"  # a number stays a number


def test_xlsx_reads_back_with_openpyxl(seeded):
    response = seeded.get(
        "/api/v1/aggregates", params={"figures": f"{NEW},{FEES}", "group_by": "region,year", "format": "xlsx"}
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("地区代码", "地区", "年度", "报告数", "有错误的报告数")
    assert rows[1][:5] == ("region.code", "region.path", "year", "reports", "reports_with_errors")
    assert rows[2][:3] == ("650000000000", "新疆维吾尔自治区", 2024)
    assert rows[2][3:] == (3, 2, 298, 0, 0, 2, pytest.approx(2865.4165), 1, 0, 0)
    assert rows[3][2:6] == (2025, 2, 0, 0)
    assert rows[-1][:5] == ("合计", None, None, 5, 2)
    assert rows[-1][5] == 298


@pytest.fixture
def beitun(seeded):
    """Besides the seeds, under 第十师北屯市: a department late for 2024, one that published only
    for 2023, and the city's own 2023 report."""
    late = seed_report_json("002_3de73757d3cdff2d") | {
        "organ": "第十师北屯市教育局",
        "year": 2024,
        "published_on": "2025-02-10",
    }
    earlier = seed_report_json("002_3de73757d3cdff2d") | {"organ": "第十师北屯市财政局", "year": 2023}
    on_time = seed_report_json("001_67e027749f67ecd0") | {"year": 2023}
    for report in (late, earlier, on_time):
        assert seeded.post("/api/v1/reports", json=report).status_code == 201
    return seeded


BEITUN_2024 = {"region": "659005", "year": 2024, "tree": "xpcc"}


def test_coverage_names_who_published_who_did_not_and_who_was_late(beitun):
    body = beitun.get("/api/v1/coverage", params=BEITUN_2024).json()
    assert body["region"]["name"] == "第十师北屯市"
    assert sorted(b["organ"] for b in body["published"]) == ["第十师北屯市", "第十师北屯市教育局"]
    assert [(b["organ"], b["last_year"]) for b in body["missing"]] == [("第十师北屯市财政局", 2023)]
    assert [(b["organ"], b["kind"], b["deadline"]) for b in body["late"]] == [
        ("第十师北屯市教育局", "department", "2025-01-31")
    ]
    government = next(b for b in body["published"] if b["organ"] == "第十师北屯市")
    assert (government["kind"], government["deadline"], government["late"]) == (
        "government",
        "2025-03-31",
        False,
    )


def test_coverage_as_csv_and_xlsx_lists_every_body_with_its_status(beitun):
    response = beitun.get("/api/v1/coverage", params=BEITUN_2024 | {"format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="coverage-2024.csv"' in response.headers["content-disposition"]
    header, codes, *rows, total = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    assert header[:2] == ["状态", "机关"] and codes[:2] == ["status", "organ"]
    assert total[:2] == ["合计", "已公开 1 · 逾期公开 1 · 未公开 1"]
    by_organ = {row[1]: row for row in rows}
    assert by_organ["第十师北屯市教育局"][0] == "逾期公开"
    assert by_organ["第十师北屯市教育局"][6:8] == ["2025-02-10", "2025-01-31"]
    assert by_organ["第十师北屯市"][0] == "已公开" and by_organ["第十师北屯市"][4] == "政府"
    assert by_organ["第十师北屯市财政局"][0] == "未公开" and by_organ["第十师北屯市财政局"][8] == "2023"

    response = beitun.get("/api/v1/coverage", params=BEITUN_2024 | {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = {row[1]: row for row in sheet.iter_rows(min_row=3, max_row=sheet.max_row - 1, values_only=True)}
    assert set(cells) == set(by_organ)
    assert cells["第十师北屯市财政局"][0] == "未公开" and cells["第十师北屯市财政局"][8] == 2023


@pytest.mark.parametrize(
    "codes",
    [
        # close together: read as one range of cell numbers that also holds research_institution
        [
            "table3.new_received.natural_person",
            "table3.new_received.commercial_enterprise",
            "table3.new_received.social_welfare_org",
        ],
        # far apart: read by a list
        [NEW, RECON, "table3.result.total.natural_person"],
    ],
)
def test_each_figure_asked_for_is_summed_and_no_other(seeded, codes):
    body = _get(seeded, figures=",".join(codes), group_by="year", year=2024)
    [row] = body["rows"]
    assert list(row["values"]) == codes
    for code in codes:
        table, *row_code, column = code.split(".")
        given = [
            report[table].get(".".join(row_code), {}).get(column)
            for report in map(seed_report_json, seed_names())
            if report["year"] == 2024
        ]
        assert row["values"][code] == sum(v for v in given if v is not None), code
        assert row["blanks"][code] == given.count(None), code

"""The overview page on both databases: sums by child region, coverage, the downloads."""

from __future__ import annotations

import csv
import html
import io
import re

import openpyxl
from conftest import seed_report_json

SEED_000 = "000_b5dc321a53ba7bbe"  # 第四师可克达拉市六十七团, 2025
SEED_003 = "003_15b7e0ad82ac5c7e"  # 可克达拉经开区, 2024
SEED_001 = "001_67e027749f67ecd0"  # 第十师北屯市: another division, never in these sums
KAIFAQU = "659008900000"


def _store(client, *names: str) -> None:
    for name in names:
        assert client.post("/api/v1/reports", json=seed_report_json(name)).status_code == 201


def _row(page: str, code: str) -> dict[str, str]:
    """The figures of one row of the overview table, by their data-figure names."""
    found = re.search(rf'<tr class="[^"]*" data-region="{code}">(.*?)</tr>', page, re.S)
    assert found, code
    cells = re.findall(r'<td class="num" data-figure="([^"]+)">([^<]*)</td>', found.group(1))
    reports = re.findall(r'<td class="num">([^<]*)</td>', found.group(1))[0]
    return {"reports": reports, **dict(cells)}


def test_the_fourth_division_sums_its_seeds_by_child_region(client):
    _store(client, SEED_000, SEED_003, SEED_001)
    page = client.get("/overview", params={"region": "第四师可克达拉市", "start": "2024", "end": "2025"})
    assert page.status_code == 200
    text = page.text
    assert "第四师可克达拉市（659008000000）" in text and "2024—2025 年度" in text
    kaifaqu = _row(text, KAIFAQU)
    assert (kaifaqu["reports"], kaifaqu["t2-2"], kaifaqu["t2-5"], kaifaqu["received"]) == (
        "1",
        "86",
        "923.71",
        "0",
    )
    total = _row(text, "659008000000")
    assert (total["reports"], total["t2-2"], total["t2-5"]) == ("2", "86", "923.71")
    table = text[text.index('id="agg-h"') : text.index("</table>", text.index('id="agg-h"'))]
    # the header, 六十七团 (a regiment of 第四师 the statistics list no town for), 经开区, 合计
    assert "北屯" not in table and table.count("<tr") == 1 + 3
    regiment = _row(text, "XPCC04R067")
    assert regiment["reports"] == "1"
    assert text.count('<svg class="chart"') == 6  # five by child region, one trend over the years
    assert re.search(r'<tr data-year="2024"><th scope="row">2024 年度</th><td class="num">1</td>', text)
    assert re.search(r'<tr data-year="2025"><th scope="row">2025 年度</th><td class="num">1</td>', text)
    assert "/api/v1/findings?region=659008000000&amp;tree=xpcc&amp;format=xlsx&amp;year_from=2024" in text
    # Coverage: 可克达拉经开区 published for 2024 and not (yet) for 2025.
    assert re.search(r"2025 年度：已发布 1，未发布 1", text)
    assert "可克达拉经开区（最近一次：2024 年度）" in text


def test_the_downloads_are_the_same_sums(client):
    _store(client, SEED_000, SEED_003)
    page = client.get("/overview", params={"region": "第四师可克达拉市", "start": "2024", "end": "2025"}).text
    xlsx_url = html.unescape(re.search(r'href="(/api/v1/aggregates[^"]*format=xlsx)"', page).group(1))
    csv_url = html.unescape(re.search(r'href="(/api/v1/aggregates[^"]*format=csv)"', page).group(1))
    book = openpyxl.load_workbook(io.BytesIO(client.get(xlsx_url).content))
    header, *rows = list(book.active.iter_rows(values_only=True))
    by_region = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    licensing = next(h for h in header if h.endswith("（table2.licensing.decisions）"))
    fees = next(h for h in header if h.endswith("（table2.fees.amount_10k_yuan）"))
    assert by_region[KAIFAQU][licensing] == 86
    assert by_region[KAIFAQU][fees] == 923.71
    csv_text = client.get(csv_url).content.decode("utf-8-sig")
    assert KAIFAQU in csv_text and ",86," in csv_text


def test_the_coverage_download_names_who_did_not_publish(client):
    _store(client, SEED_000, SEED_003)
    page = client.get("/overview", params={"region": "第四师可克达拉市", "start": "2024", "end": "2025"}).text
    urls = [html.unescape(u) for u in re.findall(r'href="(/api/v1/coverage[^"]*format=csv)"', page)]
    assert len(urls) == 2  # 2024 and 2025
    rows = list(csv.reader(io.StringIO(client.get(urls[-1]).content.decode("utf-8-sig"))))
    assert rows[-2][:2] == ["未公开", "可克达拉经开区"] and rows[-2][8] == "2024"
    assert rows[-1][:2] == ["合计", "已公开 1 · 逾期公开 0 · 未公开 1"]


def test_an_unknown_region_or_year_is_said_on_the_page(client):
    unknown = client.get("/overview", params={"region": "不存在的地方xyz"})
    assert unknown.status_code == 200 and "无法确定地区" in unknown.text
    odd = client.get("/overview", params={"region": "659008", "start": "前年"})
    assert "起始年度“前年”无法识别" in odd.text
    empty = client.get("/overview")
    assert empty.status_code == 200 and "填写一个地区" in empty.text

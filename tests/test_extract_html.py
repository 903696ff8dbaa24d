"""Portal pages to lines: the article without the chrome, tables expanded onto their grid."""

from __future__ import annotations

import pytest

from app.errors import ProblemError
from app.extract import html as html_extract
from app.extract.lines import Cell
from tests.fixtures import documents, reports
from tests.fixtures.template import table3_rows


@pytest.fixture(scope="module")
def lines():
    return html_extract.extract(documents.html_portal()).lines


def _table(lines, index):
    return [line for line in lines if line.table == index]


def _cells(line):
    return [(cell.text, cell.x0, cell.x1) for cell in line.cells]


def test_the_article_without_the_portal_chrome(lines):
    text = "\n".join(line.text for line in lines)
    for chrome in ("首页", "互动交流", "当前位置", "相关阅读", "2023年政府信息公开工作年度报告", "分享到"):
        assert chrome not in text
    for chrome in ("主办单位", "ICP备", "统计代码", "请输入关键字", "fontSize", "float"):
        assert chrome not in text
    paragraphs = [line.cells[0].text for line in lines if line.table is None]
    assert paragraphs[0] == "第六师五家渠市2024年政府信息公开工作年度报告"
    assert paragraphs[1].startswith("发布时间：2025-01-26 来源：第六师五家渠市政务服务和大数据管理局")
    assert paragraphs[-2:] == ["第六师五家渠市", "2025年1月24日"]
    headings = [p for p in paragraphs if p[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")]
    assert [h[:2] for h in headings] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    assert [line.number for line in lines] == list(range(1, len(lines) + 1))


def test_tables_come_between_their_headings(lines):
    order = [(line.table, line.cells[0].text) for line in lines]
    heading = {text: i for i, (table, text) in enumerate(order) if table is None}
    first = {t: next(i for i, (table, _) in enumerate(order) if table == t) for t in range(3)}
    assert heading["二、主动公开政府信息情况"] < first[0] < heading["三、收到和处理政府信息公开申请情况"]
    assert first[1] < heading["四、政府信息公开行政复议、行政诉讼情况"] < first[2]
    assert heading["五、存在的主要问题及改进情况"] > first[2]


def test_table_two_sections_with_colspan(lines):
    rows = _table(lines, 0)
    assert _cells(rows[0]) == [("第二十条第（一）项", 0, 4)]
    assert _cells(rows[2]) == [("规章", 0, 1), ("0", 1, 2), ("0", 2, 3), ("4", 3, 4)]
    assert _cells(rows[5]) == [("信息内容", 0, 1), ("本年处理决定数量", 1, 4)]
    assert _cells(rows[-1]) == [("行政事业性收费", 0, 1), ("326.5", 1, 4)]


def test_table_three_header_rowspans_and_vertical_text(lines):
    header = _table(lines, 1)[:3]
    assert _cells(header[1]) == [("", 0, 3), ("自 然 人", 3, 4), ("法人或其他组织", 4, 9), ("总 计", 9, 10)]
    assert _cells(header[2])[:3] == [("", 0, 3), ("", 3, 4), ("商业企业", 4, 5)]
    assert _cells(header[2])[-1] == ("", 9, 10)


def test_table_three_rows_with_nbsp_blanks_on_their_grid(lines):
    rows = _table(lines, 1)[3:]
    t3 = reports.REPORT_HTML["table3"]
    assert len(rows) == 25
    assert _cells(rows[4]) == [
        ("", 0, 1),
        ("（三）不予公开", 1, 2),
        ("1.属于国家秘密", 2, 3),
        ("3", 3, 4),
        ("0", 4, 5),
        ("", 5, 6),
        ("", 6, 7),
        ("", 7, 8),
        ("0", 8, 9),
        ("3", 9, 10),
    ]
    assert _cells(rows[3])[1] == ("（二）部分公开 （区分处理的，只计这一情形，不计其他情形）", 1, 3)
    assert _cells(rows[-2])[:3] == [("", 0, 1), ("（七）总计", 1, 3), ("439", 3, 4)]
    for row, (code, _, _) in zip(rows, table3_rows("2021"), strict=True):
        want = [reports.printed(t3[code][c]) for c in (*reports.PARTS, "total")]
        assert [cell.text for cell in row.cells[-7:]] == want, code
        assert [cell.x0 for cell in row.cells[-7:]] == [3, 4, 5, 6, 7, 8, 9]


def test_table_four(lines):
    rows = _table(lines, 2)
    assert _cells(rows[1])[5:] == [("未经复议直接起诉", 5, 10), ("复议后起诉", 10, 15)]
    assert " ".join(c.text for c in rows[3].cells) == "5 2 1 0 8 3 1 0 2 6 2 0 0 1 3"


def _read(page: str):
    return [(line.table, line.cells) for line in html_extract.extract(page.encode()).lines]


def test_rowspan_and_colspan_expand_onto_the_grid():
    page = """<html><body><table>
      <tr><td rowspan="3">三、本年度办理结果</td><td colspan="2">（一）予以公开</td><td>5</td></tr>
      <tr><td rowspan="2">（三）不予公开</td><td>1.属于国家秘密</td><td>&nbsp;</td></tr>
      <tr><td>2.其他<span>法律<b>行政法规</b></span>禁止公开</td><td><p>7</p></td></tr>
    </table></body></html>"""
    assert _read(page) == [
        (0, [Cell("三、本年度办理结果", 0, 1), Cell("（一）予以公开", 1, 3), Cell("5", 3, 4)]),
        (0, [Cell("", 0, 1), Cell("（三）不予公开", 1, 2), Cell("1.属于国家秘密", 2, 3), Cell("", 3, 4)]),
        (0, [Cell("", 0, 1), Cell("", 1, 2), Cell("2.其他法律行政法规禁止公开", 2, 3), Cell("7", 3, 4)]),
    ]


def test_layout_tables_are_read_as_body_and_hidden_text_is_dropped():
    page = """<html><body><table><tr><td><a href="/">首页</a></td><td>
      <p>正文段落<br>第二行</p><div style="display: none">隐藏</div>
      <table><tr><td>规章</td><td>2</td></tr></table></td></tr></table></body></html>"""
    assert _read(page) == [
        (None, [Cell("正文段落")]),
        (None, [Cell("第二行")]),
        (0, [Cell("规章", 0, 1), Cell("2", 1, 2)]),
    ]


def test_a_hostile_span_cannot_blow_up_the_grid():
    page = '<table><tr><td colspan="99999999" rowspan="-3">甲</td><td colspan="x">乙</td></tr></table>'
    assert _read(page) == [(0, [Cell("甲", 0, 1000), Cell("乙", 1000, 1001)])]


def test_gbk_page_and_xml_declaration():
    page = '<?xml version="1.0" encoding="gbk"?><html><body><p>政府信息公开</p></body></html>'
    lines = html_extract.extract(page.encode("gbk")).lines
    assert [line.text for line in lines] == ["政府信息公开"]


def test_an_empty_page_is_unreadable():
    with pytest.raises(ProblemError) as error:
        html_extract.extract(b"   ")
    assert error.value.status == 422


def test_an_old_portal_laid_out_with_tables_inside_a_page_wide_form():
    menu = "".join(f'<tr><td><a href="/l{i}">栏目{i}</a></td></tr>' for i in range(12))
    narrative = "本机关全年共收到政府信息公开申请12件，均按期答复。" * 6
    page = f"""<html><body><form id="form1" action="default.aspx">
      <table width="1000"><tr><td colspan="2">某某县人民政府门户网站</td></tr>
      <tr><td width="200"><table>{menu}</table></td>
      <td><table><tr><td class="title">某某县2024年政府信息公开工作年度报告</td></tr>
        <tr><td class="time">发布日期：2025-01-15</td></tr>
        <tr><td><div class="TRS_Editor"><p>{narrative}</p>
          <table><tr><td>规章</td><td>0</td></tr></table></div></td></tr></table></td></tr>
      <tr><td colspan="2">版权所有：某某县人民政府</td></tr></table></form></body></html>"""
    lines = html_extract.extract(page.encode()).lines
    assert [line.text for line in lines] == [
        "某某县2024年政府信息公开工作年度报告",
        "发布日期：2025-01-15",
        narrative,
        "规章\t0",
    ]


def test_an_article_hidden_until_a_script_shows_it_is_still_read():
    narrative = "本年度共收到政府信息公开申请3件，全部按期答复。" * 10
    page = f"""<html><body><div class="menu" style="display:none">弹出菜单</div>
      <div id="js_content" style="visibility: hidden;"><p>{narrative}</p>
      <table><tr><td>规章</td><td>1</td></tr></table></div></body></html>"""
    assert [line.text for line in html_extract.extract(page.encode()).lines] == [narrative, "规章\t1"]

"""Word files to lines: document order, merged cells on their grid columns, hostile packages refused."""

from __future__ import annotations

import io
import zipfile

import pytest

from app.errors import ProblemError
from app.extract import docx as docx_extract
from app.extract.lines import Cell
from tests.fixtures import documents, reports
from tests.fixtures.template import table3_rows


@pytest.fixture(scope="module")
def lines_2021():
    return docx_extract.extract(documents.docx_2021()).lines


def _table(lines, index):
    return [line for line in lines if line.table == index]


def _cells(line):
    return [(cell.text, cell.x0, cell.x1) for cell in line.cells]


def test_paragraphs_and_tables_come_in_document_order(lines_2021):
    paragraphs = [line.cells[0].text for line in lines_2021 if line.table is None]
    headings = [p for p in paragraphs if p[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")]
    assert headings == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    assert paragraphs[0] == "第八师石河子市2024年政府信息公开工作年度报告"
    assert paragraphs[-2:] == ["第八师石河子市", "2025年1月20日"]
    order = [(line.table, line.cells[0].text) for line in lines_2021]
    heading_at = {text: i for i, (table, text) in enumerate(order) if table is None}
    first_row = {t: next(i for i, (table, _) in enumerate(order) if table == t) for t in range(6)}
    assert heading_at["二、主动公开政府信息情况"] < first_row[0] < first_row[3]
    assert first_row[3] < heading_at["三、收到和处理政府信息公开申请情况"] < first_row[4]
    assert first_row[4] < heading_at["四、政府信息公开行政复议、行政诉讼情况"] < first_row[5]
    assert [line.number for line in lines_2021] == list(range(1, len(lines_2021) + 1))
    assert {line.page for line in lines_2021} == {1}
    assert all(cell.x0 is None for line in lines_2021 if line.table is None for cell in line.cells)


def test_table_two_is_four_small_tables(lines_2021):
    assert [_cells(line) for line in _table(lines_2021, 0)] == [
        [("第二十条第（一）项", 0, 4)],
        [("信息内容", 0, 1), ("本年制发件数", 1, 2), ("本年废止件数", 2, 3), ("现行有效件数", 3, 4)],
        [("规章", 0, 1), ("2", 1, 2), ("1", 2, 3), ("35", 3, 4)],
        [("行政规范性文件", 0, 1), ("18", 1, 2), ("6", 2, 3), ("142", 3, 4)],
    ]
    assert _cells(_table(lines_2021, 1)[2]) == [("行政许可", 0, 1), ("12345", 1, 4)]
    assert _cells(_table(lines_2021, 3)[2]) == [("行政事业性收费", 0, 1), ("1941.7065", 1, 4)]


def test_table_three_header_block_with_vertical_text(lines_2021):
    header = _table(lines_2021, 4)[:3]
    assert _cells(header[0]) == [
        ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 0, 3),
        ("申请人情况", 3, 10),
    ]
    assert _cells(header[1]) == [("", 0, 3), ("自 然 人", 3, 4), ("法人或其他组织", 4, 9), ("总 计", 9, 10)]
    assert _cells(header[2]) == [
        ("", 0, 3),
        ("", 3, 4),
        ("商业企业", 4, 5),
        ("科研机构", 5, 6),
        ("社会公益组织", 6, 7),
        ("法律服务机构", 7, 8),
        ("其他", 8, 9),
        ("", 9, 10),
    ]


def _figures(line):
    return [(cell.text, cell.x0) for cell in line.cells[-7:]]


def test_table_three_rows_keep_merged_labels_once(lines_2021):
    rows = _table(lines_2021, 4)[3:]
    assert len(rows) == 25  # 2021 layout: 25 rows of figures
    t3 = reports.REPORT_2021["table3"]
    assert _cells(rows[-2]) == [
        ("", 0, 1),
        ("（七）总计", 1, 3),
        ("146", 3, 4),
        ("22", 4, 5),
        ("2", 5, 6),
        ("1", 6, 7),
        ("5", 7, 8),
        ("3", 8, 9),
        ("179", 9, 10),
    ]
    assert _cells(rows[2])[:2] == [("三、本年度办理结果", 0, 1), ("（一）予以公开", 1, 3)]
    assert _cells(rows[4])[:3] == [("", 0, 1), ("（三）不予公开", 1, 2), ("1.属于国家秘密", 2, 3)]
    assert _cells(rows[5])[:3] == [("", 0, 1), ("", 1, 2), ("2.其他法律行政法规禁止公开", 2, 3)]
    assert _cells(rows[0])[0] == ("一、本年新收政府信息公开申请数量", 0, 3)
    assert _cells(rows[-1])[0] == ("四、结转下年度继续办理", 0, 3)
    for row, (code, _, _) in zip(rows, table3_rows("2021"), strict=True):
        want = [reports.printed(t3[code][c]) for c in (*reports.PARTS, "total")]
        assert [text for text, _ in _figures(row)] == want, code
        assert [x for _, x in _figures(row)] == [3, 4, 5, 6, 7, 8, 9]


def test_table_four_two_level_header_and_fifteen_figures(lines_2021):
    rows = _table(lines_2021, 5)
    assert _cells(rows[0]) == [("行政复议", 0, 5), ("行政诉讼", 5, 15)]
    assert _cells(rows[1])[4:] == [("总计", 4, 5), ("未经复议直接起诉", 5, 10), ("复议后起诉", 10, 15)]
    assert [c.text for c in rows[2].cells[:5]] == [""] * 5
    assert " ".join(c.text for c in rows[3].cells) == "3 1 0 1 5 2 0 1 1 4 1 0 0 0 1"


def test_2019_layout_one_table_two_and_a_single_other_row():
    lines = docx_extract.extract(documents.docx_2019()).lines
    table2 = _table(lines, 0)
    assert len(table2) == 5 * 2 + 8  # five headings, five label rows, eight rows of figures
    assert _cells(table2[6]) == [("行政许可", 0, 1), ("156", 1, 2), ("-4", 2, 3), ("2310", 3, 4)]
    other = next(line for line in _table(lines, 1) if "（六）其他处理" in line.text)
    assert _cells(other)[:2] == [("", 0, 1), ("（六）其他处理", 1, 3)]
    assert len(_table(lines, 1)) == 3 + 23


# ---- XML as python-docx reads it ----------------------------------------------------------------
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _package(document_xml: str, extra: dict[str, bytes] | None = None) -> bytes:
    """docx_2021 with its document.xml (and any extra member) replaced."""
    source = zipfile.ZipFile(io.BytesIO(documents.docx_2021()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "word/document.xml":
                data = document_xml.encode()
            target.writestr(member.filename, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def _body(inner: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{inner}</w:body></w:document>'


def _p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _tc(text: str, extra: str = "") -> str:
    return f"<w:tc><w:tcPr>{extra}</w:tcPr>{_p(text)}</w:tc>"


def test_content_controls_grid_before_tracked_changes_and_frames():
    xml = _body(
        "<w:sdt><w:sdtContent>" + _p("一、总体情况") + "</w:sdtContent></w:sdt>"
        "<w:p><w:r><w:t>保留</w:t></w:r><w:del><w:r><w:delText>删除</w:delText></w:r></w:del>"
        "<w:ins><w:r><w:t>插入</w:t></w:r></w:ins><w:r><w:tab/><w:t>文字</w:t></w:r></w:p>"
        '<w:tbl><w:tr><w:trPr><w:gridBefore w:val="2"/></w:trPr>'
        + _tc("甲", '<w:gridSpan w:val="3"/>')
        + "</w:tr></w:tbl>"
        # a one-cell frame around a paragraph and a real table
        "<w:tbl><w:tr><w:tc>"
        + _p("框内段落")
        + "<w:tbl><w:tr>"
        + _tc("规章")
        + _tc("2")
        + "</w:tr></w:tbl></w:tc></w:tr></w:tbl>"
    )
    lines = docx_extract.extract(_package(xml)).lines
    assert [(line.table, [(c.text, c.x0, c.x1) for c in line.cells]) for line in lines] == [
        (None, [("一、总体情况", None, None)]),
        (None, [("保留插入 文字", None, None)]),
        (0, [("甲", 2, 5)]),
        (None, [("框内段落", None, None)]),
        (1, [("规章", 0, 1), ("2", 1, 2)]),
    ]


def test_a_vertical_merge_gives_its_text_to_the_first_row_only():
    row = "<w:tr>{}{}</w:tr>"
    xml = _body(
        "<w:tbl>"
        + row.format(_tc("（三）不予公开", '<w:vMerge w:val="restart"/>'), _tc("1.属于国家秘密"))
        + row.format(_tc("（三）不予公开（残留）", "<w:vMerge/>"), _tc("2.其他法律行政法规禁止公开"))
        + "</w:tbl>"
    )
    lines = docx_extract.extract(_package(xml)).lines
    assert [line.cells for line in lines] == [
        [Cell("（三）不予公开", 0, 1), Cell("1.属于国家秘密", 1, 2)],
        [Cell("", 0, 1), Cell("2.其他法律行政法规禁止公开", 1, 2)],
    ]


def _refused(data: bytes) -> ProblemError:
    with pytest.raises(ProblemError) as error:
        docx_extract.extract(data)
    return error.value


def test_external_entity_is_refused_and_nothing_is_read():
    xml = (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f"<w:document {W}><w:body>{_p('&xxe;')}</w:body></w:document>"
    )
    problem = _refused(_package(xml))
    assert (problem.status, problem.code) == (422, "unreadable_file")
    assert "root:" not in problem.detail


def test_billion_laughs_is_refused():
    entities = '<!ENTITY a0 "哈哈">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    xml = f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]><w:document {W}><w:body>'
    xml += _p("&a9;") + "</w:body></w:document>"
    assert (_refused(_package(xml)).status, _refused(_package(xml)).code) == (422, "unreadable_file")


def test_a_zip_bomb_is_refused_by_its_real_size(monkeypatch):
    monkeypatch.setattr(docx_extract, "MAX_UNPACKED_BYTES", 1024 * 1024)
    bomb = _package(_body(_p("正文")), {"word/media/image1.png": b"\x00" * (2 * 1024 * 1024)})
    assert len(bomb) < 100_000
    problem = _refused(bomb)
    assert (problem.status, problem.code) == (413, "too_large")


def test_a_part_larger_than_its_header_declares_is_unreadable():
    """The archive is capped by its declared sizes: a part that holds more than its header says is
    never unpacked past it, and the file is refused as damaged."""
    document = _body(_p("正文" * 2000))
    honest = _package(document)
    size = len(document.encode()).to_bytes(4, "little")
    assert honest.count(size) == 2  # the local header and the central directory
    problem = _refused(honest.replace(size, (100).to_bytes(4, "little")))
    assert (problem.status, problem.code) == (422, "unreadable_file")


def test_too_many_members_is_refused(monkeypatch):
    monkeypatch.setattr(docx_extract, "MAX_MEMBERS", 20)
    extra = {f"word/media/image{i}.png": b"x" for i in range(30)}
    assert _refused(_package(_body(_p("正文")), extra)).status == 413


def test_a_damaged_document_part_is_unreadable():
    problem = _refused(_package("<w:document><w:body><w:p>"))
    assert (problem.status, problem.code) == (422, "unreadable_file")
    assert _refused(documents.docx_2021()[:-200]).code == "unreadable_file"


def test_legacy_horizontal_merge_widens_the_cell_on_the_left():
    xml = _body(
        "<w:tbl><w:tr>"
        + _tc("信息内容")
        + _tc("本年处理决定数量", '<w:hMerge w:val="restart"/>')
        + _tc("", "<w:hMerge/>")
        + _tc("", '<w:hMerge w:val="continue"/>')
        + "</w:tr></w:tbl>"
    )
    lines = docx_extract.extract(_package(xml)).lines
    assert lines[0].cells == [Cell("信息内容", 0, 1), Cell("本年处理决定数量", 1, 4)]


def test_html_kept_inside_the_package_as_an_alt_chunk_is_read_where_it_stands():
    from docx import Document
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    doc = Document()
    doc.add_paragraph("一、总体情况")
    page = "<html><body><p>二、主动公开政府信息情况</p><table><tr><td>规章</td><td>2</td></tr></table>"
    chunk = Part(
        PackURI("/word/afchunk1.htm"), "text/html", (page + "</body></html>").encode(), doc.part.package
    )
    rid = doc.part.relate_to(chunk, RELATIONSHIP_TYPE.A_F_CHUNK)
    doc.element.body.insert(
        1,
        parse_xml(
            f'<w:altChunk {W} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
            f' r:id="{rid}"/>'
        ),
    )
    doc.add_table(rows=1, cols=1).cell(0, 0).text = "行政许可"
    buffer = io.BytesIO()
    doc.save(buffer)
    lines = docx_extract.extract(buffer.getvalue()).lines
    assert [(line.number, line.table, line.text) for line in lines] == [
        (1, None, "一、总体情况"),
        (2, None, "二、主动公开政府信息情况"),
        (3, 0, "规章\t2"),
        (4, 1, "行政许可"),
    ]


def test_a_non_breaking_hyphen_is_the_dash_it_shows():
    xml = _body(
        "<w:tbl><w:tr>" + _tc("规章") + "<w:tc><w:p><w:r><w:noBreakHyphen/></w:r></w:p></w:tc></w:tr></w:tbl>"
    )
    assert docx_extract.extract(_package(xml)).lines[0].cells == [Cell("规章", 0, 1), Cell("-", 1, 2)]

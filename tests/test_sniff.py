"""The type of an upload comes from its bytes: every fixture, and the awkward bytes portals send."""

from __future__ import annotations

import base64
import codecs
import io
import zipfile

import pytest

from app.errors import ProblemError
from app.extract.sniff import FileType, decode_text, sniff
from tests.fixtures import documents
from tests.fixtures.documents import SEED_TEXT, SEEDS

SEED = (SEEDS / f"{SEED_TEXT}.txt").read_text(encoding="utf-8")
DOCX_MEDIA = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize(
    ("build", "kind", "media_type"),
    [
        (documents.docx_2021, FileType.DOCX, DOCX_MEDIA),
        (documents.docx_2019, FileType.DOCX, DOCX_MEDIA),
        (documents.pdf_2021, FileType.PDF, "application/pdf"),
        (documents.pdf_encrypted, FileType.PDF, "application/pdf"),
        (documents.pdf_image_only, FileType.PDF, "application/pdf"),
        (documents.html_portal, FileType.HTML, "text/html"),
        (documents.html_portal_gbk, FileType.HTML, "text/html"),
        (documents.seed_gb18030, FileType.TEXT, "text/plain"),
        (documents.seed_utf16, FileType.TEXT, "text/plain"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_every_fixture_is_recognised(build, kind, media_type):
    found = sniff(build())
    assert (found.type, found.media_type) == (kind, media_type)


@pytest.mark.parametrize("build", [documents.seed_gb18030, documents.seed_utf16])
def test_text_fixtures_decode_to_the_seed(build):
    assert sniff(build()).text == SEED


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16-le-bom", "utf-16-be-bom", "gb18030", "gbk", "utf-32"]
)
def test_chinese_text_in_every_encoding_reports_use(encoding):
    text = "第八师石河子市2024年政府信息公开工作年度报告\n一、总体情况\n全年共收到申请183件。"
    boms = {"utf-16-le-bom": codecs.BOM_UTF16_LE, "utf-16-be-bom": codecs.BOM_UTF16_BE}
    data = boms[encoding] + text.encode(encoding[:9]) if encoding in boms else text.encode(encoding)
    assert decode_text(data) == text
    assert sniff(data).type is FileType.TEXT


def test_pdf_marker_may_follow_junk_within_the_first_kilobyte():
    assert sniff(b"\r\n" * 100 + b"%PDF-1.7\n...").type is FileType.PDF
    assert sniff(b"a" * 1100 + b"%PDF-1.7").type is FileType.TEXT  # far past the header: text


def _raises(data: bytes) -> ProblemError:
    with pytest.raises(ProblemError) as error:
        sniff(data)
    return error.value


def test_empty_and_blank_files_are_refused():
    assert (_raises(b"").status, _raises(b"").code) == (422, "empty_file")
    assert _raises(b" \r\n\t").code == "empty_file"


def test_one_byte():
    assert sniff(b"7").type is FileType.TEXT
    assert (_raises(b"\x00").status, _raises(b"\x00").code) == (415, "unsupported_type")


def test_a_pdf_name_on_a_zip_is_not_a_pdf():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.pdf", b"%PDF-1.4 but zipped")  # compressed: no marker in the bytes
    problem = _raises(buffer.getvalue())
    assert (problem.status, problem.code) == (415, "unsupported_type")
    assert "压缩包" in problem.detail


def test_a_zip_holding_word_document_xml_is_a_docx_whatever_its_name():
    assert sniff(documents.docx_2021()).type is FileType.DOCX


def test_a_broken_zip_is_unreadable():
    problem = _raises(documents.docx_2021()[:2000])
    assert (problem.status, problem.code) == (422, "unreadable_file")


def test_old_binary_word_is_refused_with_what_to_do():
    problem = _raises(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert (problem.status, problem.code) == (415, "unsupported_type")
    assert ".docx" in problem.detail and "PDF" in problem.detail


def test_images_are_reported_as_images_for_a_later_ocr_step():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
    assert (sniff(png).type, sniff(png).media_type) == (FileType.IMAGE, "image/png")
    assert sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00").media_type == "image/jpeg"


def test_html_is_found_by_its_markup_not_its_name():
    assert sniff(b"  <!DOCTYPE html><html><body>x</body></html>").type is FileType.HTML
    assert sniff("<p>报告</p><table><tr><td>1</td></tr></table>".encode()).type is FileType.HTML
    assert sniff(b'<?xml version="1.0"?>\n<html xmlns="x"><body/></html>').type is FileType.HTML
    gbk_page = '<html><head><meta charset="gb2312"></head><body>政府信息公开</body></html>'.encode("gbk")
    found = sniff(gbk_page)
    assert found.type is FileType.HTML and "政府信息公开" in found.text
    # A text that merely mentions a tag is still text.
    assert sniff("年度报告：数值 a<b 且 c>d".encode()).type is FileType.TEXT


def test_json_is_found_after_a_bom_and_whitespace():
    assert sniff(codecs.BOM_UTF8 + b'\n  {"organ": "x"}').type is FileType.JSON
    assert sniff(b"[1, 2]").type is FileType.JSON


def test_rtf_is_refused_with_what_to_do():
    assert "docx" in _raises(b"{\\rtf1\\ansi ...}").detail


def test_utf8_with_a_damaged_byte_is_read_with_a_replacement_character():
    data = "政府信息公开工作年度报告".encode() + b"\xff" + "本年新收申请".encode() * 20
    assert "\ufffd" in decode_text(data)


def test_invalid_utf8_that_is_not_gb18030_either_is_unreadable_or_refused():
    # High bytes that are valid in neither UTF-8 nor GB18030, and no encoding makes sense of.
    problem = _raises(bytes(range(0x80, 0x100)) * 8)
    assert (problem.status, problem.code) == (422, "unreadable_file")
    binary = bytes((i * 37) % 256 for i in range(4096))
    assert _raises(binary).status in (415, 422)


def test_big5_is_not_mistaken_for_gb18030():
    text = "政府資訊公開工作年度報告，本年收到申請共計十件，均已依法答覆。"
    assert decode_text(text.encode("big5")) == text


def _zip_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_word_main_part_found_by_its_content_type():
    types = (
        b'<Types><Override PartName="/word/document2.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    data = _zip_with({"[Content_Types].xml": types, "word/document2.xml": b"<w:document/>"})
    assert sniff(data).type is FileType.DOCX


def test_ofd_and_excel_are_refused_with_what_to_do():
    ofd = _raises(_zip_with({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<x/>"}))
    assert (ofd.status, ofd.code) == (415, "unsupported_type") and "OFD" in ofd.detail
    assert _raises(_zip_with({"xl/workbook.xml": b"<workbook/>"})).status == 415


def test_a_zip_with_a_corrupt_member_is_unreadable():
    data = bytearray(_zip_with({"[Content_Types].xml": b"<Types>" + b"x" * 4000 + b"</Types>"}))
    start = data.index(b"[Content_Types].xml") + len(b"[Content_Types].xml")
    data[start : start + 8] = b"\xff" * 8  # damage the deflate stream
    assert _raises(bytes(data)).code == "unreadable_file"


def test_a_web_archive_gives_its_html_part():
    page = "<html><body><p>政府信息公开工作年度报告</p></body></html>".encode("gbk")
    mht = (
        b"From: <Saved by Blink>\r\nSubject: report\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/related; type="text/html"; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/html; charset=gbk\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(page)
        + b"\r\n--B--\r\n"
    )
    found = sniff(mht)
    assert found.type is FileType.HTML and "政府信息公开工作年度报告" in found.text

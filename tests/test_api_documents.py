"""Word, PDF and HTML reports uploaded through the API: read in the bounded worker, every figure
back in the report's JSON, and the files that cannot be read refused with their codes."""

from __future__ import annotations

import pytest

from tests.fixtures import documents, reports

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _post(client, path: str, data: bytes, filename: str):
    # The name and the declared type are deliberately wrong: the bytes decide.
    return client.post(path, files={"file": (filename, data, "text/plain")})


def _validate(client, data: bytes, filename: str):
    return _post(client, "/api/v1/validate", data, filename)


@pytest.mark.parametrize(
    ("build", "report", "media_type"),
    [
        (documents.docx_2021, reports.REPORT_2021, DOCX),
        (documents.pdf_2021, reports.REPORT_2021, "application/pdf"),
        (documents.docx_2019, reports.REPORT_2019, DOCX),
        (documents.html_portal, reports.REPORT_HTML, "text/html"),
    ],
    ids=["docx_2021", "pdf_2021", "docx_2019", "html_portal"],
)
def test_every_figure_is_stored_and_comes_back_in_the_json(client, build, report, media_type):
    response = _post(client, "/api/v1/reports", build(), "report.txt")
    assert response.status_code == 201, response.text
    body = response.json()
    read = (body["organ"], body["year"], body["format"])
    assert read == (report["organ"], report["year"], report["format"])
    assert body["source"]["media_type"] == media_type
    for table in ("table2", "table3", "table4"):
        assert body[table] == report[table], table


def test_the_wrong_cells_of_a_pdf_are_errors(client):
    body = _validate(client, documents.pdf_2021_error(), "report.docx").json()
    errors = {
        (f["rule"], f["location"]["table"], f["location"]["row"], f["location"]["column"])
        for f in body["validation"]["findings"]
        if f["severity"] == "error"
    }
    assert errors == {rule[:4] for rule in reports.REPORT_2021_ERROR["expected_errors"]}


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (documents.pdf_encrypted, 422, "pdf_encrypted"),
        pytest.param(
            documents.pdf_image_only,
            422,
            "no_text_layer",
            id="scanned",
            marks=[pytest.mark.ocr, pytest.mark.slow],
        ),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024, 415, "unsupported_type"),
    ],
    ids=["encrypted", "scanned", "legacy_doc"],
)
def test_files_that_cannot_be_read_say_why(client, data, status, code):
    response = _validate(client, data(), "report.pdf")
    assert response.status_code == status, response.text
    assert response.json()["code"] == code

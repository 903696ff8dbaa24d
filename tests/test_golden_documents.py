"""Golden tests: each generated Word, PDF, HTML and text fixture read through the pipeline (sniff,
extract, layout parser) to every figure it prints."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import expected

from app.draft import Severity, Status
from app.errors import ProblemError
from app.extract.pipeline import read_document
from app.extract.sniff import sniff
from app.rules.engine import validate
from tests.fixtures import documents, reports
from tests.fixtures.documents import SEED_TEXT
from tests.fixtures.reports import figure_value

CASES = {
    "docx_2021": (documents.docx_2021, reports.REPORT_2021),
    "docx_2021_error": (documents.docx_2021_error, reports.REPORT_2021_ERROR),
    "docx_2021_libreoffice": (documents.docx_2021_libreoffice, reports.REPORT_2021),
    "docx_2019": (documents.docx_2019, reports.REPORT_2019),
    "pdf_2021": (documents.pdf_2021, reports.REPORT_2021),
    "pdf_2021_error": (documents.pdf_2021_error, reports.REPORT_2021_ERROR),
    "html_portal": (documents.html_portal, reports.REPORT_HTML),
    "html_portal_gbk": (documents.html_portal_gbk, reports.REPORT_HTML),
}


def _read(name: str):
    data = CASES[name][0]()
    return read_document(data, sniff(data))


def assert_every_figure(draft, report: dict) -> None:
    """Every figure of the layout is there, with the printed value; blanks stay blank."""
    read = (draft.organ, draft.year, draft.format.value)
    assert read == (report["organ"], report["year"], report["format"])
    checked = 0
    for table in ("table2", "table3", "table4"):
        for row, columns in report[table].items():
            for column in columns:
                figure = draft.figures.get((table, row, column))
                assert figure is not None, (table, row, column)
                want = figure_value(report, table, row, column)
                assert figure.value == want, (table, row, column, figure)
                assert figure.status is (Status.BLANK if want is None else Status.READ), (table, row, column)
                checked += 1
    assert checked == len(draft.layout.cells)


@pytest.mark.parametrize("name", CASES)
def test_every_figure_of_the_document(name):
    draft, report = _read(name), CASES[name][1]
    assert_every_figure(draft, report)
    assert (draft.period_start, draft.period_end) == tuple(date.fromisoformat(d) for d in report["period"])
    assert draft.signed_on == date.fromisoformat(report["signed_on"])
    assert draft.title == f"{report['organ']}{report['year']}年政府信息公开工作年度报告"


@pytest.mark.parametrize("name", ["docx_2021", "docx_2019", "pdf_2021"])
def test_a_sound_document_has_no_findings_above_info(name):
    findings = validate(_read(name))
    assert [(f.rule, f.severity) for f in findings if f.severity is not Severity.INFO] == []


@pytest.mark.parametrize("name", ["docx_2021_error", "pdf_2021_error"])
def test_the_wrong_cells_are_found(name):
    findings = validate(_read(name))
    errors = {
        (f.rule, f.location.table, f.location.row, f.location.column, f.reported, f.expected)
        for f in findings
        if f.severity is Severity.ERROR
    }
    assert errors == reports.REPORT_2021_ERROR["expected_errors"]


def test_html_blanks_are_reported_not_zeroed():
    report = reports.REPORT_HTML
    findings = validate(_read("html_portal"))
    assert not [f for f in findings if f.severity is Severity.ERROR]
    blank_rows = {row for row, cols in report["table3"].items() if None in cols.values()}
    complete = [f for f in findings if f.rule == "COMPLETE"]
    assert {f.location.row for f in complete} == blank_rows
    assert all(f.severity is Severity.WARNING for f in complete)


@pytest.mark.parametrize("build", [documents.seed_gb18030, documents.seed_utf16])
def test_seed_in_other_encodings_reads_like_the_utf8_seed(build):
    data = build()
    draft = read_document(data, sniff(data))
    hand = expected(SEED_TEXT)
    assert_every_figure(draft, hand)


def test_table_three_is_read_across_the_page_break_of_the_pdf():
    draft = _read("pdf_2021")
    pages = {row: draft.figures[("table3", row, "total")].page for row in reports.REPORT_2021["table3"]}
    first, last = pages["new_received"], pages["carried_to_next_year"]
    assert last == first + 1  # LibreOffice 7.4 with Noto CJK: pages 2 and 3
    assert set(pages.values()) == {first, last}


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (documents.pdf_encrypted, "pdf_encrypted"),
        pytest.param(documents.pdf_image_only, "no_text_layer", marks=[pytest.mark.ocr, pytest.mark.slow]),
    ],
)
def test_pdfs_that_cannot_be_read_say_why(build, code):
    data = build()
    with pytest.raises(ProblemError) as error:
        read_document(data, sniff(data))
    assert (error.value.status, error.value.code) == (422, code)

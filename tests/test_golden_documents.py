"""Golden tests: each generated Word, HTML and text fixture read to every figure it prints."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import expected

from app.draft import Severity, Status
from app.extract import docx as docx_extract
from app.extract import html as html_extract
from app.extract.layout import parse
from app.extract.sniff import sniff
from app.extract.text import extract_text
from app.rules.engine import validate
from tests.fixtures import documents, reports
from tests.fixtures.documents import SEED_TEXT
from tests.fixtures.reports import figure_value

CASES = {
    "docx_2021": (lambda: docx_extract.extract(documents.docx_2021()), reports.REPORT_2021),
    "docx_2021_error": (lambda: docx_extract.extract(documents.docx_2021_error()), reports.REPORT_2021_ERROR),
    "docx_2019": (lambda: docx_extract.extract(documents.docx_2019()), reports.REPORT_2019),
    "html_portal": (lambda: html_extract.extract(documents.html_portal()), reports.REPORT_HTML),
}


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
    extract, report = CASES[name]
    draft = parse(extract())
    assert_every_figure(draft, report)
    assert (draft.period_start, draft.period_end) == tuple(date.fromisoformat(d) for d in report["period"])
    assert draft.signed_on == date.fromisoformat(report["signed_on"])
    assert draft.title == f"{report['organ']}{report['year']}年政府信息公开工作年度报告"


@pytest.mark.parametrize("name", ["docx_2021", "docx_2019"])
def test_a_sound_document_has_no_findings_above_info(name):
    extract, _ = CASES[name]
    findings = validate(parse(extract()))
    assert [(f.rule, f.severity) for f in findings if f.severity is not Severity.INFO] == []


def test_the_wrong_cells_are_found():
    extract, report = CASES["docx_2021_error"]
    findings = validate(parse(extract()))
    errors = {
        (f.rule, f.location.table, f.location.row, f.location.column, f.reported, f.expected)
        for f in findings
        if f.severity is Severity.ERROR
    }
    assert errors == report["expected_errors"]


def test_html_blanks_are_reported_not_zeroed():
    extract, report = CASES["html_portal"]
    findings = validate(parse(extract()))
    assert not [f for f in findings if f.severity is Severity.ERROR]
    blank_rows = {row for row, cols in report["table3"].items() if None in cols.values()}
    complete = [f for f in findings if f.rule == "COMPLETE"]
    assert {f.location.row for f in complete} == blank_rows
    assert all(f.severity is Severity.WARNING for f in complete)


@pytest.mark.parametrize("build", [documents.seed_gb18030, documents.seed_utf16])
def test_seed_in_other_encodings_reads_like_the_utf8_seed(build):
    found = sniff(build())
    draft = parse(extract_text(found.text))
    hand = expected(SEED_TEXT)
    assert_every_figure(draft, hand)

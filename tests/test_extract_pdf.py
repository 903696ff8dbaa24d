"""PDFs as LibreOffice exports them — ruled, with page numbers in the footers, or without any
rulings — read to every figure of the document they were made from."""

from __future__ import annotations

import pytest

from app.draft import Severity, Status
from app.extract.layout import parse
from app.extract.pdf import extract
from app.rules.engine import validate
from tests.fixtures import documents, reports


def _read(name: str):
    return parse(extract(getattr(documents, name)()))


def _wrong(draft, report: dict) -> list:
    return [
        (key, figure.value, reports.figure_value(report, *key))
        for key, figure in draft.figures.items()
        if figure.value != reports.figure_value(report, *key) or figure.status is not Status.READ
    ]


@pytest.mark.parametrize("name", ["pdf_2021", "pdf_2021_footers", "pdf_2021_borderless"])
def test_every_figure_of_a_pdf(name):
    draft = _read(name)
    assert len(draft.figures) == len(draft.layout.cells) == 200
    assert _wrong(draft, reports.REPORT_2021) == []
    assert [f for f in validate(draft) if f.severity is not Severity.INFO and f.rule != "STRUCTURE"] == []
    assert (draft.organ, draft.year) == (reports.REPORT_2021["organ"], reports.REPORT_2021["year"])


def test_rows_keep_their_page_and_table_three_crosses_a_page_break():
    draft = _read("pdf_2021")
    pages = {draft.figures[("table3", row, "total")].page for row in ("new_received", "carried_to_next_year")}
    assert pages == {2, 3}


def test_page_numbers_in_footers_are_not_read_as_figures_or_text():
    draft = _read("pdf_2021_footers")
    assert "- 2 -" not in draft.narrative and "- 3 -" not in draft.narrative


def test_a_pdf_with_wrong_cells_gives_exactly_their_errors():
    draft = _read("pdf_2021_error")
    errors = {
        (f.rule, f.location.table, f.location.row, f.location.column, f.reported, f.expected)
        for f in validate(draft)
        if f.severity is Severity.ERROR
    }
    assert errors == reports.REPORT_2021_ERROR["expected_errors"]

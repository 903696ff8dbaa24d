"""PDFium and pdfminer.six read every test PDF to the same characters, rulings, lines and figures;
what PDFium cannot give as pdfminer would is read by pdfminer."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
from scanned import ORIGINALS

from app.config import get_settings
from app.extract import pdf
from app.extract.layout import parse
from app.extract.pdfium import read_pages
from app.extract.pipeline import read_document
from app.extract.sniff import sniff
from tests.fixtures import documents, reports

PDFS = {
    "pdf_2021": documents.pdf_2021,
    "pdf_2021_error": documents.pdf_2021_error,
    "pdf_2021_footers": documents.pdf_2021_footers,
    "pdf_2021_borderless": documents.pdf_2021_borderless,
    "pdf_2019": lambda: documents._cached(
        documents.docx_2019(), ".pdf", lambda: documents._soffice_pdf(documents.docx_2019())
    ),
    **{f"scan_original_{name}": path.read_bytes for name, path in ORIGINALS.items()},
}


def _place(char: pdf.Char) -> tuple:
    return (char.text, round(char.x0, 1), round(char.top, 1), round(char.bottom, 1))


def _places(contents: list[pdf.PageContent]) -> list:
    return [sorted(_place(c) for c in page.chars) for page in contents]


def _lines(extracted) -> list:
    return [
        (line.page, line.table, line.number, [(c.text, round(c.x0, 1)) for c in line.cells])
        for line in extracted.lines
    ]


@pytest.mark.parametrize("name", PDFS)
def test_both_readers_give_the_same_page_contents_lines_and_figures(name):
    data = PDFS[name]()
    document = pdfium.PdfDocument(data)
    assert None not in read_pages(document)  # PDFium itself reads every page of every test PDF
    document.close()
    by_pdfium = pdf.page_contents(data, "pdfium")
    by_pdfminer = pdf.page_contents(data, "pdfminer")
    assert sum(len(page.chars) for page in by_pdfium) > 500
    assert [(len(p.chars), len(p.horizontal), len(p.vertical)) for p in by_pdfium] == [
        (len(p.chars), len(p.horizontal), len(p.vertical)) for p in by_pdfminer
    ]
    # the same characters at the same places, to a tenth of a point (PDFium's floats are 32-bit);
    # the order they are given in differs, and the layout reading sorts them. (The right edge
    # of a bold character can reach a little further in PDFium: the lines below show it is moot.)
    assert _places(by_pdfium) == _places(by_pdfminer)
    first, second = pdf.extract(data, "pdfium"), pdf.extract(data, "pdfminer")
    assert _lines(first) == _lines(second)
    drafts = parse(first), parse(second)
    figures = [{key: (f.value, f.status, f.raw, f.page) for key, f in d.figures.items()} for d in drafts]
    assert figures[0] == figures[1]
    assert len(figures[0]) == len(drafts[0].layout.cells) >= 190
    assert sum(1 for f in drafts[0].figures.values() if f.value is not None) >= 150


def test_the_setting_chooses_the_reader(monkeypatch):
    data = documents.pdf_2021()
    used = []
    real = pdf.page_contents

    def spy(data: bytes, reader: str):
        used.append(reader)
        return real(data, reader)

    monkeypatch.setattr(pdf, "page_contents", spy)
    for reader in ("pdfminer", "pdfium"):
        monkeypatch.setenv("NIANBAO_PDF_READER", reader)
        get_settings.cache_clear()
        draft = read_document(data, sniff(data))
        assert (
            draft.figures[("table3", "new_received", "total")].value
            == reports.REPORT_2021["table3"]["new_received"]["total"]
        )
    get_settings.cache_clear()
    assert used == ["pdfminer", "pdfium"]


def test_a_turned_page_is_read_by_pdfminer_and_the_others_by_pdfium():
    document = pdfium.PdfDocument(documents.pdf_2021())
    document[1].set_rotation(90)
    out = io.BytesIO()
    document.save(out)
    turned = out.getvalue()
    assert [content is None for content in read_pages(document)] == [False, True, False]
    document.close()
    assert _lines(pdf.extract(turned, "pdfium")) == _lines(pdf.extract(turned, "pdfminer"))
    assert len(pdf.extract(turned, "pdfium").lines) > 50

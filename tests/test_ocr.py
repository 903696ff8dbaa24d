"""Scans read by OCR, against the text-layer originals they were rendered from.

The scans are made here from tests/data/scans/*.pdf (LibreOffice exports of the JSON reports
beside them): pages rendered at 200 dpi, turned 0.6°, speckled, JPEG-compressed, wrapped as an
image-only PDF. OCR is slow, so the tests are few and share their readings; they skip when the
`ocr` extra is not installed (scripts/test installs it)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from conftest import DATA
from scanned import ORIGINALS, image_pdf, scan_images, scanned_pdf

from app.config import get_settings
from app.draft import Status
from app.extract import ocr, pdf
from app.extract.layout import parse
from app.extract.ocr_review import review
from app.extract.pipeline import read_document
from app.extract.sniff import sniff
from app.extract.values import normalise
from app.rules.engine import validate
from app.services import intake

pytestmark = [pytest.mark.ocr, pytest.mark.slow]

TRUTH = {
    "varied_2023": json.loads((DATA / "scans" / "varied_2023.json").read_text(encoding="utf-8")),
    "beitun_2024": json.loads((DATA / "examples" / "report.json").read_text(encoding="utf-8")),
}
READ_AS_TRUE = (Status.OCR, Status.INFERRED, Status.READ)


def _read(data: bytes):
    return read_document(data, sniff(data))


@pytest.fixture(scope="module")
def scans() -> dict[str, bytes]:
    return {name: scanned_pdf(name) for name in TRUTH}


@pytest.fixture(scope="module")
def extracted(scans):
    return {name: ocr.read_pdf(data) for name, data in scans.items()}


@pytest.fixture(scope="module")
def drafts(extracted):
    """What read_document does with a scan, from the shared OCR lines."""
    threshold = get_settings().ocr_min_confidence
    return {name: review(parse(lines), threshold=threshold) for name, lines in extracted.items()}


def _expected(name: str, key: tuple[str, str, str]):
    value = TRUTH[name][key[0]][key[1]][key[2]]
    return Decimal(value) if isinstance(value, str) else value


def _findings(draft) -> set[tuple]:
    """What the relations say, without the findings about how the figures were read."""
    return {
        (f.rule, f.severity.value, f.location.row, f.location.column, f.reported, f.expected)
        for f in validate(draft)
        if f.rule not in ("OCR", "COMPLETE")
    }


def _total_row(lines) -> list:
    """The cells of the first line whose label is （七）总计."""
    for line in lines:
        label = normalise(line.cells[0].text).replace(" ", "")
        if "七" in label and label.endswith("总计"):
            return line.cells
    raise AssertionError("no （七）总计 line")


def test_the_total_row_comes_out_in_order_at_the_originals_columns(extracted):
    cells = _total_row(extracted["varied_2023"].lines)
    assert [c.text for c in cells[1:]] == ["2694", "177", "38", "19", "94", "133", "3155"]
    assert all(0 < c.confidence <= 1 for c in cells)  # type: ignore[operator]
    original = _total_row(pdf.extract(ORIGINALS["varied_2023"].read_bytes()).lines)
    columns = [c for c in original if normalise(c.text).isdigit()]
    for read, printed in zip(cells[1:], columns, strict=True):
        middle = (read.x0 + read.x1) / 2  # type: ignore[operator]
        assert printed.x0 < middle < printed.x1, (read, printed)


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_a_scan_reads_every_figure_exactly_and_finds_what_the_original_finds(drafts, name):
    draft = drafts[name]
    original = _read(ORIGINALS[name].read_bytes())  # the text layer, read by the PDF extractor
    assert (draft.year, draft.format) == (original.year, original.format)
    wrong = {
        key: (figure.value, figure.raw)
        for key, figure in draft.figures.items()
        if figure.status in READ_AS_TRUE and figure.value != _expected(name, key)
    }
    assert wrong == {}
    assert {key: f.value for key, f in draft.figures.items()} == {
        key: _expected(name, key) for key in draft.layout.cells
    }
    assert {f.status for f in draft.figures.values()} <= {Status.OCR, Status.INFERRED}
    assert all(f.confidence is not None for f in draft.figures.values())
    assert _findings(draft) == _findings(original)


def test_a_blurred_page_gives_unreadable_cells_and_a_finding_never_a_wrong_figure():
    original = ORIGINALS["varied_2023"].read_bytes()
    pages = scan_images(original, pages=[0]) + scan_images(original, pages=[1], blur=2.6)
    pages += scan_images(original, pages=[2])
    # through the bounded worker, as an upload goes
    draft, upload = intake.read(image_pdf(pages), "scan.pdf", is_json_body=False)
    assert upload.media_type == "application/pdf"
    wrong = {
        key: (figure.value, figure.raw, figure.confidence)
        for key, figure in draft.figures.items()
        if figure.status in READ_AS_TRUE and figure.value != _expected("varied_2023", key)
    }
    assert wrong == {}
    unreadable = [key for key, f in draft.figures.items() if f.status is Status.UNREADABLE and f.page == 2]
    assert len(unreadable) >= 10
    findings = validate(draft)
    named = {cell for f in findings if f.rule in ("OCR", "COMPLETE") for cell in f.cells}
    assert {f"{t}.{r}.{c}" for t, r, c in unreadable} <= named
    ocr_findings = [f for f in findings if f.rule == "OCR" and f.severity.value == "warning"]
    assert any("第 2 页" in f.message and "请对照原件" in f.message for f in ocr_findings)


def test_an_install_without_ocr_refuses_a_scan_saying_how_to_restore_it(monkeypatch, scans):
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(Exception) as raised:
        _read(scans["beitun_2024"])
    assert (raised.value.status, raised.value.code) == (422, "no_text_layer")  # type: ignore[attr-defined]
    assert "pip install nianbao" in raised.value.detail  # type: ignore[attr-defined]


def test_the_default_install_reads_scans():
    """OCR is a dependency of the package itself, not an extra a clerk or operator must know of."""
    from importlib.metadata import requires

    needed = {r.split("==")[0].lower() for r in requires("nianbao") or [] if "extra ==" not in r}
    assert {"rapidocr-onnxruntime", "onnxruntime", "pypdfium2"} <= needed
    assert ocr.available()


def test_the_engine_reuses_its_buffers_from_page_to_page():
    """Detection and recognition run with ONNX Runtime's memory arena on, with the models and
    threads RapidOCR chose."""
    engine = ocr._engine(2)
    for session in (engine.text_det.infer.session, engine.text_rec.session.session):
        options = session.get_session_options()
        assert options.enable_cpu_mem_arena
        assert (options.intra_op_num_threads, options.inter_op_num_threads) == (2, 1)
    assert engine.text_det.infer.session._model_path.endswith("ch_PP-OCRv4_det_infer.onnx")
    assert engine.text_rec.session.session._model_path.endswith("ch_PP-OCRv4_rec_infer.onnx")


def test_a_scan_beyond_the_page_cap_is_413(monkeypatch, scans):
    monkeypatch.setattr(get_settings(), "ocr_max_pages", 3)  # the scan has 4 pages
    with pytest.raises(Exception) as raised:
        _read(scans["beitun_2024"])
    assert (raised.value.status, raised.value.code) == (413, "too_many_pages")  # type: ignore[attr-defined]


def test_a_photographed_page_is_read_as_one_page_of_positioned_lines():
    """A JPEG of the （七）总计 row, cut from the page and turned 1°: the row and its seven figures."""
    from io import BytesIO

    import pypdfium2 as pdfium
    from PIL import Image

    data = ORIGINALS["varied_2023"].read_bytes()
    lines = pdf.extract(data).lines
    row = next(line for line in lines if "总计" in line.cells[0].text and "七" in line.cells[0].text)
    scale = 200 / 72
    page = pdfium.PdfDocument(data)[row.page - 1].render(scale=scale, grayscale=True).to_pil()
    strip = page.crop((0, int((row.top - 12) * scale), page.width, int((row.top + 40) * scale)))
    photo = BytesIO()
    strip.convert("L").rotate(1.0, resample=Image.Resampling.BICUBIC, fillcolor=255).save(photo, "JPEG")
    extracted = ocr.read_image(photo.getvalue(), "image/jpeg")
    assert (extracted.media_type, extracted.pages, extracted.notes) == ("image/jpeg", 1, ["ocr"])
    cells = _total_row(extracted.lines)
    assert [c.text for c in cells[1:]] == ["2694", "177", "38", "19", "94", "133", "3155"]
    # a photograph is taken as an A4 page wide: its columns fall where the PDF's are
    printed = [c for c in row.cells if normalise(c.text).isdigit()]
    assert all(p.x0 - 3 < (c.x0 + c.x1) / 2 < p.x1 + 3 for c, p in zip(cells[1:], printed, strict=True))  # type: ignore[operator]


def test_a_scanned_page_inside_a_text_pdf_is_read_by_ocr_and_the_rest_from_the_text():
    """Table 三's first page pasted as a picture into an otherwise text-layer PDF."""
    from io import BytesIO

    import pypdfium2 as pdfium

    original = ORIGINALS["varied_2023"].read_bytes()
    text_pages = pdfium.PdfDocument(original)
    picture = pdfium.PdfDocument(image_pdf(scan_images(original, pages=[1])))
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(text_pages, [0])
    mixed.import_pages(picture, [0])
    mixed.import_pages(text_pages, [2, 3])
    out = BytesIO()
    mixed.save(out)
    draft = _read(out.getvalue())
    assert {key: f.value for key, f in draft.figures.items()} == {
        key: _expected("varied_2023", key) for key in draft.layout.cells
    }
    by_page = {f.page: f.status for f in draft.figures.values() if f.status is Status.READ}
    assert set(by_page) == {1, 3, 4}  # text-layer pages read as printed
    scanned = [f for f in draft.figures.values() if f.page == 2]
    assert len(scanned) == 20 * 7 and all(f.status in (Status.OCR, Status.INFERRED) for f in scanned)


ROWS_2019 = {
    "行政许可": "licensing",
    "其他对外管理服务事项": "other_management_services",
    "行政处罚": "penalty",
    "行政强制": "coercion",
    "行政事业性收费": "fees",
    "政府集中采购": "centralized_procurement",
}


def _table2_rows(lines) -> dict[str, list]:
    rows = {}
    for line in lines:
        label = normalise(line.cells[0].text).replace(" ", "")
        code = next((code for name, code in ROWS_2019.items() if label.startswith(name[:4])), None)
        if code is not None:
            rows[code] = line.cells[1:]
    return rows


def test_negative_changes_and_decimal_amounts_keep_their_signs_and_points():
    """Table 二 of a 2019 report scanned: every 本年增/减 and the 万元 amount read as printed, or
    doubtful — never with its sign or point lost."""
    from scanned import signed_2019

    report, original = signed_2019()
    page = next(line.page for line in pdf.extract(original).lines if line.cells[0].text.strip() == "行政许可")
    scan = image_pdf(scan_images(original, pages=[page - 1], angle=-1.0, noise=16.0))
    lines = ocr.read_pdf(scan).lines
    rows = _table2_rows(lines)
    assert set(rows) == set(ROWS_2019.values()), [[c.text for c in line.cells] for line in lines]
    threshold = get_settings().ocr_min_confidence
    sure = []
    for row, cells in rows.items():
        printed = [str(value) for value in report["table2"][row].values()]
        for cell, want in zip(cells, printed, strict=True):
            assert cell.text == want or cell.confidence < threshold, (row, cell, want)
            if cell.confidence >= threshold:
                sure.append(cell.text)
    assert sum(text.startswith("-") for text in sure) >= 4  # the signs are read, not only guarded
    assert "5321.48" in sure

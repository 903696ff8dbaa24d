"""Extraction speed per format, beside the bare library call on the same file (a ratio).

    .venv/bin/python bench/extract.py [--runs 25] [--ocr-runs 1] [--scans-only] [--no-api]
                                      [--scans plain,turned,coarse]

Per file, in one run: "api" is the file sent to /api/v1/validate of a real uvicorn server (read,
validated, answered; one request at a time, p50); "worker" is the reading through the warm
worker pool the API uses, called in this process; "ours" the whole reading (sniff, extract,
layout parser, relation inference) in process; "bare" the library call alone on the same file —
for a PDF pdfminer.six's extract_text, and "tuned" its text converter without layout analysis;
"pdfium" PDFium's own text of every page. PDFs are read by PDFium ("ours") and, beside it, by
pdfminer.six ("ours pdfminer", the reference reader). Fixtures are the test suite's own documents
(built with python-docx and LibreOffice) and the five seed texts.

With the `ocr` extra installed, scans follow: image-only PDFs rendered from the test suite's
LibreOffice originals (one of them a 2019 report with negative 本年增/减 and 万元 with decimals),
turned, speckled, JPEG-compressed; plainly, turned further and blurred, and coarse (150 dpi).
"ours" is our OCR of a page (detect, recognise, check marks, read doubtful figures again, rows)
beside the bare RapidOCR call on the same page image, page by page; "read %" counts figures
equal to the original's, "wrong" those reported as read (status ocr or inferred) with another
value — it must stay 0.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

# The heavy imports live in the functions: a worker child re-imports this module as its main
# module, and must start as light as it does under the API server.


def median_ms(func: Callable[[], object], runs: int) -> float:
    func()  # warm caches (fonts, CMaps, imports)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def cases() -> list[tuple[str, str, bytes, Callable[[bytes], object], int]]:
    import docx as python_docx
    import lxml.html
    from fixtures import documents, html_page
    from pdfminer.high_level import extract_text

    from app.extract.sniff import decode_text

    seeds = sorted((ROOT / "tests" / "data" / "seeds").glob("*.txt"))
    found = [
        ("pdf", name, data, lambda d: extract_text(io.BytesIO(d)), _pages(data))
        for name, data in (
            ("pdf_2021 (LibreOffice)", documents.pdf_2021()),
            ("pdf_2021_borderless (5 pp.)", documents.pdf_2021_borderless()),
        )
    ]
    found += [
        (
            "docx",
            "docx_2021 (python-docx)",
            documents.docx_2021(),
            lambda d: python_docx.Document(io.BytesIO(d)),
            1,
        ),
        ("html", "html_portal", html_page.html_portal(), lambda d: lxml.html.document_fromstring(d), 1),
    ]
    found += [("text", path.name, path.read_bytes(), decode_text, 1) for path in seeds]
    return found


def _pages(data: bytes) -> int:
    from pdfminer.pdfpage import PDFPage

    return sum(1 for _ in PDFPage.get_pages(io.BytesIO(data)))


# How the scans are made: as scanned plainly, turned and blurred, coarse (150 dpi)
SCAN_VARIANTS = {
    "plain": {},
    "turned": {"angle": -1.2, "noise": 18.0, "blur": 0.8, "seed": 9},
    "coarse": {"dpi": 150, "angle": 1.0, "noise": 10.0, "seed": 5},
}


def ocr_cases(variants: list[str]) -> list[tuple[str, bytes, dict]]:
    import json

    from scanned import ORIGINALS, SCANS, image_pdf, scan_images, signed_2019

    signed, signed_pdf = signed_2019()
    originals = {
        "beitun_2024": (
            ORIGINALS["beitun_2024"].read_bytes(),
            json.loads((ROOT / "tests" / "data" / "examples" / "report.json").read_text("utf-8")),
        ),
        "varied_2023": (
            ORIGINALS["varied_2023"].read_bytes(),
            json.loads((SCANS / "varied_2023.json").read_text("utf-8")),
        ),
        "signed_2019": (signed_pdf, signed),  # negative 本年增/减, 万元 with decimals
    }
    cases = []
    for variant in variants:
        options = SCAN_VARIANTS[variant]
        for name, (original, report) in originals.items():
            scan = image_pdf(scan_images(original, **options), dpi=options.get("dpi", 200))
            cases.append((f"{name} {variant}", scan, report))
    return cases


def _score(draft, report: dict) -> tuple[int, int, int]:
    """(figures, exact, wrong): wrong is a figure reported as read with another value."""
    from decimal import Decimal

    from app.draft import Status

    figures = exact = wrong = 0
    for table, row, column in draft.layout.cells:
        expected = report[table][row][column]
        expected = Decimal(expected) if isinstance(expected, str) else expected
        figure = draft.figures.get((table, row, column))
        figures += 1
        if figure is not None and figure.value == expected:
            exact += 1
        elif figure is not None and figure.status in (Status.OCR, Status.INFERRED, Status.READ):
            wrong += 1
    return figures, exact, wrong


def bench_ocr(runs: int, variants: list[str]) -> None:
    from app.config import get_settings
    from app.extract import ocr
    from app.extract.layout import parse
    from app.extract.lines import Extracted
    from app.extract.ocr_review import review

    if not variants:
        return
    if not ocr.available():
        print("\nscans: the ocr extra is not installed (pip install -e '.[ocr]')")
        return
    import numpy as np
    from rapidocr_onnxruntime import RapidOCR

    bare_engine = RapidOCR(intra_op_num_threads=2, inter_op_num_threads=1)  # as ours: 2 cores
    print(
        f"\n{'scan':<20} {'pages':>5} {'ours s/page':>11} {'bare s/page':>11} {'ours/bare':>9} "
        f"{'figures':>7} {'read %':>7} {'wrong':>5} {'unreadable':>10}"
    )
    ours_engine = ocr._engine(get_settings().ocr_threads)
    blank = np.full((64, 256), 255, dtype=np.uint8)
    ours_engine(blank), bare_engine(blank)  # load the models before timing
    totals = [0, 0, 0, 0.0, 0.0]  # figures, exact, wrong, ours s, bare s
    for name, data, report in ocr_cases(variants):
        rendered = ocr.pdf_pages(data)
        pages = len(rendered)
        # page by page, both on the same image (a shared machine's load drifts), each first in turn:
        # the first reading of a new image pays for what the second finds warm
        ours = bare = 0.0
        lines: list = []
        for page in rendered:
            for run in range(2 * runs):
                for ours_now in (run % 2 == 0, run % 2 == 1):
                    started = time.perf_counter()
                    if ours_now:
                        read = ocr.read_pages([page])
                        ours += (time.perf_counter() - started) / (2 * runs)
                    else:
                        bare_engine(page.image)
                        bare += (time.perf_counter() - started) / (2 * runs)
            lines += read
        extracted = Extracted(lines, "application/pdf", pages=pages, notes=["ocr"])
        draft = review(parse(extracted), threshold=get_settings().ocr_min_confidence)
        figures, exact, wrong = _score(draft, report)
        unreadable = sum(1 for f in draft.figures.values() if f.status.value == "unreadable")
        for index, value in enumerate((figures, exact, wrong, ours, bare)):
            totals[index] += value
        print(
            f"{name:<20} {pages:>5} {ours / pages:>11.2f} {bare / pages:>11.2f} {ours / bare:>9.2f} "
            f"{figures:>7} {100 * exact / figures:>7.2f} {wrong:>5} {unreadable:>10}",
            flush=True,
        )
    figures, exact, wrong, ours, bare = totals
    print(
        f"{'all scans':<20} {'':>5} {'':>11} {'':>11} {ours / bare:>9.2f} "
        f"{figures:>7.0f} {100 * exact / figures:>7.2f} {wrong:>5.0f}"
    )


def pdfminer_tuned(data: bytes) -> str:
    """pdfminer.six's text of every page without its layout analysis: its fastest text path."""
    from pdfminer.converter import TextConverter
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    manager, out = PDFResourceManager(), io.StringIO()
    interpreter = PDFPageInterpreter(manager, TextConverter(manager, out, laparams=None))
    for page in PDFPage.get_pages(io.BytesIO(data)):
        interpreter.process_page(page)
    return out.getvalue()


def pdfium_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    return text


@contextmanager
def api(enabled: bool) -> Iterator[Callable[[str, bytes], object] | None]:
    """A function sending a file to /api/v1/validate of a real uvicorn server (None: no server)."""
    if not enabled:
        yield None
        return
    import tempfile

    import httpx
    from load import serving

    workdir = tempfile.mkdtemp(prefix="nianbao-bench-")
    with serving(f"sqlite:///{workdir}/bench.db", workdir) as base, httpx.Client(base_url=base) as client:

        def send(name: str, data: bytes) -> object:
            response = client.post("/api/v1/validate", files={"file": (name, data)})
            assert response.status_code == 200, response.text[:300]
            return response

        time.sleep(2)  # the server's extraction children start warm in the background
        yield send


def main() -> None:
    from app.extract.pipeline import read_document
    from app.extract.sniff import sniff
    from app.extract.worker import warm
    from app.services import intake

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--ocr-runs", type=int, default=1, help="OCR is slow: runs per scan")
    parser.add_argument("--scans-only", action="store_true", help="only the OCR part")
    parser.add_argument("--no-api", action="store_true", help="without the uvicorn server")
    parser.add_argument(
        "--scans", default=",".join(SCAN_VARIANTS), help=f"scan variants, of {','.join(SCAN_VARIANTS)}"
    )
    args = parser.parse_args()
    runs = args.runs
    variants = [v for v in args.scans.split(",") if v]
    if args.scans_only:
        bench_ocr(args.ocr_runs, variants)
        return
    warm()
    print(
        f"{'format':<6} {'file':<28} {'pages':>5} {'api ms':>7} {'worker ms':>9} {'ours ms':>8} "
        f"{'bare ms':>8} {'api/bare':>8} {'ours/bare':>9} {'ours ms/page':>12}"
    )
    pdf_rows = []
    with api(not args.no_api) as send:
        for kind, name, data, bare, pages in cases():
            sniffed = sniff(data)
            ours = median_ms(lambda: read_document(data, sniffed), runs)  # noqa: B023
            worker = median_ms(lambda: intake.read(data, name, is_json_body=False), runs)  # noqa: B023
            through_api = median_ms(lambda: send(name, data), runs) if send else float("nan")  # noqa: B023
            baseline = median_ms(lambda: bare(data), runs)  # noqa: B023
            print(
                f"{kind:<6} {name[:28]:<28} {pages:>5} {through_api:>7.1f} {worker:>9.1f} {ours:>8.1f} "
                f"{baseline:>8.1f} {through_api / baseline:>8.2f} {ours / baseline:>9.2f} "
                f"{ours / pages:>12.1f}"
            )
            if kind == "pdf":
                pdf_rows.append((name, data, sniffed, pages, through_api, ours))
    if pdf_rows:
        _pdf_readers(pdf_rows, runs)
    bench_ocr(args.ocr_runs, variants)


def _pdf_readers(rows: list, runs: int) -> None:
    """The PDFs again: both readers, beside each bare library."""
    from app.config import get_settings
    from app.extract.pipeline import read_document

    print(
        f"\n{'pdf':<28} {'api ms':>7} {'ours ms':>8} {'ours pdfminer':>13} {'tuned pdfminer':>14} "
        f"{'bare pdfium':>11} {'api/tuned':>9} {'ours/tuned':>10} {'pdfminer/ours':>13}"
    )
    settings = get_settings()
    for name, data, sniffed, _, through_api, ours in rows:
        settings.pdf_reader = "pdfminer"
        try:
            reference = median_ms(lambda: read_document(data, sniffed), runs)  # noqa: B023
        finally:
            settings.pdf_reader = "pdfium"
        tuned = median_ms(lambda: pdfminer_tuned(data), runs)  # noqa: B023
        bare_pdfium = median_ms(lambda: pdfium_text(data), runs)  # noqa: B023
        print(
            f"{name[:28]:<28} {through_api:>7.1f} {ours:>8.1f} {reference:>13.1f} {tuned:>14.1f} "
            f"{bare_pdfium:>11.1f} {through_api / tuned:>9.2f} {ours / tuned:>10.2f} "
            f"{reference / ours:>13.1f}"
        )


if __name__ == "__main__":
    main()

"""Extraction speed per format, beside the bare library call on the same file (a ratio).

    .venv/bin/python bench/extract.py [--runs 7] [--ocr-runs 1] [--scans-only]

"ours" is the whole reading (sniff, extract, layout parser, relation inference) in process;
"worker" adds the bounded worker process that the API uses. Fixtures are the test suite's own
documents (built with python-docx and LibreOffice) and the five seed texts.

With the `ocr` extra installed, scans follow: the test suite's image-only PDFs (rendered from
LibreOffice originals, turned, speckled, JPEG-compressed). "ours" is the whole reading of a scan
(render, OCR, rows, parser, review) per page beside the bare RapidOCR call on the same page
images; "exact ‰" counts figures equal to the original's per 1,000, "wrong" those reported as
read (status ocr or inferred) with another value — the figure that must stay 0.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
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

    pdf = documents.pdf_2021()
    seeds = sorted((ROOT / "tests" / "data" / "seeds").glob("*.txt"))
    found = [
        ("pdf", "pdf_2021 (LibreOffice)", pdf, lambda d: extract_text(io.BytesIO(d)), _pages(pdf)),
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


def ocr_cases() -> list[tuple[str, bytes, dict]]:
    import json

    from scanned import SCANS, scanned_pdf

    truth = {
        "beitun_2024": json.loads((ROOT / "tests" / "data" / "examples" / "report.json").read_text("utf-8")),
        "varied_2023": json.loads((SCANS / "varied_2023.json").read_text("utf-8")),
    }
    return [(name, scanned_pdf(name), report) for name, report in truth.items()]


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


def bench_ocr(runs: int) -> None:
    from app.config import get_settings
    from app.extract import ocr
    from app.extract.pipeline import read_document
    from app.extract.sniff import sniff

    if not ocr.available():
        print("\nscans: the ocr extra is not installed (pip install -e '.[ocr]')")
        return
    import numpy as np
    from rapidocr_onnxruntime import RapidOCR

    bare_engine = RapidOCR(intra_op_num_threads=2, inter_op_num_threads=1)  # as ours: 2 cores
    print(
        f"\n{'scan':<12} {'pages':>5} {'ours s/page':>11} {'bare s/page':>11} {'ours/bare':>9} "
        f"{'figures':>7} {'exact ‰':>7} {'wrong':>5} {'unreadable':>10}"
    )
    ours_engine = ocr._engine(get_settings().ocr_threads)
    blank = np.full((64, 256), 255, dtype=np.uint8)
    ours_engine(blank), bare_engine(blank)  # load the models before timing
    for name, data, report in ocr_cases():
        sniffed = sniff(data)
        images = [page.image for page in ocr.pdf_pages(data)]
        pages = len(images)
        ours, drafts = _timed(lambda: read_document(data, sniffed), runs)  # noqa: B023
        bare, _ = _timed(lambda: [bare_engine(image) for image in images], runs)  # noqa: B023
        figures, exact, wrong = _score(drafts[-1], report)
        unreadable = sum(1 for f in drafts[-1].figures.values() if f.status.value == "unreadable")
        print(
            f"{name:<12} {pages:>5} {ours / pages:>11.2f} {bare / pages:>11.2f} {ours / bare:>9.2f} "
            f"{figures:>7} {1000 * exact / figures:>7.0f} {wrong:>5} {unreadable:>10}"
        )


def _timed(func: Callable[[], object], runs: int) -> tuple[float, list]:
    """Median seconds over `runs` calls (no warm-up call: the models are loaded), and results."""
    times, results = [], []
    for _ in range(runs):
        start = time.perf_counter()
        results.append(func())
        times.append(time.perf_counter() - start)
    return statistics.median(times), results


def main() -> None:
    from app.extract.pipeline import read_document
    from app.extract.sniff import sniff
    from app.services import intake

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--ocr-runs", type=int, default=1, help="OCR is slow: runs per scan")
    parser.add_argument("--scans-only", action="store_true", help="only the OCR part")
    args = parser.parse_args()
    runs = args.runs
    if args.scans_only:
        bench_ocr(args.ocr_runs)
        return
    print(
        f"{'format':<6} {'file':<28} {'pages':>5} {'ours ms':>9} {'worker ms':>10} {'bare ms':>9} "
        f"{'ours/bare':>9} {'worker/bare':>11} {'ours ms/page':>12}"
    )
    for kind, name, data, bare, pages in cases():
        sniffed = sniff(data)
        ours = median_ms(lambda: read_document(data, sniffed), runs)  # noqa: B023
        worker = median_ms(lambda: intake.read(data, name, is_json_body=False), runs)  # noqa: B023
        baseline = median_ms(lambda: bare(data), runs)  # noqa: B023
        print(
            f"{kind:<6} {name[:28]:<28} {pages:>5} {ours:>9.1f} {worker:>10.1f} {baseline:>9.1f} "
            f"{ours / baseline:>9.2f} {worker / baseline:>11.2f} {ours / pages:>12.1f}"
        )
    bench_ocr(args.ocr_runs)


if __name__ == "__main__":
    main()

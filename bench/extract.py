"""Extraction speed per format, beside the bare library call on the same file (a ratio).

    .venv/bin/python bench/extract.py [--runs 7]

"ours" is the whole reading (sniff, extract, layout parser, relation inference) in process;
"worker" adds the bounded worker process that the API uses. Fixtures are the test suite's own
documents (built with python-docx and LibreOffice) and the five seed texts.
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

import docx as python_docx  # noqa: E402
import lxml.html  # noqa: E402
from fixtures import documents, html_page  # noqa: E402
from pdfminer.high_level import extract_text  # noqa: E402

from app.extract.pipeline import read_document  # noqa: E402
from app.extract.sniff import decode_text, sniff  # noqa: E402
from app.services import intake  # noqa: E402


def median_ms(func: Callable[[], object], runs: int) -> float:
    func()  # warm caches (fonts, CMaps, imports)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def cases() -> list[tuple[str, str, bytes, Callable[[bytes], object], int]]:
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
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


if __name__ == "__main__":
    main()

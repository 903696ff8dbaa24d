"""From a file's bytes to a draft: one extractor per format, then the one layout parser.

`read_document` is what the bounded worker runs; it is pure (bytes in, draft out).
"""

from __future__ import annotations

from collections.abc import Callable

from app.config import get_settings
from app.draft import Draft
from app.errors import NO_TEXT_LAYER, ProblemError
from app.extract import docx, html, pdf
from app.extract.layout import parse
from app.extract.lines import Extracted
from app.extract.sniff import FileType, Sniffed, decode_text
from app.extract.text import extract_text


def _text(data: bytes, sniffed: Sniffed) -> Extracted:
    return extract_text(sniffed.text if sniffed.text is not None else decode_text(data))


def _pdf(data: bytes, _: Sniffed) -> Extracted:
    from app.extract import ocr

    try:
        extracted = pdf.extract(data)
    except ProblemError as problem:
        if problem.code != "no_text_layer":
            raise
        if not ocr.available():
            raise NO_TEXT_LAYER(f"{problem.detail}；{ocr.HOW_TO_ENABLE}") from None
        scanned = ocr.read_pdf(data)  # a scan: every page read by OCR
        if not any(cell.text.strip() for line in scanned.lines for cell in line.cells):
            raise NO_TEXT_LAYER(
                "扫描件中未能识别出文字：请上传更清晰的扫描件，或由 Word/WPS 直接导出的 PDF",
            ) from None
        return scanned
    if extracted.image_pages and ocr.available():
        # scanned pages inside a text PDF (a table pasted as a picture, a signed last page)
        scanned = ocr.read_pdf(data, pages=[number - 1 for number in extracted.image_pages])
        extracted.lines = sorted(extracted.lines + scanned.lines, key=lambda line: line.page)
        extracted.notes.append("ocr")
    return extracted


def _image(data: bytes, sniffed: Sniffed) -> Extracted:
    from app.extract import ocr

    if not ocr.available():
        raise NO_TEXT_LAYER(
            f"这是一张图片，没有可读取的文字：请上传带文字层的 PDF 或 Word 文件；{ocr.HOW_TO_ENABLE}",
        )
    return ocr.read_image(data, sniffed.media_type)


def _docx(data: bytes, _: Sniffed) -> Extracted:
    return docx.extract(data)


def _html(data: bytes, sniffed: Sniffed) -> Extracted:
    return html.extract(sniffed.text if sniffed.text is not None else decode_text(data))


EXTRACTORS: dict[FileType, Callable[[bytes, Sniffed], Extracted]] = {
    FileType.TEXT: _text,
    FileType.PDF: _pdf,
    FileType.DOCX: _docx,
    FileType.HTML: _html,
    FileType.IMAGE: _image,
}


def extract(data: bytes, sniffed: Sniffed) -> Extracted:
    reader = EXTRACTORS.get(sniffed.type)
    if reader is None:
        raise NO_TEXT_LAYER(
            "这是一张图片，没有可读取的文字：请上传带文字层的 PDF 或 Word 文件（扫描件需安装 OCR 组件）",
        )
    return reader(data, sniffed)


def read_document(data: bytes, sniffed: Sniffed) -> Draft:
    """Bytes of a report file to its draft (runs inside the bounded worker)."""
    extracted = extract(data, sniffed)
    draft = parse(extracted)
    if "ocr" in extracted.notes:
        from app.extract.ocr_review import review

        review(draft, threshold=get_settings().ocr_min_confidence)
    return draft

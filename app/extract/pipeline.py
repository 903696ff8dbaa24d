"""From a file's bytes to a draft: one extractor per format, then the one layout parser.

`read_document` is what the bounded worker runs; it is pure (bytes in, draft out).
"""

from __future__ import annotations

from collections.abc import Callable

from app.draft import Draft
from app.errors import ProblemError
from app.extract import docx, html, pdf
from app.extract.layout import parse
from app.extract.lines import Extracted
from app.extract.sniff import FileType, Sniffed, decode_text
from app.extract.text import extract_text


def _text(data: bytes, sniffed: Sniffed) -> Extracted:
    return extract_text(sniffed.text if sniffed.text is not None else decode_text(data))


def _pdf(data: bytes, _: Sniffed) -> Extracted:
    return pdf.extract(data)


def _docx(data: bytes, _: Sniffed) -> Extracted:
    return docx.extract(data)


def _html(data: bytes, sniffed: Sniffed) -> Extracted:
    return html.extract(sniffed.text if sniffed.text is not None else decode_text(data))


EXTRACTORS: dict[FileType, Callable[[bytes, Sniffed], Extracted]] = {
    FileType.TEXT: _text,
    FileType.PDF: _pdf,
    FileType.DOCX: _docx,
    FileType.HTML: _html,
}


def extract(data: bytes, sniffed: Sniffed) -> Extracted:
    reader = EXTRACTORS.get(sniffed.type)
    if reader is None:
        raise ProblemError(
            422,
            "no_text_layer",
            "这是一张图片，没有可读取的文字：请上传带文字层的 PDF 或 Word 文件（扫描件需安装 OCR 组件）",
        )
    return reader(data, sniffed)


def read_document(data: bytes, sniffed: Sniffed) -> Draft:
    """Bytes of a report file to its draft (runs inside the bounded worker)."""
    return parse(extract(data, sniffed))

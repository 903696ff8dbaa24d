"""Decide what an upload is from its bytes, never from its name or Content-Type header.

Portals send whatever they have: a PDF saved from Word, the .docx itself, the HTML page of the
portal, text someone copied out (UTF-8, GB18030/GBK, UTF-16), or a JSON report. The checks go
from the cheapest and surest (magic bytes) to the costliest (decoding and looking at the text).
"""

from __future__ import annotations

import codecs
import email
import email.policy
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from enum import StrEnum

from charset_normalizer import from_bytes

from app.errors import EMPTY_FILE, UNREADABLE_FILE, UNSUPPORTED_TYPE, ProblemError


class FileType(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    HTML = "html"
    JSON = "json"
    TEXT = "text"
    IMAGE = "image"  # a photo or scan: there is no text to read until an OCR step takes it


MEDIA_TYPES = {
    FileType.PDF: "application/pdf",
    FileType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileType.HTML: "text/html",
    FileType.JSON: "application/json",
    FileType.TEXT: "text/plain",
}


@dataclass(frozen=True)
class Sniffed:
    type: FileType
    media_type: str
    text: str | None = None  # the decoded text, for HTML, JSON and plain text


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_IMAGES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Markup that only an HTML page starts with or holds near its top.
_HTML_START = re.compile(
    r"<(!doctype\s+html|html|head|body|meta|title|div|p|table|span|h[1-6]|article|section|br|center|font)\b",
    re.IGNORECASE,
)
_HTML_ANYWHERE = re.compile(r"<(html|body|table)\b[^>]*>", re.IGNORECASE)
_LEADING_NOISE = re.compile(r"^(\s|<\?xml[^>]*\?>|<!--.*?-->)*", re.DOTALL)
# A web archive (.mht, "单个文件网页" from Word or a browser): MIME headers, multipart/related.
_MIME_HEADER = re.compile(rb"^\s*[A-Za-z][\w-]*:")
# Main-part content types of Word documents, macro-enabled documents and templates.
_WORD_MAIN = (
    b"wordprocessingml.document.main+xml",
    b"wordprocessingml.template.main+xml",
    b"ms-word.document.macroEnabled.main+xml",
    b"ms-word.template.macroEnabledTemplate.main+xml",
)


def sniff(data: bytes) -> Sniffed:
    """The type of an upload; 415 when it is none we read, 422 when it cannot be read at all."""
    if not data.strip():
        raise EMPTY_FILE()
    if data.startswith(_ZIP):  # before the PDF marker: a stored member may hold "%PDF-"
        return _zip(data)
    if b"%PDF-" in data[:1024]:
        return Sniffed(FileType.PDF, MEDIA_TYPES[FileType.PDF])
    if data.startswith(_OLE2):
        raise UNSUPPORTED_TYPE(
            "这是旧版 Word（.doc）或加密的 Office 文件，无法直接读取："
            "请在 Word 或 WPS 中另存为 .docx 或 PDF（不设密码）后重新上传",
        )
    for magic, media_type in _IMAGES:
        if data.startswith(magic):
            return Sniffed(FileType.IMAGE, media_type)
    if data.lstrip().startswith(b"{\\rtf"):
        raise UNSUPPORTED_TYPE("不支持 RTF 文件：请另存为 .docx 或 PDF 后重新上传")
    if _is_mht(data[:4096]):
        return _mht(data)
    text = decode_text(data)
    head = _LEADING_NOISE.sub("", text[:4096], count=1).lstrip("\ufeff")
    if head[:1] in ("{", "["):
        return Sniffed(FileType.JSON, MEDIA_TYPES[FileType.JSON], text)
    if _HTML_START.match(head) or _HTML_ANYWHERE.search(text[:65536]):
        return Sniffed(FileType.HTML, MEDIA_TYPES[FileType.HTML], text)
    return Sniffed(FileType.TEXT, MEDIA_TYPES[FileType.TEXT], text)


def _zip(data: bytes) -> Sniffed:
    """A ZIP is a report only when it is a Word document: it holds word/document.xml, or its
    content types name a Word main part stored elsewhere."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            types = _small_member(archive, "[Content_Types].xml")
    except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, OSError, NotImplementedError, RuntimeError):
        raise UNREADABLE_FILE("文件已损坏，无法打开：请重新导出 Word（.docx）或 PDF 后上传") from None
    if "word/document.xml" in names or any(kind in types for kind in _WORD_MAIN):
        return Sniffed(FileType.DOCX, MEDIA_TYPES[FileType.DOCX])
    if "OFD.xml" in names:
        raise UNSUPPORTED_TYPE("暂不支持 OFD 版式文件：请上传同一报告的 PDF、Word（.docx）或网页")
    raise UNSUPPORTED_TYPE(
        "这是一个压缩包或其他 Office 文件，不是 Word 文档：请上传年度报告本身（PDF、.docx、网页或文本）",
    )


def _small_member(archive: zipfile.ZipFile, name: str, limit: int = 1 << 20) -> bytes:
    """A member's first bytes (a bounded read, whatever its header declares), or b""."""
    try:
        with archive.open(name) as stream:
            return stream.read(limit)
    except KeyError:
        return b""


def _is_mht(head: bytes) -> bool:
    lowered = head.lower()
    return bool(_MIME_HEADER.match(head)) and b"mime-version:" in lowered and b"multipart/related" in lowered


def _mht(data: bytes) -> Sniffed:
    """The HTML part of a web archive, decoded by its declared charset or like any text."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() != "text/html":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or not payload.strip():
            continue
        charset = part.get_content_charset()
        try:
            text = payload.decode(charset) if charset else decode_text(payload)
        except (LookupError, UnicodeDecodeError):
            text = decode_text(payload)
        return Sniffed(FileType.HTML, "multipart/related", text)
    raise UNREADABLE_FILE("网页存档（.mht）中没有网页内容：请上传原网页或 PDF")


def decode_text(data: bytes) -> str:
    """Bytes of a text or HTML file to text, trying what Chinese reports use before anything else.

    A byte-order mark decides; then strict UTF-8; then GB18030 (a superset of GBK and GB2312)
    when the result reads as Chinese; then UTF-8 with a few damaged bytes replaced; only then
    charset-normalizer's guess (Big5, UTF-16 without a mark…). Binary data is refused with 415,
    text that no encoding reads with 422.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding))
            except UnicodeDecodeError:
                raise _unreadable() from None
    try:
        return _checked(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    if b"\x00" not in data:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            pass
        else:
            if _reads_as_chinese(text):
                return _checked(text)
        damaged = data.decode("utf-8", errors="replace")
        if damaged.count("\ufffd") <= max(2, len(damaged) // 500):
            return _checked(damaged)
    guess = from_bytes(data[:262144]).best()
    if guess is None or guess.chaos > 0.2:
        if _looks_binary(data):
            raise UNSUPPORTED_TYPE()
        raise _unreadable()
    try:
        return _checked(data.decode(guess.encoding))
    except (UnicodeDecodeError, LookupError):
        raise _unreadable() from None


def _unreadable() -> ProblemError:
    return UNREADABLE_FILE(
        "无法识别文本的编码：请将文件另存为 UTF-8 编码的文本，或直接上传 PDF、Word（.docx）文件",
    )


# control characters no text file holds (tab, line and page breaks and ESC aside)
_BINARY_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def _checked(text: str) -> str:
    """Decoded text with a NUL or many control characters was binary after all."""
    if "\x00" in text:
        raise UNSUPPORTED_TYPE()
    sample = text[:8192]
    if len(_BINARY_CONTROL.findall(sample)) > max(2, len(sample) // 100):
        raise UNSUPPORTED_TYPE()
    return text


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    controls = sum(1 for b in sample if b < 0x20 and b not in (0x09, 0x0A, 0x0C, 0x0D, 0x1B))
    return controls > len(sample) // 100


def _is_chinese(ch: str) -> bool:
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0x3400 <= code <= 0x4DBF  # extension A
        or 0x3000 <= code <= 0x303F  # CJK punctuation
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x2000 <= code <= 0x206F  # general punctuation: “” — …
        or 0x2100 <= code <= 0x218F  # ℃ Ⅰ №
        or 0x2460 <= code <= 0x24FF  # ①
        or code in (0xB7, 0xD7, 0xF7, 0xB0)  # · × ÷ °
    )


def _reads_as_chinese(text: str) -> bool:
    """GB18030 decodes many byte strings; keep its reading only when it is Chinese text."""
    wide = [ch for ch in text[:20000] if ord(ch) > 0x7F]
    if not wide:
        return True
    return sum(map(_is_chinese, wide)) >= 0.97 * len(wide)

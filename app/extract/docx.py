"""Word (.docx) to lines: the body in document order, paragraphs and tables interleaved.

Table cells carry their grid columns as positions (x0 = first grid column, x1 = one past the
last), so a figure is aligned to its column by the grid, not by counting cells. Merged cells:

- a horizontal merge (gridSpan) is one cell spanning its grid columns;
- a vertical merge (vMerge) gives its text to the first row only; each row below gets an empty
  cell with the same span, so a row label such as （三）不予公开 is read once, where it starts,
  and no figure column ever moves;
- a table nested in a cell makes the outer table a layout frame: each of its cells is read as
  body content (its paragraphs as lines, its tables as tables), which is what the frames around
  pasted web content are.

Word has no pages: every line is on page 1, numbered in order. Before python-docx sees the file,
every XML part is checked with defusedxml (no DTD, no entities) and the archive's sizes are
capped, so an entity bomb or a zip bomb is refused instead of parsed.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

import docx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring
from lxml import etree

from app.errors import ProblemError
from app.extract.lines import Cell, Extracted, Line

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # a long report with pictures unpacks to a few tens of MB
MAX_MEMBERS = 5000

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_NS = {"w": W, "mc": MC}
_P, _TBL, _TR, _TC = f"{{{W}}}p", f"{{{W}}}tbl", f"{{{W}}}tr", f"{{{W}}}tc"
# Containers whose children are read as if they stood in their parent (content controls,
# custom XML, tracked insertions).
_TRANSPARENT = {f"{{{W}}}sdt", f"{{{W}}}sdtContent", f"{{{W}}}customXml", f"{{{W}}}ins"}
_TEXT = etree.XPath(
    ".//w:t[not(ancestor::mc:Fallback) and not(ancestor::w:del)] | .//w:tab | .//w:br | .//w:cr",
    namespaces=_NS,
)
_SPACE = re.compile(r"\s+")


def extract(data: bytes) -> Extracted:
    """The lines of a .docx; 413 for a zip bomb, 422 for a broken or hostile file."""
    check_archive(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds on a damaged package
        raise ProblemError(
            422, "unreadable_file", "Word 文件已损坏，无法打开：请在 Word 或 WPS 中重新保存为 .docx 或 PDF"
        ) from None
    reader = _Reader()
    reader.block(document.element.body)
    return Extracted(lines=reader.lines, media_type=MEDIA_TYPE, pages=1)


def check_archive(data: bytes) -> None:
    """Refuse archives that unpack to too much, and XML parts with a DTD or entities."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise _too_large()
            declared = sum(m.file_size for m in members)
            if declared > MAX_UNPACKED_BYTES:
                raise _too_large()
            total = 0
            for member in members:
                xml = member.filename.endswith((".xml", ".rels"))
                part, size = _read_capped(archive, member, MAX_UNPACKED_BYTES - total, keep=xml)
                total += size
                if xml:
                    _check_xml(part)
    except ProblemError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, NotImplementedError):
        raise ProblemError(
            422, "unreadable_file", "Word 文件已损坏，无法打开：请在 Word 或 WPS 中重新保存为 .docx 或 PDF"
        ) from None


def _read_capped(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int, *, keep: bool
) -> tuple[bytes, int]:
    """A member's real size (and bytes when kept), reading no more than the budget whatever its
    header declares."""
    chunks = []
    size = 0
    with archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            size += len(chunk)
            if size > budget:
                raise _too_large()
            if keep:
                chunks.append(chunk)
    return b"".join(chunks), size


def _check_xml(part: bytes) -> None:
    try:
        defused_fromstring(part, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ProblemError(
            422, "unreadable_file", "Word 文件含有不安全的 XML 内容（DTD 或实体声明），已拒绝读取"
        ) from None
    except Exception:
        raise ProblemError(
            422, "unreadable_file", "Word 文件的内容已损坏，无法读取：请重新保存为 .docx 或 PDF"
        ) from None


def _too_large() -> ProblemError:
    return ProblemError(413, "file_too_large", "Word 文件解压后过大，不像是一份年度报告，已拒绝读取")


def cell_text(parts: list[str]) -> str:
    """Paragraphs of one cell joined with single spaces; a vertical 自/然/人 becomes "自 然 人"."""
    return " ".join(p for p in (_SPACE.sub(" ", part).strip() for part in parts) if p)


def _paragraph_text(p: etree._Element) -> str:
    pieces = []
    for node in _TEXT(p):
        pieces.append(node.text or "" if node.tag == f"{{{W}}}t" else " ")
    return _SPACE.sub(" ", "".join(pieces)).strip()


def _children(element: etree._Element) -> Iterator[etree._Element]:
    """Block-level children, looking through content controls and similar wrappers."""
    for child in element:
        if child.tag in _TRANSPARENT:
            yield from _children(child)
        else:
            yield child


def _int_attr(element: etree._Element | None, default: int, low: int = 1) -> int:
    if element is None:
        return default
    try:
        return max(low, min(int(element.get(f"{{{W}}}val", default)), 1000))
    except ValueError:
        return default


class _Reader:
    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.tables = 0

    def emit(self, cells: list[Cell], table: int | None = None) -> None:
        self.lines.append(Line(cells=cells, page=1, number=len(self.lines) + 1, table=table))

    def block(self, element: etree._Element) -> None:
        for child in _children(element):
            if child.tag == _P:
                text = _paragraph_text(child)
                if text:
                    self.emit([Cell(text)])
            elif child.tag == _TBL:
                self.table(child)

    def table(self, tbl: etree._Element) -> None:
        rows = [child for child in _children(tbl) if child.tag == _TR]
        if any(tc.find(f".//{_TBL}") is not None for row in rows for tc in _cells(row)):
            for row in rows:  # a frame around other content: read each cell as a body
                for tc in _cells(row):
                    self.block(tc)
            return
        index = self.tables
        self.tables += 1
        for row in rows:
            cells = list(_row_cells(row))
            if any(cell.text for cell in cells):
                self.emit(cells, table=index)


def _cells(row: etree._Element) -> list[etree._Element]:
    return [child for child in _children(row) if child.tag == _TC]


def _row_cells(row: etree._Element) -> Iterator[Cell]:
    column = _int_attr(row.find("w:trPr/w:gridBefore", _NS), 0, low=0)
    for tc in _cells(row):
        span = _int_attr(tc.find("w:tcPr/w:gridSpan", _NS), 1)
        merge = tc.find("w:tcPr/w:vMerge", _NS)
        continues = merge is not None and merge.get(f"{{{W}}}val", "continue") == "continue"
        text = "" if continues else cell_text([_paragraph_text(p) for p in _children(tc) if p.tag == _P])
        yield Cell(text, float(column), float(column + span))
        column += span

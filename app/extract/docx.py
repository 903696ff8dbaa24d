"""Word (.docx) to lines: the body in document order, paragraphs and tables interleaved.

Table cells carry their grid columns as positions (x0 = first grid column, x1 = one past the
last), so a figure is aligned to its column by the grid, not by counting cells. Merged cells:

- a horizontal merge (gridSpan, or the legacy hMerge of files converted from .doc) is one cell
  spanning its grid columns;
- a vertical merge (vMerge) gives its text to the first row only; each row below gets an empty
  cell with the same span, so a row label such as （三）不予公开 is read once, where it starts,
  and no figure column ever moves;
- a table nested in a cell makes the outer table a layout frame: each of its cells is read as
  body content (its paragraphs as lines, its tables as tables), which is what the frames around
  pasted web content are;
- an altChunk (HTML, a web archive or text kept inside the package, as web-to-Word converters
  write) is read by the HTML extractor where it stands.

Word has no pages: every line is on page 1, numbered in order. Before python-docx sees the file,
every XML part's prolog is checked as defusedxml does (no DTD, no entities) and the archive's declared
sizes are capped, so an entity bomb or a zip bomb is refused instead of parsed.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO
from xml.parsers import expat

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.package import Unmarshaller
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.opc.pkgreader import PackageReader
from docx.package import Package
from lxml import etree

from app.errors import TOO_LARGE, UNREADABLE_FILE, ProblemError
from app.extract import html
from app.extract.lines import Cell, Extracted, Line
from app.extract.sniff import decode_text, sniff

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # a long report with pictures unpacks to a few tens of MB
MAX_MEMBERS = 5000

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_NS = {"w": W, "mc": MC}
_P, _TBL, _TR, _TC = f"{{{W}}}p", f"{{{W}}}tbl", f"{{{W}}}tr", f"{{{W}}}tc"
_TR_PR, _TC_PR = f"{{{W}}}trPr", f"{{{W}}}tcPr"
_GRID_BEFORE, _GRID_SPAN = f"{{{W}}}gridBefore", f"{{{W}}}gridSpan"
_V_MERGE, _H_MERGE = f"{{{W}}}vMerge", f"{{{W}}}hMerge"
_VAL = f"{{{W}}}val"
_ALT_CHUNK = f"{{{W}}}altChunk"
_T, _NO_BREAK_HYPHEN = f"{{{W}}}t", f"{{{W}}}noBreakHyphen"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# Containers whose children are read as if they stood in their parent (content controls,
# custom XML, tracked insertions).
_TRANSPARENT = {f"{{{W}}}sdt", f"{{{W}}}sdtContent", f"{{{W}}}customXml", f"{{{W}}}ins"}
_TEXT = etree.XPath(
    ".//w:t[not(ancestor::mc:Fallback) and not(ancestor::w:del)] | .//w:tab | .//w:br | .//w:cr"
    " | .//w:noBreakHyphen",
    namespaces=_NS,
)
_SPACE = re.compile(r"\s+")
_PLAIN = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def extract(data: bytes) -> Extracted:
    """The lines of a .docx; 413 for a zip bomb, 422 for a broken or hostile file.

    python-docx's package reader opens the package (relationships, the main part wherever it is
    stored), keeping every part as its bytes: nothing is parsed that the body does not need (a
    template's styles.xml alone is ~350 kB). The body is then walked on a plain lxml tree of the
    main part, because python-docx's element classes cost a Python object for every element.
    """
    check_archive(data)
    try:
        main = _main_part(data)
        root = etree.fromstring(main.blob, _PLAIN)
    except Exception:  # python-docx and lxml raise many kinds on a damaged package
        raise UNREADABLE_FILE(
            "Word 文件已损坏，无法打开：请在 Word 或 WPS 中重新保存为 .docx 或 PDF"
        ) from None
    body = root.find(f"{{{W}}}body")
    reader = _Reader(main)
    if body is not None:
        reader.block(body)
    return Extracted(lines=reader.lines, media_type=MEDIA_TYPE, pages=1)


def _main_part(data: bytes) -> Part:
    """The package's main document part; a package whose main part is no Word document (a
    template, a macro-enabled file, a spreadsheet) is refused as python-docx refuses it."""
    package = Package()
    Unmarshaller.unmarshal(PackageReader.from_file(io.BytesIO(data)), package, _unparsed)
    main = package.main_document_part
    if main.content_type != CT.WML_DOCUMENT_MAIN:
        raise ValueError(f"not a Word document: {main.content_type}")
    return main


def _unparsed(partname: PackURI, content_type: str, _reltype: str, blob: bytes, package: Package) -> Part:
    return Part(partname, content_type, blob, package)


def check_archive(data: bytes) -> None:
    """Refuse archives that would unpack to too much, and XML parts with a DTD or entities.

    zipfile never unpacks a member past the size its header declares (a header that lies ends in
    a CRC error), so the declared sizes bound what any reader of the package unpacks. An XML part
    is unpacked only as far as its root element: a DTD can only stand before it.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise _too_large()
            if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
                raise _too_large()
            for member in members:
                if member.filename.endswith((".xml", ".rels")):
                    with archive.open(member) as stream:
                        _check_prolog(stream)
    except ProblemError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        ValueError,
        EOFError,
        OSError,
        NotImplementedError,
        RuntimeError,  # an encrypted member
    ):
        raise UNREADABLE_FILE(
            "Word 文件已损坏，无法打开：请在 Word 或 WPS 中重新保存为 .docx 或 PDF"
        ) from None


class _PrologEnd(Exception):
    """The root element began: no DTD can follow, the rest is python-docx's to parse."""


_PROLOG_CHUNK = 16 * 1024


def _check_prolog(stream: IO[bytes]) -> None:
    """Refuse a part that declares a DTD or entities (external entities, entity bombs), reading
    it with the handlers defusedxml installs until its root element begins."""
    parser = expat.ParserCreate()

    def forbid_dtd(name, *_):
        raise DTDForbidden(name, None, None)

    def forbid_entity(name, *_):
        raise EntitiesForbidden(name, None, None, None, None, None)

    def root(*_):
        raise _PrologEnd

    parser.StartDoctypeDeclHandler = forbid_dtd
    parser.EntityDeclHandler = forbid_entity
    parser.UnparsedEntityDeclHandler = forbid_entity
    parser.StartElementHandler = root
    try:
        while chunk := stream.read(_PROLOG_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _PrologEnd:
        return
    except DefusedXmlException:
        raise UNREADABLE_FILE("Word 文件含有不安全的 XML 内容（DTD 或实体声明），已拒绝读取") from None
    except expat.ExpatError:
        pass
    raise UNREADABLE_FILE("Word 文件的内容已损坏，无法读取：请重新保存为 .docx 或 PDF")


def _too_large() -> ProblemError:
    return TOO_LARGE("Word 文件解压后过大，不像是一份年度报告，已拒绝读取")


def cell_text(parts: list[str]) -> str:
    """Paragraphs of one cell joined with single spaces; a vertical 自/然/人 becomes "自 然 人"."""
    return " ".join(p for p in (_SPACE.sub(" ", part).strip() for part in parts) if p)


def _paragraph_text(p: etree._Element) -> str:
    pieces = []
    for node in _TEXT(p):
        if node.tag == _T:
            pieces.append(node.text or "")
        else:
            pieces.append("-" if node.tag == _NO_BREAK_HYPHEN else " ")
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
    def __init__(self, part: Part) -> None:
        self.part = part
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
            elif child.tag == _ALT_CHUNK:
                self.alt_chunk(child)

    def alt_chunk(self, element: etree._Element) -> None:
        """Content kept in another format inside the package (HTML pasted into Word, or a page
        turned into .docx by a converter): read it with that format's extractor."""
        rel = self.part.rels.get(element.get(_R_ID, ""))
        if rel is None or rel.is_external:
            return
        content_type, blob = rel.target_part.content_type, rel.target_part.blob
        if content_type in ("text/html", "application/xhtml+xml"):
            text = decode_text(blob)
        elif content_type == "message/rfc822":
            text = sniff(blob).text or ""
        elif content_type == "text/plain":
            for paragraph in decode_text(blob).splitlines():
                if paragraph.strip():
                    self.emit([Cell(_SPACE.sub(" ", paragraph).strip())])
            return
        else:
            return
        offset = self.tables
        for line in html.extract(text).lines:
            table = None if line.table is None else offset + line.table
            if table is not None:
                self.tables = max(self.tables, table + 1)
            self.emit(line.cells, table=table)

    def table(self, tbl: etree._Element) -> None:
        rows = [child for child in _children(tbl) if child.tag == _TR]
        if next(tbl.iterdescendants(_TBL), None) is not None:
            for row in rows:  # a frame around other content: read each cell as a body
                for tc in _cells(row):
                    self.block(tc)
            return
        index = self.tables
        self.tables += 1
        for row in rows:
            cells = _row_cells(row)
            if any(cell.text for cell in cells):
                self.emit(cells, table=index)


def _cells(row: etree._Element) -> list[etree._Element]:
    return [child for child in _children(row) if child.tag == _TC]


def _properties(element: etree._Element, tag: str) -> dict[str, etree._Element]:
    """The children of an element's property block (w:tcPr, w:trPr) by tag: one pass over a few
    children is far cheaper than a path lookup per property."""
    first = element[0] if len(element) else None
    if first is None or first.tag != tag:
        return {}
    return {child.tag: child for child in first}


def _row_cells(row: etree._Element) -> list[Cell]:
    cells: list[Cell] = []
    column = _int_attr(_properties(row, _TR_PR).get(_GRID_BEFORE), 0, low=0)
    for tc in _cells(row):
        properties = _properties(tc, _TC_PR)
        span = _int_attr(properties.get(_GRID_SPAN), 1)
        merge = properties.get(_V_MERGE)
        continues = merge is not None and merge.get(_VAL, "continue") == "continue"
        h_merge = properties.get(_H_MERGE)
        if cells and h_merge is not None and h_merge.get(_VAL, "continue") == "continue":
            # the legacy horizontal merge of files converted from .doc: widen the cell on the left
            cells[-1] = Cell(cells[-1].text, cells[-1].x0, float(column + span))
        else:
            text = "" if continues else cell_text([_paragraph_text(p) for p in _children(tc) if p.tag == _P])
            cells.append(Cell(text, float(column), float(column + span)))
        column += span
    return cells

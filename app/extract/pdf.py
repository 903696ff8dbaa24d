"""PDF to lines of positioned cells, rebuilt from character coordinates and the table's rulings.

Word and WPS exports draw table cells in an order unrelated to reading order, so text order is
useless inside tables. Instead every character is placed by its coordinates: horizontal rulings
cut the page into bands, the vertical rulings that cross a band cut it into cells, and a cell
that no ruling closes at the top continues the cell above (a vertically merged label). Text
outside the rulings is grouped into lines by height. pdfminer.six gives the characters and
rulings without its (slower) layout analysis.
"""

from __future__ import annotations

import bisect
import io
import itertools
import re
from dataclasses import dataclass

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTComponent, LTCurve, LTFigure, LTImage, LTLine, LTPage, LTRect
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser, PDFSyntaxError
from pdfminer.psparser import PSException

from app.config import get_settings
from app.errors import NO_TEXT_LAYER, PDF_ENCRYPTED, TOO_MANY_PAGES, UNREADABLE_FILE, ProblemError
from app.extract import pdfium
from app.extract.lines import Cell, Extracted, Line
from app.extract.pdfpage import Char, PageContent


@dataclass(frozen=True)
class PageSettings:
    """How characters and rulings become lines of cells; distances in points, gaps in character
    heights (the larger of the two characters beside the gap)."""

    snap: float = 1.5  # rulings closer than this are the same ruling
    min_band: float = 2.0  # two horizontal rulings closer than this enclose no row
    # A box of one cell this tall is a page frame (WPS and Word draw one round every page), or a
    # boxed block of text: its text is read as text, not as one table cell.
    frame_height: float = 120.0
    footer_zone: float = 60.0  # from the bottom of the page, where page numbers live
    same_line: float = 0.5  # characters whose middles are closer than this stand on one line
    word_gap: float = 0.3  # a gap this wide inside a cell or line is a space
    cell_gap: float = 2.0  # a gap this wide on a line without rulings separates two cells
    digit_gap: float = 0.6  # and so does a gap this wide beside a digit


SETTINGS = PageSettings()
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–\s]*\d+[-—–\s]*|第\s*\d+\s*页(?:\s*[/,，]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$"
)


def _collect(item: LTComponent, page: PageContent) -> None:
    height = page.height
    if isinstance(item, LTChar):
        text = item.get_text()
        if text.strip():
            page.chars.append(Char(text, item.x0, item.x1, height - item.y1, height - item.y0))
    elif isinstance(item, LTImage):
        page.images += 1
    elif isinstance(item, LTFigure):
        for child in item:
            _collect(child, page)
    elif isinstance(item, LTLine | LTRect | LTCurve):
        top, bottom = height - item.y1, height - item.y0
        page.add_shape(item.x0, item.x1, top, bottom, rectangle=isinstance(item, LTRect))


def _snap(values: list[float], settings: PageSettings) -> list[float]:
    """The positions of rulings, those closer than `snap` taken as one."""
    snapped: list[float] = []
    for value in sorted(values):
        if not snapped or value - snapped[-1] > settings.snap:
            snapped.append(value)
    return snapped


def _join(chars: list[Char], settings: PageSettings) -> str:
    """Characters of one cell or line in reading order: by line (top), then left to right."""
    if not chars:
        return ""
    parts = []
    for row in _text_lines(chars, settings):
        row.sort(key=lambda c: c.x0)
        text = row[0].text
        for before, char in itertools.pairwise(row):
            gap = char.x0 - before.x1
            text += (" " if gap > before.size * settings.word_gap else "") + char.text
        parts.append(text)
    joined = parts[0]
    for part in parts[1:]:
        space = joined[-1:].isascii() and joined[-1:].isalnum() and part[:1].isascii() and part[:1].isalnum()
        joined += (" " if space else "") + part
    return joined


@dataclass
class _Band:
    top: float
    bottom: float
    edges: list[float]  # x of the vertical rulings that cross the band
    cells: list[list[Char]]
    owner: list[tuple[int, int]]  # for each cell: the (band, cell) it continues, itself if it starts here


def _bands(page: PageContent, settings: PageSettings) -> list[_Band]:
    """The page cut into bands by its horizontal rulings and into cells by the vertical rulings
    that cross each band; a cell no ruling closes at the top continues the cell above."""
    snap = settings.snap
    ys = _snap([y for y, _, _ in page.horizontal], settings)
    bands = []
    for top, bottom in itertools.pairwise(ys):
        if bottom - top < settings.min_band:
            continue
        edges = _snap(
            [x for x, v_top, v_bottom in page.vertical if v_top <= top + snap and v_bottom >= bottom - snap],
            settings,
        )
        if len(edges) > 2 or (len(edges) == 2 and bottom - top < settings.frame_height):
            bands.append(_Band(top, bottom, edges, [[] for _ in edges[1:]], []))
    for index, band in enumerate(bands):
        above = bands[index - 1] if index and abs(bands[index - 1].bottom - band.top) < snap else None
        for cell, (left, right) in enumerate(zip(band.edges, band.edges[1:], strict=False)):
            middle = (left + right) / 2
            closed = any(
                abs(y - band.top) < snap and x0 - snap <= middle <= x1 + snap for y, x0, x1 in page.horizontal
            )
            if above is None or closed:
                band.owner.append((index, cell))
                continue
            column = bisect.bisect_right(above.edges, middle) - 1
            if 0 <= column < len(above.cells):
                band.owner.append(above.owner[column])
            else:
                band.owner.append((index, cell))
    return bands


def _fill_cells(page: PageContent, bands: list[_Band]) -> list[Char]:
    """Put each character into the cell of the band it stands in (the cell it continues, for a
    merged one); the characters outside every band, the text around the tables, are returned."""
    tops = [band.top for band in bands]
    free: list[Char] = []
    for char in page.chars:
        middle_y, middle_x = (char.top + char.bottom) / 2, (char.x0 + char.x1) / 2
        index = bisect.bisect_right(tops, middle_y) - 1
        band = bands[index] if index >= 0 else None
        if band is None or middle_y > band.bottom or not band.edges[0] <= middle_x <= band.edges[-1]:
            free.append(char)
            continue
        cell = min(bisect.bisect_right(band.edges, middle_x) - 1, len(band.cells) - 1)
        owner_band, owner_cell = band.owner[cell]
        bands[owner_band].cells[owner_cell].append(char)
    return free


def _band_lines(
    bands: list[_Band], page_number: int, table_offset: int, settings: PageSettings
) -> tuple[list[tuple[float, Line]], int]:
    """One line a band that holds text, numbered by its table (bands that touch are one table);
    the lines by their top, and the number of the page's last table."""
    items: list[tuple[float, Line]] = []
    table = table_offset
    for index, band in enumerate(bands):
        if index == 0 or abs(bands[index - 1].bottom - band.top) >= settings.snap:
            table += 1
        bounds = zip(band.edges, band.edges[1:], strict=False)
        cells = [
            Cell(_join(chars, settings), left, right)
            for cell, ((left, right), chars) in enumerate(zip(bounds, band.cells, strict=True))
            if band.owner[cell] == (index, cell)  # a merged cell is given once, in its first band
        ]
        if any(cell.text for cell in cells):
            items.append((band.top, Line(cells, page=page_number, table=table, top=band.top)))
    return items, table


def _free_lines(
    free: list[Char], page: PageContent, page_number: int, settings: PageSettings
) -> list[tuple[float, Line]]:
    """The text outside the rulings as lines by height, cut into cells at gaps; a page number in
    the footer is left out."""
    items: list[tuple[float, Line]] = []
    for chars in _text_lines(free, settings):
        top = min(c.top for c in chars)
        text_cells = _split_by_gaps(chars, settings)
        text = "".join(cell.text for cell in text_cells)
        if top > page.height - settings.footer_zone and _PAGE_NUMBER.match(text.strip()):
            continue
        items.append((top, Line(text_cells, page=page_number, top=top)))
    return items


def _page_lines(
    page: PageContent, page_number: int, table_offset: int, settings: PageSettings = SETTINGS
) -> tuple[list[Line], int]:
    """A page's lines from top to bottom: the table rows its rulings enclose and the text around
    them; and the number of its last table (tables are numbered across the document)."""
    bands = _bands(page, settings)
    free = _fill_cells(page, bands)
    items, table = _band_lines(bands, page_number, table_offset, settings)
    items += _free_lines(free, page, page_number, settings)
    items.sort(key=lambda item: item[0])
    return [line for _, line in items], table


def _text_lines(chars: list[Char], settings: PageSettings) -> list[list[Char]]:
    """Characters grouped into lines by the height of their middles, top to bottom."""
    lines: list[list[Char]] = []
    for char in sorted(chars, key=lambda c: ((c.top + c.bottom) / 2, c.x0)):
        middle = (char.top + char.bottom) / 2
        if lines:
            first = lines[-1][0]
            if abs(middle - (first.top + first.bottom) / 2) < first.size * settings.same_line:
                lines[-1].append(char)
                continue
        lines.append([char])
    return lines


def _split_by_gaps(chars: list[Char], settings: PageSettings) -> list[Cell]:
    """A line without rulings: wide gaps separate cells (a borderless table), and so does any
    visible gap beside a digit — figures in neighbouring columns sit closer than label words."""
    chars = sorted(chars, key=lambda c: c.x0)
    groups: list[list[Char]] = [[chars[0]]]
    for before, char in itertools.pairwise(chars):
        gap = char.x0 - before.x1
        size = max(before.size, char.size)
        beside_digit = before.text.isdigit() or char.text.isdigit()
        if gap > size * settings.cell_gap or (beside_digit and gap > size * settings.digit_gap):
            groups.append([char])
        else:
            groups[-1].append(char)
    return [Cell(_join(group, settings), group[0].x0, group[-1].x1) for group in groups]


def _problem_for(exc: Exception) -> ProblemError:
    if isinstance(exc, PDFPasswordIncorrect | PDFEncryptionError):
        return PDF_ENCRYPTED()
    return UNREADABLE_FILE("PDF 文件已损坏，无法读取：请重新导出 PDF 后上传")


def _encrypted() -> ProblemError:
    return _problem_for(PDFEncryptionError())


def _check_pages(count: int) -> None:
    limit = get_settings().max_pdf_pages
    if count > limit:
        raise TOO_MANY_PAGES(f"PDF 超过 {limit} 页，请只上传年度报告本身")
    if not count:
        raise UNREADABLE_FILE("PDF 中没有页面：请重新导出 PDF 后上传")


def _pdfium_pages(data: bytes) -> list[PageContent]:
    try:
        document = pdfium.open_document(data)
    except pdfium.Encrypted:
        raise _encrypted() from None
    try:
        _check_pages(len(document))
        contents = pdfium.read_pages(document)
    finally:
        document.close()
    # pages PDFium cannot give as pdfminer.six would are read by pdfminer.six
    missing = {index for index, content in enumerate(contents) if content is None}
    by_pdfminer = _pdfminer_pages(data, missing) if missing else []
    return [content if content is not None else by_pdfminer[index] for index, content in enumerate(contents)]


def _pdfminer_pages(data: bytes, wanted: set[int] | None = None) -> list[PageContent]:
    """Every page's content (only the `wanted` 0-based pages hold any when given)."""
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        pages = list(PDFPage.create_pages(document))
    except (
        PDFPasswordIncorrect,
        PDFEncryptionError,
        PDFSyntaxError,
        PSException,
        ValueError,
        KeyError,
    ) as exc:
        raise _problem_for(exc) from None
    _check_pages(len(pages))
    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    contents = []
    for index, page in enumerate(pages):
        if wanted is not None and index not in wanted:
            contents.append(PageContent(0.0))
            continue
        try:
            interpreter.process_page(page)
        except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
            raise _problem_for(exc) from None
        layout: LTPage = device.get_result()
        content = PageContent(layout.height)
        for item in layout:
            _collect(item, content)
        contents.append(content)
    return contents


def page_contents(data: bytes, reader: str) -> list[PageContent]:
    """Each page's characters and rulings as `reader` ("pdfium" or "pdfminer") gives them;
    pdfium.Unsupported when PDFium cannot open the file."""
    return _pdfium_pages(data) if reader == "pdfium" else _pdfminer_pages(data)


def extract(data: bytes, reader: str | None = None) -> Extracted:
    """A PDF's lines of positioned cells, read by `reader` (the setting `pdf_reader` by default)."""
    reader = reader or get_settings().pdf_reader
    try:
        contents = page_contents(data, reader)
    except pdfium.Unsupported:
        contents = page_contents(data, "pdfminer")
    lines: list[Line] = []
    images = chars = tables = 0
    image_pages: list[int] = []
    for number, content in enumerate(contents, 1):
        images += content.images
        chars += len(content.chars)
        if content.images and not content.chars:
            image_pages.append(number)
        page_lines, tables = _page_lines(content, number, tables)
        lines.extend(page_lines)
    if chars == 0:
        raise NO_TEXT_LAYER(
            "这是扫描件（PDF 只有图片，没有文字层），无法读取数字："
            "请上传由 Word/WPS 直接导出的 PDF 或 .docx 文件"
            if images
            else "PDF 中没有可读取的文字：请上传由 Word/WPS 直接导出的 PDF 或 .docx 文件",
        )
    for page_number in range(1, len(contents) + 1):
        on_page = [line for line in lines if line.page == page_number]
        for index, line in enumerate(on_page, 1):
            line.number = index
    return Extracted(lines, "application/pdf", pages=len(contents), image_pages=image_pages)

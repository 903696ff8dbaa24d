"""HTML (a report as a portal page) to lines: the article's paragraphs and tables in order.

A portal wraps the report in its chrome: header, navigation, a sidebar of other years' reports,
share buttons, a footer, scripts. These are dropped (by tag, by being hidden, by being mostly
links), then the article is found by descending from <body> into whichever child holds at least
80% of the remaining text; the title and the 发布时间 line just before it are kept.

Tables are expanded onto their grid: a cell's position is its grid columns (x0 = first column,
x1 = one past the last, as for Word). A rowspan cell gives its text to its first row only; each
row below gets an empty cell with the same span, so a merged row label is read once and no figure
moves. A table holding other tables is a layout frame: its cells are read as body content.
Inside a cell, <br>, <p> and other blocks become spaces and &nbsp; is a space.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.html
from lxml import etree

from app.errors import ProblemError
from app.extract.lines import Cell, Extracted, Line
from app.extract.sniff import decode_text

MEDIA_TYPE = "text/html"
DOMINANT_SHARE = 0.8  # a child holding this share of the text is where the article is
MAX_SPAN = 1000

_DROP = {
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
    "form", "button", "input", "select", "textarea", "nav", "aside", "link", "meta",
}  # fmt: skip
_CHROME_OUTSIDE_ARTICLE = {"header", "footer"}  # <header> inside <article> holds its title
_BLOCK = {
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
    "ol", "dl", "dt", "dd", "blockquote", "pre", "center", "address", "figure", "figcaption",
    "hr", "header", "footer", "tr", "td", "th", "caption", "tbody", "thead", "tfoot",
}  # fmt: skip
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HEADING = {"h1", "h2", "h3"}
_PREAMBLE_CLASS = re.compile(r"title|info|time|date|source|fbsj|fbrq|pubtime", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)


def extract(data: bytes, *, text: str | None = None) -> Extracted:
    """The lines of an HTML page; `text` is the page already decoded (by sniff), if at hand."""
    source = _XML_DECLARATION.sub("", text if text is not None else decode_text(data), count=1)
    try:
        root = lxml.html.document_fromstring(source, parser=_PARSER)
    except (etree.ParserError, ValueError):
        raise ProblemError(422, "unreadable_file", "网页内容为空或已损坏，无法读取") from None
    title = _page_title(root)
    body = root.find("body")
    if body is None:
        body = root
    _strip_chrome(body)
    weights = _weights(body)
    article = _article(body, weights)
    reader = _Reader()
    preamble = list(_preamble(article, body))
    if not any(el.tag in _HEADING for el in preamble) and title:
        reader.emit([Cell(title)])
    for element in preamble:
        reader.walk(element)
        reader.flush()
    reader.walk(article)
    reader.flush()
    return Extracted(lines=reader.lines, media_type=MEDIA_TYPE, pages=1)


def _page_title(root: etree._Element) -> str:
    """The <title> without the site's name after it ("报告标题_某某人民政府")."""
    node = root.find(".//title")
    text = _collapse(node.text_content()) if node is not None else ""
    return re.split(r"\s*[_|｜]\s*|\s+-\s+", text)[0] if text else ""


def _strip_chrome(body: etree._Element) -> None:
    doomed = []
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if (
            tag in _DROP
            or (tag in _CHROME_OUTSIDE_ARTICLE and not _inside(element, ("article", "main")))
            or element.get("hidden") is not None
            or _HIDDEN.search(element.get("style", ""))
        ):
            doomed.append(element)
    for element in doomed:
        _remove(element)
    for element in [el for el in body.iter("div", "ul", "ol", "p", "section", "span") if _link_dense(el)]:
        if element.getparent() is not None:
            _remove(element)


def _inside(element: etree._Element, tags: tuple[str, ...]) -> bool:
    return any(ancestor.tag in tags for ancestor in element.iterancestors())


def _remove(element: etree._Element) -> None:
    """Drop an element but keep its tail text, which belongs to its parent."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _visible_length(text: str | None) -> int:
    return len(_SPACE.sub("", text or ""))


def _link_dense(element: etree._Element) -> bool:
    """A list of links (menus, "上一篇/下一篇", other years' reports), not report text."""
    if element.find(".//a") is None or element.find(".//table") is not None:
        return False
    total = _visible_length(element.text_content())
    linked = sum(_visible_length(a.text_content()) for a in element.iter("a"))
    return total > 0 and linked >= 0.6 * total


def _weights(body: etree._Element) -> dict[etree._Element, int]:
    """Visible characters under each element, link text left out."""
    weights: dict[etree._Element, int] = {}

    def visit(element: etree._Element) -> int:
        own = 0 if element.tag == "a" else _visible_length(element.text)
        for child in element:
            own += visit(child) if element.tag != "a" else 0
            own += _visible_length(child.tail)
        weights[element] = own
        return own

    visit(body)
    return weights


def _is_data_table(element: etree._Element) -> bool:
    return element.tag == "table" and element.find(".//table") is None


def _article(body: etree._Element, weights: dict[etree._Element, int]) -> etree._Element:
    current = body
    while not _is_data_table(current):
        total = weights.get(current, 0)
        heavy = [child for child in current if weights.get(child, 0) >= DOMINANT_SHARE * total > 0]
        if not heavy:
            return current
        current = heavy[0]
    return current


def _preamble(article: etree._Element, body: etree._Element) -> Iterator[etree._Element]:
    """Title and date lines standing just before the article, up to three levels up."""
    found: list[etree._Element] = []
    child = article
    for _ in range(3):
        parent = child.getparent()
        if parent is None or child is body:
            break
        before = []
        for sibling in child.itersiblings(preceding=True):
            marks = f"{sibling.get('class', '')} {sibling.get('id', '')}"
            if sibling.tag in _HEADING or _PREAMBLE_CLASS.search(marks):
                before.append(sibling)
        found = list(reversed(before)) + found
        child = parent
    yield from found


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def cell_text(cell: etree._Element) -> str:
    """A cell's text with blocks and <br> as spaces: "自<br>然<br>人" reads "自 然 人"."""
    parts: list[str] = []

    def visit(element: etree._Element) -> None:
        block = element.tag in _BLOCK or element.tag == "br"
        if block:
            parts.append(" ")
        parts.append(element.text or "")
        for child in element:
            visit(child)
            parts.append(child.tail or "")
        if block:
            parts.append(" ")

    visit(cell)
    return _collapse("".join(parts))


def _span(element: etree._Element, name: str) -> int:
    try:
        return max(0, min(int(element.get(name, "1").strip() or 1), MAX_SPAN))
    except ValueError:
        return 1


def _rows(table: etree._Element) -> list[etree._Element]:
    return table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")


def grid_rows(table: etree._Element) -> Iterator[list[Cell]]:
    """The rows of a table with each cell at its grid columns, rowspans carried down as empty."""
    rows = _rows(table)
    carried: list[list[tuple[int, int]]] = [[] for _ in rows]  # (x0, x1) taken by cells above
    for r, tr in enumerate(rows):
        cells = [Cell("", float(x0), float(x1)) for x0, x1 in carried[r]]
        column = 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            column = _free(column, carried[r])
            colspan = max(1, _span(td, "colspan"))
            rowspan = _span(td, "rowspan") or len(rows) - r  # rowspan="0": to the end
            cells.append(Cell(cell_text(td), float(column), float(column + colspan)))
            for below in range(r + 1, min(r + rowspan, len(rows))):
                carried[below].append((column, column + colspan))
            column += colspan
        cells.sort(key=lambda cell: cell.x0 or 0.0)
        yield cells


def _free(column: int, taken: list[tuple[int, int]]) -> int:
    moved = True
    while moved:
        moved = False
        for x0, x1 in taken:
            if x0 <= column < x1:
                column, moved = x1, True
    return column


class _Reader:
    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.tables = 0
        self.pending: list[str] = []

    def emit(self, cells: list[Cell], table: int | None = None) -> None:
        self.lines.append(Line(cells=cells, page=1, number=len(self.lines) + 1, table=table))

    def flush(self) -> None:
        text = _collapse("".join(self.pending))
        self.pending = []
        if text:
            self.emit([Cell(text)])

    def walk(self, element: etree._Element) -> None:
        tag = element.tag
        if tag == "table":
            self.flush()
            self.table(element)
            return
        if tag == "br":
            self.flush()
            return
        block = tag in _BLOCK
        if block:
            self.flush()
        self.pending.append(element.text or "")
        for child in element:
            self.walk(child)
            self.pending.append(child.tail or "")
        if block:
            self.flush()

    def table(self, table: etree._Element) -> None:
        if not _is_data_table(table):
            for row in _rows(table):  # a layout frame: each cell is body content
                for cell in row:
                    self.walk(cell)
                    self.flush()
            return
        index = self.tables
        self.tables += 1
        for cells in grid_rows(table):
            if any(cell.text for cell in cells):
                self.emit(cells, table=index)

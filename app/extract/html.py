"""HTML (a report as a portal page) to lines: the article's paragraphs and tables in order.

A portal wraps the report in its chrome: header, navigation, a sidebar of other years' reports,
share buttons, a footer, scripts. These are dropped (by tag, by being hidden, by being mostly
links), then the article is found by descending from <body> into whichever child holds at least
80% of the remaining text and every data table; the title and the 发布时间 line just before it
are kept.

Tables are expanded onto their grid: a cell's position is its grid columns (x0 = first column,
x1 = one past the last, as for Word). A rowspan cell gives its text to its first row only; each
row below gets an empty cell with the same span, so a merged row label is read once and no figure
moves. A table holding other tables is a layout frame: its cells are read as body content.
Inside a cell, <br>, <p> and other blocks become spaces and &nbsp; is a space.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from app.errors import UNREADABLE_FILE
from app.extract.lines import Cell, Extracted, Line
from app.extract.sniff import decode_text

MEDIA_TYPE = "text/html"
DOMINANT_SHARE = 0.8  # a child holding this share of the text is where the article is
MAX_SPAN = 1000
MAX_PREAMBLE = 300  # characters: a title or a 发布时间 line, not a block of the page

_DROP = {
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
    "button", "input", "select", "textarea", "nav", "aside", "link", "meta",
}  # fmt: skip
_CHROME_OUTSIDE_ARTICLE = {"header", "footer"}  # <header> inside <article> holds its title
# A form or a hidden element is chrome when small (a search box, a pop-up menu); ASP.NET portals
# wrap the whole page in a form, and WeChat articles hide theirs until a script shows it.
SMALL_CHROME = 200
_BLOCK = {
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
    "ol", "dl", "dt", "dd", "blockquote", "pre", "center", "address", "figure", "figcaption",
    "hr", "header", "footer", "tr", "td", "th", "caption", "tbody", "thead", "tfoot",
}  # fmt: skip
_LINK_BLOCKS = ("div", "ul", "ol", "p", "section", "span", "table")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HEADING = {"h1", "h2", "h3"}
_PREAMBLE_CLASS = re.compile(r"title|info|time|date|source|fbsj|fbrq|pubtime", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
# lxml's HTML parser without lxml.html's element classes: the same tree, without a Python
# lookup for every element touched.
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)


def extract(data: bytes | str) -> Extracted:
    """The lines of an HTML page, given as bytes or as the text sniff already decoded."""
    source = _XML_DECLARATION.sub("", data if isinstance(data, str) else decode_text(data), count=1)
    try:
        root = etree.fromstring(source, _PARSER) if source.strip() else None
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        raise UNREADABLE_FILE("网页内容为空或已损坏，无法读取")
    title = _page_title(root)
    body = root.find("body")
    if body is None:
        body = root
    weights = _strip_chrome(body)
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
    return Extracted(lines=reader.lines, media_type=MEDIA_TYPE, pages=1, facts=_facts(root, title))


# Portal CMSs describe the article in meta tags (the national portal specification's names).
_META_FACTS = {"articletitle": "title", "pubdate": "published", "contentsource": "source"}


def _facts(root: etree._Element, title: str) -> dict[str, str]:
    """The page's title and its meta tags' title, publication date and source."""
    facts = {"title": title} if title else {}
    for meta in root.iter("meta"):
        name = (meta.get("name") or "").strip().lower()
        content = _collapse(meta.get("content") or "")
        if name in _META_FACTS and content:
            facts[_META_FACTS[name]] = content
    return facts


def _page_title(root: etree._Element) -> str:
    """The <title> without the site's name after it ("报告标题_某某人民政府")."""
    node = root.find(".//title")
    text = _collapse(_text(node)) if node is not None else ""
    return re.split(r"\s*[_|｜]\s*|\s+-\s+", text)[0] if text else ""


def _strip_chrome(body: etree._Element) -> dict[etree._Element, _Weight]:
    """Drop scripts, navigation, small forms and lists of links; what every element still holds."""
    doomed = []
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if (
            tag in _DROP
            or (tag in _CHROME_OUTSIDE_ARTICLE and not _inside(element, ("article", "main")))
            or ((tag == "form" or _hidden(element)) and _small(element))
        ):
            doomed.append(element)
    for element in doomed:
        _remove(element)
    weights = _weights(body)
    for element in [el for el in body.iter(*_LINK_BLOCKS) if _link_dense(el, weights[el])]:
        parent = element.getparent()
        if parent is not None:
            _remove(element)
            _subtract(weights, parent, weights[element])
    return weights


def _subtract(weights: dict[etree._Element, _Weight], parent: etree._Element, gone: _Weight) -> None:
    """An element removed: what it held is no longer its ancestors' (its tail stays theirs)."""
    node: etree._Element | None = parent
    while node is not None and node in weights:
        weight = weights[node]
        weight.chars -= gone.chars
        weight.links -= gone.links
        weight.tables -= gone.tables
        node = node.getparent()


def _hidden(element: etree._Element) -> bool:
    return element.get("hidden") is not None or bool(_HIDDEN.search(element.get("style", "")))


def _small(element: etree._Element) -> bool:
    return next(element.iter("table"), None) is None and _visible_length(_text(element)) < SMALL_CHROME


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


def _text(element: etree._Element) -> str:
    return "".join(element.itertext())


def _visible_length(text: str | None) -> int:
    return len(_SPACE.sub("", text or ""))


@dataclass
class _Weight:
    chars: int = 0  # visible characters outside links
    links: int = 0  # visible characters inside links
    tables: int = 0  # data tables, this element included


def _weights(body: etree._Element) -> dict[etree._Element, _Weight]:
    """What each element holds, in one pass over the tree."""
    weights: dict[etree._Element, _Weight] = {}

    def visit(element: etree._Element, in_link: bool) -> _Weight:
        weight = _Weight(tables=1 if _is_data_table(element) else 0)
        in_link = in_link or element.tag == "a"

        def add(text: str | None) -> None:
            if in_link:
                weight.links += _visible_length(text)
            else:
                weight.chars += _visible_length(text)

        add(element.text)
        for child in element:
            below = visit(child, in_link)
            weight.chars += below.chars
            weight.links += below.links
            weight.tables += below.tables
            add(child.tail)
        weights[element] = weight
        return weight

    visit(body, False)
    return weights


def _link_dense(element: etree._Element, weight: _Weight) -> bool:
    """A list of links (menus, "上一篇/下一篇", other years' reports), not report text."""
    tables_below = weight.tables - (1 if _is_data_table(element) else 0)
    return weight.links > 0 and tables_below == 0 and weight.links >= 0.6 * (weight.links + weight.chars)


def _is_data_table(element: etree._Element) -> bool:
    return element.tag == "table" and next(element.iterdescendants("table"), None) is None


def _article(body: etree._Element, weights: dict[etree._Element, _Weight]) -> etree._Element:
    """Descend while one child holds most of the text and every data table."""
    current = body
    while not _is_data_table(current):
        here = weights[current]
        heavy = [
            child
            for child in current
            if isinstance(child.tag, str)
            and weights[child].chars >= DOMINANT_SHARE * here.chars > 0
            and weights[child].tables == here.tables
        ]
        if not heavy:
            return current
        current = heavy[0]
    return current


def _is_preamble(element: etree._Element) -> bool:
    """A title or 发布时间 line: a heading, or marked so by its class or id (or a child's)."""
    if _visible_length(_text(element)) > MAX_PREAMBLE:
        return False
    for node in element.iter():
        marks = f"{node.get('class', '')} {node.get('id', '')}"
        if node.tag in _HEADING or _PREAMBLE_CLASS.search(marks):
            return True
    return False


def _preamble(article: etree._Element, body: etree._Element) -> Iterator[etree._Element]:
    """Title and date lines standing just before the article, up to three levels up."""
    found: list[etree._Element] = []
    child = article
    for _ in range(3):
        parent = child.getparent()
        if parent is None or child is body:
            break
        before = [sibling for sibling in child.itersiblings(preceding=True) if _is_preamble(sibling)]
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

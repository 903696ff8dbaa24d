"""A whole page on one line, cut back into the lines a person sees.

A portal page copied as text can put the chrome, the narrative, all three tables and the closing
parts on one line, each table row's figures run together with no separator
("一、本年新收政府信息公开申请数量 713000074二、上年结转…"). The line is cut before and after the six
parts' headings; inside the tables, where a label gives way to its figures and the figures to the
next label. A row's figures stay one run: the layout parser splits it by the 勾稽 relations, or
reports it ambiguous.
"""

from __future__ import annotations

import re

from app.extract.lines import Cell, Line
from app.extract.sections import MAX_HEADING_LENGTH, heading_number

# Two rows of table 三 on one line: that line holds a table, not a paragraph.
_ROWS_ON_ONE_LINE = ("本年新收", "结转下年度")
_PART = re.compile(r"[一二三四五六]、")
# Figures: digits with spaces between them, a sign, a decimal point or a thousands separator.
_FIGURES = re.compile(r"[-−]?\d(?:[\d \u3000]|[.,](?=\d))*")
# "1.属于国家秘密": a row's number glued to the figures of the row before ("00000002.其他法律…").
_ROW_NUMBER = re.compile(r"[1-9][.．、](?=[\u4e00-\u9fff])")
_TABLE_WORDS = ("第二十条", "信息内容", "申请人情况", "本年新收")
TABLE_PARTS = (2, 3, 4)
_SPACES = re.compile(r"[ \u3000]+")


def _is_page_on_one_line(line: Line) -> bool:
    text = line.text
    return all(word in text for word in _ROWS_ON_ONE_LINE)


def _headings(text: str) -> list[tuple[int, int, int]]:
    """(start, end, part) of each of the six parts' headings inside the run, in order."""
    found: list[tuple[int, int, int]] = []
    for match in _PART.finditer(text):
        start = match.start()
        if found and start < found[-1][1]:
            continue
        for end in range(start + 3, min(len(text), start + MAX_HEADING_LENGTH) + 1):
            number = heading_number(text[start:end])
            if number is not None:
                if not found or number > found[-1][2]:
                    found.append((start, end, number))
                break
    return found


def _table_rows(text: str) -> list[tuple[str, str]]:
    """A table's run as (label, figures) pairs; a label with no figures after it has ""."""
    rows: list[tuple[str, str]] = []
    label_start = 0
    for match in _FIGURES.finditer(text):
        start, end = match.span()
        figures = match.group()
        glued = _ROW_NUMBER.match(text, end - 1)
        if glued:  # the last digit numbers the next row's label
            figures, end = figures[:-1], end - 1
        figures = figures.strip()
        if not figures:
            continue
        rows.append((text[label_start:start].strip(), figures))
        label_start = end
    tail = text[label_start:].strip()
    if tail:
        rows.append((tail, ""))
    return rows


def _unfold(line: Line) -> list[Line]:
    text = line.text
    headings = _headings(text)
    pieces: list[tuple[str, bool]] = []  # (text, inside a table)
    cursor, part = 0, 0
    for start, end, number in headings:
        pieces.append((text[cursor:start], part in TABLE_PARTS))
        pieces.append((text[start:end], False))
        cursor, part = end, number
    pieces.append((text[cursor:], part in TABLE_PARTS))
    if not any(inside for _, inside in pieces):  # no table heading: the tables start at their words
        starts = [text.find(word) for word in _TABLE_WORDS if word in text]
        first = min(starts)
        later = [start for start, _, number in headings if number > max(TABLE_PARTS) and start > first]
        last = min(later) if later else len(text)
        pieces = [(text[:first], False), (text[first:last], True), (text[last:], False)]
    head, *rest = pieces
    # Before the first part: the page's chrome and the title, items set apart by spaces.
    pieces = [(item, False) for item in _SPACES.split(head[0])] + rest
    lines: list[Line] = []
    for piece, inside in pieces:
        if not piece.strip():
            continue
        if not inside:
            lines.append(Line([Cell(piece.strip())], page=line.page, number=line.number))
            continue
        for label, figures in _table_rows(piece):
            cells = [Cell(label)] if label else []
            if figures:
                cells.append(Cell(figures))
            lines.append(Line(cells, page=line.page, number=line.number))
    return lines


def unfold(lines: list[Line]) -> list[Line]:
    """The lines, with any line that holds a whole page cut into its parts and rows."""
    if not any(_is_page_on_one_line(line) for line in lines):
        return lines
    out: list[Line] = []
    for line in lines:
        out.extend(_unfold(line) if _is_page_on_one_line(line) else [line])
    return out

"""Where each of the six parts of a report starts, and which lines are narrative, not tables."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.extract.labels import SECTION_KEYS, SECTION_NUMERALS
from app.extract.lines import Line
from app.extract.values import normalise

_HEADING_NOISE = re.compile(r"[\s#*>\-—_`|、,，.。:：()（）]")
MAX_HEADING_LENGTH = 40
TABLE_SECTIONS = (2, 3, 4)


def heading_number(text: str) -> int | None:
    """The part a heading line opens (1–6), judged by its words; None for any other line."""
    clean = normalise(text).lstrip("#*-> \t")
    if not clean or len(clean) > MAX_HEADING_LENGTH or "。" in clean:
        return None
    bare = _HEADING_NOISE.sub("", clean)
    numeral = bare[:1] if bare[:1] in SECTION_NUMERALS else None
    title = bare[1:] if numeral else bare
    for number, keys in SECTION_KEYS.items():
        if numeral is not None and SECTION_NUMERALS.index(numeral) + 1 != number:
            continue
        # With its numeral a heading may add a word or two; without, it must be the title itself.
        if any(title == key or (numeral and key in title and len(title) <= len(key) + 4) for key in keys):
            return number
    return None


@dataclass
class Sections:
    starts: dict[int, int]  # part number → index of its heading line

    def span(self, number: int, total: int) -> tuple[int, int] | None:
        """The lines of a part: after its heading up to the next part's heading."""
        if number not in self.starts:
            return None
        begin = self.starts[number] + 1
        later = [index for n, index in self.starts.items() if n > number and index >= begin]
        return begin, min(later) if later else total


def find_sections(lines: list[Line]) -> Sections:
    """Headings in order: part n is looked for only after part n-1's heading."""
    starts: dict[int, int] = {}
    floor = 0
    for index, line in enumerate(lines):
        if index < floor:
            continue
        text = "".join(cell.text for cell in line.cells)
        number = heading_number(text)
        if number is not None and number not in starts and all(n < number for n in starts):
            starts[number] = index
            floor = index + 1
    return Sections(starts)


_ITEM_START = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|#)")
_PARAGRAPH_END = tuple('。！？!?；;：:）)”"')
_TITLE_END = (*_PARAGRAPH_END, "年度报告", "年报")  # a title's last line is never wrapped text
_DATE_LINE = re.compile(r"^\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
MAX_WRAPPED_HEADING = 30
MIN_WRAPPED_LINE = 16  # shorter lines are titles, signatures or headings, never wrapped text


def _continues(previous: str, line: str) -> bool:
    """A line wrapped from the one before (PDF lines, page breaks), not a new paragraph or heading."""
    if previous.endswith(_TITLE_END) or line.endswith(_TITLE_END[-2:]):  # a title stands alone
        return False
    if _ITEM_START.match(line) or _DATE_LINE.match(line):
        return False
    if len(previous) < MIN_WRAPPED_LINE:
        return False
    short_heading = len(previous) <= MAX_WRAPPED_HEADING and _ITEM_START.match(previous)
    return not short_heading and heading_number(previous) is None and heading_number(line) is None


Span = tuple[int, int]

# Words that open a table when its section heading is missing, and the one that closes table 三.
_TABLE_OPENERS = {2: ("第二十条", "信息内容"), 3: ("申请人情况", "本年新收"), 4: ("行政复议",)}
_TABLE3_LAST_ROW = "结转下年度"
_TABLE4_WORDS = ("维持", "纠正", "审结")


def _bare_line(line: Line) -> str:
    return _HEADING_NOISE.sub("", normalise("".join(cell.text for cell in line.cells)))


def _first(lines: list[Line], words: tuple[str, ...], start: int, stop: int) -> int | None:
    return next((i for i in range(start, stop) if any(word in _bare_line(lines[i]) for word in words)), None)


def _table4_opener(lines: list[Line], start: int, stop: int) -> int | None:
    """The header line of table 四: 行政复议, with 维持/纠正/审结 right below it."""
    opener = _first(lines, _TABLE_OPENERS[4], start, stop)
    while opener is not None:
        if _first(lines, _TABLE4_WORDS, opener, min(len(lines), opener + 6)) is not None:
            return opener
        opener = _first(lines, _TABLE_OPENERS[4], opener + 1, stop)
    return None


def table_spans(lines: list[Line], sections: Sections) -> dict[int, Span | None]:
    """The lines of tables 二, 三 and 四: under their headings, or found by their own words.

    Some documents drop a heading (a portal page whose headings are pictures, a table pasted
    without its title); the tables themselves still print their row labels.
    """
    total = len(lines)
    spans = {n: sections.span(n, total) for n in TABLE_SECTIONS}
    if spans[3] is None:
        opener = _first(lines, _TABLE_OPENERS[3], spans[2][0] if spans[2] else 0, total)
        if opener is not None:
            table4 = spans[4][0] - 1 if spans[4] else _table4_opener(lines, opener, total)
            last = _first(lines, (_TABLE3_LAST_ROW,), opener, table4 if table4 is not None else total)
            end = last + 1 if last is not None else table4 if table4 is not None else total
            spans[3] = (opener, end)
            if spans[2] and spans[2][1] > opener:
                spans[2] = (spans[2][0], opener)
    if spans[3] is not None and spans[2] is None:
        opener = _first(lines, _TABLE_OPENERS[2], 0, spans[3][0])
        if opener is not None:
            spans[2] = (opener, spans[3][0])
    if spans[3] is not None and spans[4] is None:
        # After table 三's last row: its heading may be misprinted ("行政法复议") and so not seen.
        begin, end = spans[3]
        last = _first(lines, (_TABLE3_LAST_ROW,), begin, end)
        start = last + 1 if last is not None else end
        opener = _table4_opener(lines, start, min(total, max(start, end) + 8))
        if opener is not None and opener < end:
            spans[3] = (begin, opener)
        if opener is not None:
            later = [index for n, index in sections.starts.items() if n > 4 and index > opener]
            spans[4] = (opener, min(later) if later else min(total, opener + 12))
    return spans


def narrative(lines: list[Line], spans: dict[int, Span | None]) -> str:
    """The report's text outside tables 二, 三 and 四, headings kept, one paragraph per line.

    Lines that a PDF or a page break wrapped are joined again, so a sentence is never cut.
    """
    skipped: set[int] = set()
    for span in spans.values():
        if span:
            skipped.update(range(*span))
    paragraphs: list[str] = []
    for index, line in enumerate(lines):
        if index in skipped:
            continue
        text = " ".join(cell.text.strip() for cell in line.cells if cell.text.strip())
        if not text:
            continue
        if len(paragraphs) > 1 and _continues(paragraphs[-1], text):
            paragraphs[-1] += text
        else:
            paragraphs.append(text)
    return "\n".join(paragraphs)

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


def _heading_number(text: str) -> int | None:
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
        number = _heading_number(text)
        if number is not None and number not in starts and all(n < number for n in starts):
            starts[number] = index
            floor = index + 1
    return Sections(starts)


_ITEM_START = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|#)")
_PARAGRAPH_END = '。！？!?；;：:）)”"'
_DATE_LINE = re.compile(r"^\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
MAX_WRAPPED_HEADING = 30
MIN_WRAPPED_LINE = 16  # shorter lines are titles, signatures or headings, never wrapped text


def _continues(previous: str, line: str) -> bool:
    """A line wrapped from the one before (PDF lines, page breaks), not a new paragraph or heading."""
    if previous.endswith(tuple(_PARAGRAPH_END)) or _ITEM_START.match(line) or _DATE_LINE.match(line):
        return False
    if len(previous) < MIN_WRAPPED_LINE:
        return False
    short_heading = len(previous) <= MAX_WRAPPED_HEADING and _ITEM_START.match(previous)
    return not short_heading and _heading_number(previous) is None and _heading_number(line) is None


def narrative(lines: list[Line], sections: Sections) -> str:
    """The report's text outside tables 二, 三 and 四, headings kept, one paragraph per line.

    Lines that a PDF or a page break wrapped are joined again, so a sentence is never cut.
    """
    skipped = set()
    for number in TABLE_SECTIONS:
        span = sections.span(number, len(lines))
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

"""The narrative cut into what the checks beyond the tables read: parts, paragraphs, sentences.

`Draft.narrative` is the document's text outside the tables, in reading order, with its headings.
Text extracted from PDF breaks lines in mid-sentence and at page ends, so paragraphs are rebuilt
from punctuation before sentences are cut.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Part:
    numeral: str
    title: str  # as the official template prints it
    keywords: re.Pattern[str]  # what a heading of this part says, whatever its wording


PARTS: tuple[Part, ...] = (
    Part("一", "总体情况", re.compile(r"总体情况|总体|概述|基本情况")),
    Part("二", "主动公开政府信息情况", re.compile(r"主动公开")),
    Part("三", "收到和处理政府信息公开申请情况", re.compile(r"收到和处理|处理政府信息公开申请|依申请")),
    Part("四", "政府信息公开行政复议、行政诉讼情况", re.compile(r"复议|诉讼")),
    Part("五", "存在的主要问题及改进情况", re.compile(r"问题|改进")),
    Part("六", "其他需要报告的事项", re.compile(r"其他|需要报告")),
)
TABLE_PARTS = ("二", "三", "四")

# "一、总体情况", "# 二、主动公开…", "三．收到…": a numeral, a separator, a short title.
_HEADING = re.compile(r"^[#\s*\-]*([一二三四五六])\s*[、.．,，]\s*(.{1,40})$")
_SUBHEADING = re.compile(
    r"^[#\s*\-]*([(（][一二三四五六七八九十\d]+[)）]|\d+[.．、]|[一二三四五六七八九十]+是)"
)
_SENTENCE_END = "。！？；!?;"
_PARAGRAPH_END = _SENTENCE_END + '：:”"）)'


class _OneForOne(dict):
    """A `str.translate` table filled on demand: a character's NFKC form when that is one
    character, else the character itself."""

    def __missing__(self, code: int) -> int:
        plain = unicodedata.normalize("NFKC", chr(code))
        self[code] = ord(plain) if len(plain) == 1 else code
        return self[code]


_ONE_FOR_ONE = _OneForOne()


def normalise(text: str) -> str:
    """Full-width digits, letters and punctuation to their plain forms, one character for one.

    Keeping the length lets a match in the normalised text quote the original.
    """
    return text.translate(_ONE_FOR_ONE)


def heading_part(line: str) -> Part | None:
    """The part a line heads, when it is a heading of the six parts."""
    found = _HEADING.match(line.strip())
    if found is None:
        return None
    numeral, title = found.groups()
    by_keyword = [p for p in PARTS if p.keywords.search(title)]
    same = [p for p in by_keyword if p.numeral == numeral]
    if same:
        return same[0]
    # a renumbered heading ("三、存在的主要问题…" when a table part was left out)
    return by_keyword[0] if len(by_keyword) == 1 else None


@dataclass
class Section:
    part: Part | None  # None for what stands before the first heading (title, preamble)
    heading: str = ""
    lines: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n".join(self.lines).strip()

    @property
    def name(self) -> str:
        return self.part.title if self.part else "标题与引言"


def split_sections(narrative: str) -> list[Section]:
    """The narrative cut at the headings of the six parts; the first section is the preamble."""
    sections = [Section(None)]
    for line in narrative.splitlines():
        part = heading_part(line)
        if part is not None:
            sections.append(Section(part, line.strip()))
        elif line.strip():
            sections[-1].lines.append(line.strip())
    return sections


def is_subheading(text: str) -> bool:
    """A short numbered heading inside a part, "（一）政府信息主动公开情况", with no sentence."""
    text = text.strip()
    return bool(_SUBHEADING.match(text)) and len(text) <= 30 and not any(c in _SENTENCE_END for c in text)


def paragraphs(lines: list[str]) -> list[str]:
    """Lines joined back into paragraphs: a line continues the previous one unless that one ended
    a sentence or this one opens a numbered item."""
    found: list[str] = []
    closed = True
    for line in lines:
        text = line.strip()
        if not text:
            continue
        if closed or _SUBHEADING.match(text):
            found.append(text)
        else:
            found[-1] += text
        # a short numbered heading ("（二）依申请公开情况") stands alone
        closed = text[-1] in _PARAGRAPH_END or (bool(_SUBHEADING.match(found[-1])) and len(found[-1]) <= 30)
    return found


def sentences(paragraph: str) -> list[str]:
    """A paragraph cut after every 。！？；."""
    return [s for s in re.split(rf"(?<=[{_SENTENCE_END}])", paragraph) if s.strip()]


def quote(text: str, start: int = 0, end: int | None = None, width: int = 60) -> str:
    """The sentence, or the part of a long one around [start, end), for a message."""
    text = text.strip()
    if len(text) <= 2 * width:
        return text
    end = start if end is None else end
    left, right = max(0, start - width), min(len(text), end + width)
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


def fmt_number(value: int | Decimal) -> str:
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)

"""The facts around the tables: title, issuing body, year, statistics period, signing date, scope."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.draft import Scope
from app.extract.labels import AREA_SCOPE_MARKERS
from app.extract.values import normalise

_TITLE_END = re.compile(r"(年度报告|年报)$")
_TITLE = re.compile(r"^(?P<organ>.*?)(?:(?P<year>(?:19|20)\d{2})年度?)?(?:政府信息公开|政务公开|信息公开)")
_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_PERIOD = re.compile(
    r"(?:统计期限|统计时限|统计期间|统计时间|数据统计期限|统计区间)\s*(?:为|是)?\s*(?:自|从)?\s*"
    r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:起)?\s*(?:至|到|—|-|～|~)\s*"
    r"(?:((?:19|20)\d{2})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日"
)
_MARKUP = re.compile(r"^[#*>\-\s]+")


@dataclass
class Metadata:
    title: str | None = None
    organ: str | None = None
    year: int | None = None
    period_start: date | None = None
    period_end: date | None = None
    signed_on: date | None = None
    scope: Scope | None = None


def _date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def title_of(paragraphs: list[str]) -> str | None:
    """The first lines up to the one ending in 年度报告 (titles wrap over two or three lines)."""
    parts: list[str] = []
    for text in paragraphs[:6]:
        clean = _MARKUP.sub("", normalise(text)).replace(" ", "")
        if not clean:
            continue
        parts.append(clean)
        if _TITLE_END.search("".join(parts)):  # a wrapped title may end with "告" alone
            return "".join(parts)
        if len(parts) == 3:
            break
    return None


def read_metadata(paragraphs: list[str]) -> Metadata:
    """From the narrative's paragraphs (table text excluded)."""
    meta = Metadata()
    meta.title = title_of(paragraphs)
    if meta.title:
        match = _TITLE.match(meta.title)
        if match:
            meta.organ = match.group("organ").strip() or None
            meta.year = int(match.group("year")) if match.group("year") else None
    text = normalise("\n".join(paragraphs))
    period = _PERIOD.search(text)
    if period:
        y1, m1, d1, y2, m2, d2 = period.groups()
        meta.period_start = _date(y1, m1, d1)
        meta.period_end = _date(y2 or y1, m2, d2)
        if meta.year is None and meta.period_start:
            meta.year = meta.period_start.year
    tail = [normalise(p) for p in paragraphs[-6:]]
    for line in reversed(tail):
        found = _DATE.findall(line)
        if found and len(line) <= 30:
            meta.signed_on = _date(*found[-1])
            break
    if meta.year is None and meta.signed_on:
        meta.year = meta.signed_on.year - 1
    head = normalise("\n".join(paragraphs[:12]))
    if any(marker in head for marker in AREA_SCOPE_MARKERS):
        meta.scope = Scope.AREA
    elif "本机关" in head:
        meta.scope = Scope.BODY
    return meta

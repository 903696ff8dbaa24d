"""The facts around the tables: title, issuing body, year, statistics period, dates, scope.

Read as a person reads them, from any part of the document. The title may wrap over two or three
lines, stand after portal chrome (正文, breadcrumbs, 来源/时间/字号 lines, "标题:"), put the year
first or last, or carry the portal's suffix. Where it names no year: the statistics period, the
opening "2024年，我区…", the signature date. Where it names no body: the signature block, the
contact paragraph, the page's own description of its source.
"""

from __future__ import annotations

import re
from datetime import date

from app.draft import Heading, Scope
from app.extract.labels import AREA_SCOPE_MARKERS
from app.extract.values import normalise

HEAD_LINES = 25  # the title stands within the first lines, after whatever chrome the page has
MAX_TITLE_LINE = 80
MAX_ORGAN = 40
MIN_ORGAN = 3  # 市科委
_CHROME = {"正文", "打印", "关闭", "分享", "分享到", "返回", "附件", "首页"}

_YEAR = r"(?:19|20)\d{2}"
# 政府信息公开工作年度报告, 政府信息公开年度报告, 政务公开工作年度报告, 信息公开年报…
_TITLE_CORE = re.compile(r"(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度报告|年度工作报告|年报|报告)")
_YEAR_AFTER = re.compile(rf"^[(（]?({_YEAR})\s*年度?[)）]?")
_YEAR_IN_HEAD = re.compile(rf"({_YEAR})\s*年度?")
_SUFFIX = re.compile(r"^[-—_|｜\s]+(.+)$")  # "…年度报告-某某县某某局", "…年度报告_某某人民政府"
_LABEL = re.compile(r"^(?:标题|题目|文章标题|名称|主题)\s*[:：]\s*")
_CRUMBS = re.compile(r"[>＞›»]")
_MARKUP = re.compile(r"^[#*>\-\s]+")
_SENTENCE_START = ("根据", "本报告", "按照", "依据", "现将", "为")
_ORGAN_END = re.compile(
    r"(?:人民政府|政府|委员会|管委会|管理委员会|办事处|局|委|厅|办|院|署|中心|所|站|队|馆|会|处|科|"
    r"街道|镇|乡|团|师|社区|村|区|县|市|旗|州|盟)$"
)
_ORGAN_WORDS = re.compile(r"[\u4e00-\u9fff]")
_DATE = re.compile(rf"({_YEAR})\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日")
_PERIOD = re.compile(
    r"(?:统计期限|统计时限|统计期间|统计时间|统计周期|统计区间)\s*(?:为|是)?\s*(?:自|从)?\s*"
    rf"({_YEAR})\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日\s*(?:起)?\s*(?:至|到|—|-|～|~)\s*"
    rf"(?:({_YEAR})\s*年\s*)?(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日"
)
# "2024年，我区…", "2024年以来，…": the year the report speaks of, in its opening sentence.
_OPENING_YEAR = re.compile(rf"^({_YEAR})\s*年(?:度)?\s*(?:[，,]|以来|全年|我|本|全)")
# A portal page prints when the article went up: "发布时间：2025-01-26 10:30", "时间：2025年1月26日";
# the bare 时间/日期 only in the lines around the title, where the page's chrome stands.
_WHEN = rf"\s*[:：]?\s*({_YEAR})\s*[-年/.]\s*(\d{{1,2}})\s*[-月/.]\s*(\d{{1,2}})"
_PUBLISHED = re.compile(r"(?:发布时间|发布日期|发文日期|公开日期)" + _WHEN)
_PUBLISHED_NEAR_TITLE = re.compile(
    r"(?:发布时间|发布日期|发文日期|公开日期|(?<![统计期])时间|(?<![成印])日期)" + _WHEN
)
_CONTACT = re.compile(
    r"(?:请与|请联系|联系单位[:：]?)\s*([\u4e00-\u9fff（）()]{3,40}?)(?:联系|[（(，,：:。])"
)
_COMPILED_BY = re.compile(r"本报告由\s*([\u4e00-\u9fff]{3,40}?)\s*(?:根据|依据|按照|编制|负责)")
_OFFICE = re.compile(r"(?:办公室|办公厅|政务公开办公室|综合科|综合股|政务服务管理办公室|党政办公室)$")


def _date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _clean(text: str) -> str:
    """A line as the title reader sees it: markup, labels and breadcrumbs off, no spaces."""
    clean = _MARKUP.sub("", normalise(text)).replace(" ", "").replace("\u3000", "")
    clean = _LABEL.sub("", clean)
    if _CRUMBS.search(clean):  # 当前位置：首页>政务公开>…>本报告的标题
        clean = _CRUMBS.split(clean)[-1]
    return clean


def _is_title_line(clean: str) -> bool:
    return (
        0 < len(clean) <= MAX_TITLE_LINE
        and clean not in _CHROME
        and not any(mark in clean for mark in "。：:")
        and not clean.startswith(_SENTENCE_START)
        and "统计" not in clean
    )


def title_of(paragraphs: list[str]) -> str | None:
    """The title: the first line, or two or three wrapped lines, that names the report.

    When the title's lines begin with the year or with a part of the body's name, the short line
    above them is the body's name printed as the title's first line.
    """
    lines = [c for c in (_clean(p) for p in paragraphs[:HEAD_LINES]) if c]
    for end in range(len(lines)):
        for count in (1, 2, 3):
            window = lines[max(0, end - count + 1) : end + 1]
            if len(window) < count or not all(_is_title_line(line) for line in window):
                break
            title = "".join(window)
            if not _TITLE_CORE.search(title):
                continue
            organ, year = _split(title)
            above = lines[end - count] if end - count >= 0 else ""
            if (organ is None or len(organ) < MIN_ORGAN) and count < 3 and _is_title_line(above):
                longer, _ = _split(above + title)
                if longer and len(longer) >= MIN_ORGAN and (organ or _ORGAN_END.search(above)):
                    title, organ = above + title, longer
            if organ or year:
                return title
            break
    return None


def _split(title: str) -> tuple[str | None, int | None]:
    """A title's body and year: "某县2024年政府信息公开工作年度报告", year first, year last,
    or the body in a portal suffix after the title."""
    core = _TITLE_CORE.search(title)
    if core is None:
        return None, None
    head, tail = title[: core.start()], title[core.end() :]
    year = None
    found = _YEAR_IN_HEAD.search(head)
    if found:
        year = int(found.group(1))
        head = head[: found.start()] + head[found.end() :]
    after = _YEAR_AFTER.match(tail)
    if after:
        year = year or int(after.group(1))
        tail = tail[after.end() :]
    organ = _organ(head)
    suffix = _SUFFIX.match(tail)
    if organ is None and suffix:
        organ = _organ(suffix.group(1))
    return organ, year


def _organ(text: str) -> str | None:
    organ = text.strip(" 《》“”\"'（）()[]【】-—_:：，,")
    organ = organ.removeprefix("关于").removesuffix("关于").removesuffix("的")
    if not organ or len(organ) > MAX_ORGAN or not _ORGAN_WORDS.search(organ):
        return None
    return organ


def _signature_organ(paragraphs: list[str]) -> str | None:
    """The body in the signature block: a short line of the last few, before or beside a date."""
    for text in reversed(paragraphs[-6:]):
        clean = _DATE.sub("", normalise(text)).replace(" ", "").strip("，,。")
        if 2 < len(clean) <= MAX_ORGAN and "。" not in clean and _ORGAN_END.search(clean):
            return clean
    return None


def _contact_organ(text: str) -> str | None:
    """The body whose office compiled the report or answers questions about it."""
    for pattern in (_COMPILED_BY, _CONTACT):
        found = pattern.search(text)
        if found:
            office = found.group(1)
            body = _OFFICE.sub("", office)
            return body if body and _ORGAN_END.search(body) else office
    return None


def read_metadata(paragraphs: list[str], facts: dict[str, str] | None = None) -> Heading:
    """From the narrative's paragraphs (table text excluded) and what the file says of itself
    (an HTML page's <title> and meta tags: `title`, `published`, `source`)."""
    facts = facts or {}
    meta = Heading()
    meta.title = title_of(paragraphs) or (title_of([facts["title"]]) if facts.get("title") else None)
    if meta.title:
        meta.organ, meta.year = _split(meta.title)
    text = normalise("\n".join(paragraphs))
    period = _PERIOD.search(text)
    if period:
        y1, m1, d1, y2, m2, d2 = period.groups()
        meta.period_start = _date(y1, m1, d1)
        meta.period_end = _date(y2 or y1, m2, d2)
    tail = [normalise(p) for p in paragraphs[-6:]]
    for line in reversed(tail):
        found = _DATE.findall(line)
        if found and len(line) <= 30:
            meta.signed_on = _date(*found[-1])
            break
    head_text = "\n".join(paragraphs[:HEAD_LINES])
    published = (
        _PUBLISHED.search(head_text)
        or _PUBLISHED_NEAR_TITLE.search("日期：" + facts.get("published", ""))
        or _PUBLISHED_NEAR_TITLE.search(head_text)
        or _PUBLISHED.search(text)
    )
    if published:
        meta.published_on = _date(*published.groups())
    if meta.year is None:
        meta.year = _year_from_text(paragraphs, meta)
    if meta.organ is None:
        meta.organ = _signature_organ(paragraphs) or _contact_organ(text) or _organ(facts.get("source", ""))
    head = normalise("\n".join(paragraphs[:12]))
    if any(marker in head for marker in AREA_SCOPE_MARKERS):
        meta.scope = Scope.AREA
    elif "本机关" in head:
        meta.scope = Scope.BODY
    return meta


def _year_from_text(paragraphs: list[str], meta: Heading) -> int | None:
    """The statistics period, the opening sentence, the signature date (the year after)."""
    if meta.period_start:
        return meta.period_start.year
    for paragraph in paragraphs:
        found = _OPENING_YEAR.match(normalise(paragraph))
        if found:
            return int(found.group(1))
    return meta.signed_on.year - 1 if meta.signed_on else None

"""STRUCTURE, TIMELY and REPEAT: the report's parts, its publication date, text copied from the
year before. TEXT lives in `app.rules.statements`; `check_narrative` runs all but REPEAT, which
needs the previous year and runs with the other cross-year rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from rapidfuzz import fuzz, process

from app.draft import Draft, Finding, Location, Severity, Status
from app.layout import TABLE_CODES, Format
from app.rules.catalogue import RULES_BY_ID
from app.rules.reading import Reading
from app.rules.registry import evaluates
from app.rules.statements import check_text
from app.rules.text import (
    PARTS,
    TABLE_PARTS,
    Section,
    is_subheading,
    normalise,
    paragraphs,
    sentences,
    split_sections,
)


def check_narrative(draft: Draft) -> list[Finding]:
    """TEXT and STRUCTURE when the report has a narrative (it was read from a document); TIMELY
    whenever a publication date is known."""
    return check_text(draft) + check_structure(draft) + check_timely(draft)


# ---- STRUCTURE --------------------------------------------------------------------------------

_TABLE_NAMES = {"table2": ("表二", "二"), "table3": ("表三", "三"), "table4": ("表四", "四")}
_FEE = re.compile(r"处理费")
# Part 五 saying nothing: "无", "暂无问题", "本年度没有存在的主要问题"…; or under ten characters
# once spaces and punctuation are gone (also what follows the phrase, such as "。").
_NO_PROBLEMS = re.compile(
    r"^(?:本年度?|今年|全年|我(?:单位|局|委|办|县|区|市)|本(?:单位|机关|部门))?"
    r"(?:暂|尚|均)?(?:无|没有|不存在|未发现)(?:存在的?)?(?:明显|突出|主要)?(?:的)?(?:问题)?(?:及改进情况)?$"
)
_SUBSTANCE = 10
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_PERIOD = re.compile(r"统计(?:期限|时限|区间|时间|周期)[^。\n]{0,12}?(\d{4})\s*年")


def _table_present(draft: Draft, table: str) -> bool:
    """A table is there when at least one of its figures is in the document."""
    return any(
        key[0] == table and figure.status is not Status.MISSING for key, figure in draft.figures.items()
    )


def title_year(draft: Draft, sections: list[Section]) -> int | None:
    """The year the title names: the given title, or the first lines before the first part."""
    lines = [draft.title] if draft.title else sections[0].lines[:3]
    head = ""
    for line in lines:
        head += normalise(line)
        if "报告" in line:
            break
    found = re.search(r"(?<!\d)(\d{4})\s*年", head)
    return int(found.group(1)) if found else None


def period_year(draft: Draft) -> int | None:
    if draft.period_start or draft.period_end:
        return (draft.period_start or draft.period_end).year  # type: ignore[union-attr]
    found = _PERIOD.search(normalise(draft.narrative))
    return int(found.group(1)) if found else None


@evaluates("structure")
def check_structure(draft: Draft, _: Reading | None = None) -> list[Finding]:
    """STRUCTURE, when the report has a narrative."""
    if not draft.narrative.strip():
        return []
    structure = RULES_BY_ID["STRUCTURE"]
    sections = split_sections(draft.narrative)
    parts = [s.part for s in sections if s.part is not None]
    numerals = [p.numeral for p in parts]
    found: list[Finding] = []
    for table in TABLE_CODES:
        name, numeral = _TABLE_NAMES[table]
        if not _table_present(draft, table):
            title = next(p.title for p in PARTS if p.numeral == numeral)
            found.append(
                structure.finding("missing_table", {"table": name, "title": title}, location=Location(table))
            )
    if not numerals:
        return [*found, structure.finding("no_parts")]
    for part in PARTS:
        if part.numeral in numerals:
            continue
        if part.numeral in TABLE_PARTS and _table_present(draft, f"table{'二三四'.index(part.numeral) + 2}"):
            continue  # the table stands for its part
        found.append(structure.finding("missing_part", {"numeral": part.numeral, "part": part.title}))
    order = "一二三四五六"
    seen = list(dict.fromkeys(numerals))
    if seen != sorted(seen, key=order.index):
        found.append(structure.finding("order", {"found": "、".join(seen)}))
    by_numeral: dict[str, str] = {}
    for section in sections:
        if section.part is not None:
            by_numeral.setdefault(section.part.numeral, "")
            by_numeral[section.part.numeral] += section.body
    five = by_numeral.get("五")
    substance = re.sub(r"[\W_]", "", five or "")
    if five is not None and (len(substance) < _SUBSTANCE or _NO_PROBLEMS.match(substance)):
        five = five.strip()
        text = f"（仅有“{five[:40]}”）" if five else ""
        found.append(structure.finding("empty_five", {"text": text, "text_en": f" ({five})" if five else ""}))
    six = by_numeral.get("六")
    # the statement on fees is part of the 2021 template (国办公开办函〔2021〕30号); a report in the
    # 2019 layout already has a FORMAT warning telling it to use that template
    if six is not None and draft.format is Format.F2021 and not _FEE.search(six):
        found.append(structure.finding("no_fee"))
    named, period = title_year(draft, sections), period_year(draft)
    # FORMAT already says when the report's year (read from the title) and its period disagree
    said = named == draft.year and (draft.period_start or draft.period_end)
    if named is not None and period is not None and named != period and not said:
        found.append(structure.finding("title_year", {"title_year": named, "period_year": period}))
    return found


# ---- TIMELY -----------------------------------------------------------------------------------


class BodyKind(StrEnum):
    GOVERNMENT = "government"
    DEPARTMENT = "department"
    UNKNOWN = "unknown"


# The kind of body, from the end of its name: the first ending that matches decides, so
# "人民政府办公室" is a department and "街道办事处" a government; development zones and their 管委会
# are neither for sure.
_KIND_BY_ENDING = (
    (BodyKind.UNKNOWN, re.compile(r"(开发区|经开区|高新区|园区|管委会|管理委员会|新区管理局)$")),
    (BodyKind.GOVERNMENT, re.compile(r"(街道办事处|办事处)$")),
    (
        BodyKind.DEPARTMENT,
        re.compile(
            r"(局|委员会|委|办公室|办公厅|办|厅|中心|院|所|站|署|部|处|队|馆|室|社|会|公司|集团|银行|学校|大学)$"
        ),
    ),
    (
        BodyKind.GOVERNMENT,
        re.compile(r"(人民政府|政府|乡|镇|街道|团|团场|师|师市|市|县|区|旗|州|盟|省|自治区|兵团|农场|牧场)$"),
    ),
)


def body_kind(organ: str) -> BodyKind:
    """Government (deadline 31 March) or department (31 January), from the name; unsure stays
    unsure."""
    name = re.sub(r"\s", "", normalise(organ))
    name = re.sub(r"[(（][^)）]*[)）]$", "", name)  # "（本级）"
    return next((kind for kind, ending in _KIND_BY_ENDING if ending.search(name)), BodyKind.UNKNOWN)


def _document_date(draft: Draft) -> date | None:
    """The signing date: given, or a date standing alone on one of the narrative's last lines."""
    if draft.signed_on:
        return draft.signed_on
    lines = [line.strip() for line in draft.narrative.splitlines() if line.strip()][-3:]
    for line in reversed(lines):
        found = _DATE.fullmatch(normalise(line))
        if found:
            try:
                return date(*(int(g) for g in found.groups()))
            except ValueError:
                return None
    return None


@evaluates("timely")
def check_timely(draft: Draft, _: Reading | None = None) -> list[Finding]:
    """Late when published after the deadline of 条例 第四十九条. Certain (an error) only when the
    publication date was given and it is after 31 March, the later of the two deadlines."""
    if draft.year is None:
        return []
    published, source, source_en = draft.published_on, "发布日期", "publication date"
    if published is None:
        published, source, source_en = _document_date(draft), "报告落款日期", "signing date"
    if published is None:
        return []
    government, department = date(draft.year + 1, 3, 31), date(draft.year + 1, 1, 31)
    kind = body_kind(draft.organ or "")
    timely = RULES_BY_ID["TIMELY"]
    fields: dict[str, Any] = {
        "source": source,
        "source_en": source_en,
        "date": published.isoformat(),
        "reported": published,
    }
    if published > government:
        certain = draft.published_on is not None
        names = {
            BodyKind.GOVERNMENT: ("政府", "governments"),
            BodyKind.DEPARTMENT: ("政府部门", "departments"),
            BodyKind.UNKNOWN: ("政府及其部门", "governments and departments"),
        }
        deadline = department if kind is BodyKind.DEPARTMENT else government
        fields |= {"kind": names[kind][0], "kind_en": names[kind][1], "deadline": deadline.isoformat()}
        return [
            timely.finding(
                "late", fields | {"expected": deadline}, severity=Severity.ERROR if certain else None
            )
        ]
    if published > department and kind is BodyKind.DEPARTMENT:
        fields |= {"kind": "政府部门", "kind_en": "departments", "deadline": department.isoformat()}
        return [timely.finding("late", fields | {"expected": department})]
    if published > department and kind is BodyKind.UNKNOWN:
        fields |= {"organ": draft.organ, "deadline": department.isoformat()}
        fields |= {"government_deadline": government.isoformat(), "expected": department}
        return [timely.finding("unsure", fields)]
    return []


# ---- REPEAT -----------------------------------------------------------------------------------

# Sentences every report carries: the title, the legal basis, the six parts, the statistics period,
# where to ask, where the report is published. Copying them is not 内容雷同.
_BOILERPLATE = re.compile(
    r"政府信息公开条例》?[^。]{0,80}(编制|要求|规定)|国办公开办函|年度报告格式|统计期限|统计时限|如对本?报告|"
    r"全文包括|分为六部分|六个部分|电子版|本报告|以下简称|特此报告|工作年度报告$"
)
_YEARS = re.compile(r"\d{4}\s*年度?")
_MIN_SENTENCE = 10


@dataclass(frozen=True)
class Repeat:
    """The share of a narrative's own text (boilerplate left out) found again in another."""

    share: float
    sections: dict[str, float]  # section name -> share, for sections long enough to count
    chars: int


def _own_sentences(narrative: str) -> list[tuple[str, str, str]]:
    """(section name, sentence, its key) of a narrative, boilerplate, subheadings and short ones
    left out; the key ignores spaces, character widths and years, so "2024年" copied as "2025年"
    is still the same."""
    found = []
    for section in split_sections(narrative):
        for paragraph in paragraphs(section.lines):
            for sentence in sentences(paragraph):
                text = re.sub(r"\s", "", normalise(sentence))
                if len(text) < _MIN_SENTENCE or _BOILERPLATE.search(text) or is_subheading(text):
                    continue
                found.append((section.name, text, _YEARS.sub("#年", text)))
    return found


def repeated_share(narrative: str, previous: str, similarity: float = 90, min_section: int = 80) -> Repeat:
    """Characters of the narrative in sentences that stand, the same or nearly (rapidfuzz ratio
    ≥ `similarity`), anywhere in the previous narrative."""
    theirs = [key for _, _, key in _own_sentences(previous)]
    pool = set(theirs)
    total: dict[str, int] = {}
    repeated: dict[str, int] = {}
    for name, text, key in _own_sentences(narrative):
        total[name] = total.get(name, 0) + len(text)
        same = key in pool or (
            theirs and process.extractOne(key, theirs, scorer=fuzz.ratio, score_cutoff=similarity)
        )
        if same:
            repeated[name] = repeated.get(name, 0) + len(text)
    chars = sum(total.values())
    return Repeat(
        share=sum(repeated.values()) / chars if chars else 0.0,
        sections={n: repeated.get(n, 0) / c for n, c in total.items() if c >= min_section},
        chars=chars,
    )


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


@evaluates("repeat")
def check_repeat(draft: Draft, previous: Draft) -> list[Finding]:
    """REPEAT: always one finding when both years have a narrative, so the share is shown; a warning
    when the whole, or one part long enough to count, repeats more than the threshold."""
    if not draft.narrative.strip() or not previous.narrative.strip():
        return []
    rule = RULES_BY_ID["REPEAT"]
    params = rule.params
    result = repeated_share(
        draft.narrative, previous.narrative, params["similarity"], params["min_section_chars"]
    )
    if result.chars == 0:
        return []
    over = [n for n, share in result.sections.items() if share > params["threshold"]]
    copied = result.share > params["threshold"] or bool(over)
    listed = "、".join(f"{n} {_percent(s)}" for n, s in result.sections.items())
    listed_en = ", ".join(f"{n} {_percent(s)}" for n, s in result.sections.items())
    limit = _percent(params["threshold"])
    suffix = f"（超过 {limit}，属国办公开办函〔2021〕30号 所指内容雷同）" if copied else ""
    fields = {
        "reported": _percent(result.share),
        "expected": f"≤{_percent(params['threshold'])}",
        "prev_year": previous.year,
        "sections": f"；各部分：{listed}{suffix}" if listed else suffix,
        "sections_en": f"; by part: {listed_en}" if listed_en else "",
    }
    return [rule.finding(fields=fields, severity=Severity.WARNING if copied else Severity.INFO)]

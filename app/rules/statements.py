"""TEXT: the figures the narrative states, and its claims that nothing happened, against the cells.

A statement is a number with a counting unit ("12件", "三起", "1941.7065万元") whose nearest
keyword before it names what it counts ("收到…申请", "办结", "规范性文件…废止", "行政许可").
Everything that is not surely such a figure is left alone: numbers without a unit (dates, phone
numbers, percentages, "21.04 万"), ordinals (第二十条), approximations (40余万次), comparisons
with the year before (较上年增加3件), other years, and breakdowns by channel or applicant. A
sentence agrees when any figure it states for a thing matches the cell, so "全市收到120件，其中
本级15件" agrees with a table holding 15; a figure for 全市/各部门 that differs from a body's own
table is not a conflict, nor one for 本级 that differs from an area's 汇总 table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from app.draft import CellKey, Draft, Finding, Location, Scope
from app.layout import cell_code
from app.rules.catalogue import RULES_BY_ID
from app.rules.reading import Reading
from app.rules.registry import evaluates
from app.rules.text import fmt_number, normalise, paragraphs, quote, sentences, split_sections
from app.rules.wording import (
    APP_MEASURES,
    APP_RESULTS,
    AREA,
    CLAUSE,
    COMPARISON,
    DECISION_SUBJECTS,
    DOC_MEASURES,
    DOC_SUBJECTS,
    MAY_CLAIM,
    NO_APPLICATIONS,
    NO_CASES,
    NOT_A_COUNT_AFTER,
    NOT_A_TOTAL,
    NOT_ABOUT_APPLICATIONS,
    NOT_APPLICATIONS,
    NUMBER,
    PART_OF_NEW,
    QUALIFIED_CASES,
    SELF,
    SUBJECTS,
    UNITS,
    WITH_CARRIED,
    YEAR,
    Concept,
    concepts,
    t3,
)


@dataclass(frozen=True)
class Statement:
    """One figure the text states: what it counts, its value and how exactly it was printed."""

    concept: str
    value: Decimal
    tolerance: Decimal  # half the last printed digit: "1941.71万元" agrees with 1941.7065
    sentence: str  # the original sentence
    start: int  # where the number stands in the original sentence
    end: int
    area: bool  # the sentence speaks of 全市/各部门… before the figure
    own: bool  # or of 本级/本机关


_MAY_MATTER = re.compile(r"[\d０-９零〇一二两三四五六七八九十百千]|未|没有|无")
_DROPPED = re.compile(r"《[^》]*》|\([^()\d]*\)|\[[^\]\d]*\]|\s+")


@dataclass(frozen=True)
class Cleaned:
    """A sentence without spaces, book titles' words and notes in brackets that hold no figure."""

    text: str
    spans: tuple[tuple[int, int, int], ...]  # (start in text, start in the original, length) of each kept run

    def origin(self, index: int) -> int:
        """Where text[index] stands in the original sentence."""
        for start, original, length in self.spans:
            if start <= index < start + length:
                return original + index - start
        return 0


def _clean(sentence: str) -> Cleaned:
    plain = normalise(sentence)
    parts, spans, position, cursor = [], [], 0, 0
    for match in _DROPPED.finditer(plain):
        inner = match.group().startswith("《")  # a title's brackets stay, its words go
        end = match.start() + inner
        parts.append(plain[cursor:end])
        spans.append((position, cursor, end - cursor))
        position += end - cursor
        cursor = match.end() - inner
    parts.append(plain[cursor:])
    spans.append((position, cursor, len(plain) - cursor))
    return Cleaned("".join(parts), tuple(spans))


def _number(text: str) -> Decimal | None:
    if text[0].isdigit():
        return Decimal(text)
    import cn2an  # imported when first needed: loading it takes about a second

    try:
        return Decimal(int(cn2an.cn2an(text, "smart")))
    except (ValueError, KeyError, TypeError):
        return None


def _last(patterns: tuple[tuple[str, str], ...], text: str) -> tuple[int, str] | None:
    """The last keyword of a family in the text: (its end, its name)."""
    regex, names = _family(patterns)
    last = None
    for last in regex.finditer(text):  # noqa: B007 - the last match is the one wanted
        pass
    return None if last is None else (last.end(), names[last.lastgroup])  # type: ignore[index]


@cache
def _family(patterns: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One regex for a family of keywords, each in its own group."""
    groups = "|".join(f"(?P<k{i}>{pattern})" for i, (pattern, _) in enumerate(patterns))
    return re.compile(groups), {f"k{i}": name for i, (_, name) in enumerate(patterns)}


def _concept(left: str, right: str, before: str, apps_in_paragraph: bool) -> tuple[str, str] | None:
    """(concept, unit family) of a number from the text since the previous number (`left`), the
    text up to the next one (`right`) and the whole sentence before it (`before`)."""
    subject = _last(SUBJECTS, left)
    if subject is not None:
        name = subject[1]
        if name in DECISION_SUBJECTS:
            if NOT_A_TOTAL.search(left[subject[0] :]):
                return None  # "行政复议结果维持2件", "行政许可事项86项"
            family = "cases" if name in ("reconsideration", "litigation") else "decisions"
            return name, "money" if name == "fees" else family
        if name in DOC_SUBJECTS:
            measure = _last(DOC_MEASURES, left)
            return (f"{name}.{measure[1]}", "docs") if measure else None
        measure = _last(APP_RESULTS + APP_MEASURES, left)
        return (measure[1] if measure else "new"), "apps"
    measure = _last(DOC_MEASURES, left)
    sticky = _last(SUBJECTS, before)
    if measure and sticky and sticky[1] in DOC_SUBJECTS:
        return f"{sticky[1]}.{measure[1]}", "docs"
    result = _last(APP_RESULTS, left)
    if result and apps_in_paragraph:
        return result[1], "apps"
    measure = _last(APP_MEASURES, left)
    if measure and (sticky[1] == "apps" if sticky else apps_in_paragraph):
        return measure[1], "apps"
    ahead = _last(SUBJECTS, right)
    if ahead is not None and ahead[1] == "apps" and not _last(DOC_MEASURES, left):
        return (measure[1] if measure else "new"), "apps"
    return None


def _clause_at(text: str, position: int) -> str:
    return next((m.group() for m in CLAUSE.finditer(text) if m.start() <= position < m.end()), "")


def _tolerance(match: re.Match[str], scale: Decimal, money: bool) -> Decimal:
    """Half the last printed digit, for money and for counts printed in 万/亿; else exact."""
    if not money and not match["mult"]:
        return Decimal(0)
    number = match["num"]
    decimals = len(number.split(".")[1]) if "." in number else 0
    return scale * Decimal(10) ** -decimals / 2


def _scale(match: re.Match[str], family: str) -> Decimal | None:
    """What one printed unit is worth in the cell's unit (万元 for money), or None if the unit
    does not count this kind of thing."""
    unit, mult = match["unit"], match["mult"]
    if family == "money":
        money = {"万": Decimal(1), "亿": Decimal(10000), None: Decimal("0.0001")}
        return money[mult] if unit == "元" else None
    if unit not in UNITS[family]:
        return None
    return {"万": Decimal(10000), "亿": Decimal(10**8), None: Decimal(1)}[mult]


def read_statements(
    sentence: str, year: int | None, apps_in_paragraph: bool, cleaned: Cleaned | None = None
) -> list[Statement]:
    """Every figure a sentence surely states."""
    cleaned = cleaned or _clean(sentence)
    text = cleaned.text
    found: list[Statement] = []
    matches = list(NUMBER.finditer(text))
    previous_end = 0
    for index, match in enumerate(matches):
        start, end = match.start("num"), match.end("unit")
        left = text[previous_end:start]
        next_start = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        right = re.split(r"[,，;；。]", text[end:next_start])[0]
        previous_end = end
        clause = _clause_at(text, start)
        if match["pre"] or match["approx"] or match["approx2"] or NOT_A_COUNT_AFTER.match(match["after"]):
            continue
        if COMPARISON.search(clause) or (year and any(int(y) != year for y in YEAR.findall(clause))):
            continue
        read = _concept(left, right, text[:start], apps_in_paragraph)
        value = None if read is None else _number(match["num"])
        if value is None or read is None:
            continue
        concept, family = read
        scale = _scale(match, family)
        part_of_new = PART_OF_NEW.search(clause) or "其中" in text[:start]
        if scale is None or (concept == "new" and part_of_new):
            continue
        if family == "apps" and NOT_APPLICATIONS.search(clause):
            continue
        if concept == "new" and WITH_CARRIED.search(normalise(sentence)):
            concept = "new_with_carried"
        found.append(
            Statement(
                concept,
                value * scale,
                _tolerance(match, scale, family == "money"),
                sentence,
                cleaned.origin(start),
                cleaned.origin(end - 1) + 1,
                bool(AREA.search(text[:start])),
                bool(SELF.search(text[:start])),
            )
        )
    return found


@dataclass(frozen=True)
class Claim:
    """A claim that nothing of a kind happened: "未收到…申请", "未发生…行政复议、诉讼"."""

    concept: str
    words: str  # the words that claim it
    sentence: str


def read_claims(sentence: str, cleaned: Cleaned | None = None) -> list[Claim]:
    """Every claim in a sentence that nothing of a kind happened."""
    text = (cleaned or _clean(sentence)).text
    found: list[Claim] = []
    if not MAY_CLAIM.search(text):
        return found
    for clause in CLAUSE.findall(text):
        if any(NUMBER.finditer(clause)):
            continue
        for pattern in NO_APPLICATIONS:
            match = pattern.search(clause)
            if match and not NOT_ABOUT_APPLICATIONS.search(clause):
                found.append(Claim("new", match.group(), sentence))
                break
        if QUALIFIED_CASES.search(clause):
            continue
        for pattern in NO_CASES:
            match = pattern.search(clause)
            if match is None:
                continue
            tail = clause[match.start() :]
            if "复议" in tail:
                found.append(Claim("reconsideration", match.group(), sentence))
            if re.search("诉讼|起诉", tail.replace("复议后起诉", "")) or "诉讼" in tail:
                found.append(Claim("litigation", match.group(), sentence))
            break
    return found


def _narrative_sentences(narrative: str) -> list[tuple[str, bool]]:
    """(sentence, whether its paragraph speaks of applications) for the whole narrative."""
    found = []
    for section in split_sections(narrative):
        for paragraph in paragraphs(section.lines):
            apps = bool(re.search(SUBJECTS[2][0], normalise(paragraph)))
            found += [(s, apps) for s in sentences(paragraph)]
    return found


def statements(draft: Draft) -> list[Statement]:
    """Every figure the narrative surely states, in reading order."""
    return [
        s
        for sentence, apps in _narrative_sentences(draft.narrative)
        for s in read_statements(sentence, draft.year, apps)
    ]


# ---- against the cells ------------------------------------------------------------------------


def _sum(draft: Draft, cells: tuple[CellKey, ...]) -> Decimal | None:
    values = [draft.value(key) for key in cells]
    if any(v is None for v in values):
        return None
    return sum((Decimal(v) for v in values), Decimal(0))  # type: ignore[arg-type]


def _agrees(statement: Statement, value: Decimal) -> bool:
    return abs(statement.value - value) <= statement.tolerance


def _shown(value: Decimal, money: bool) -> str:
    return fmt_number(value.normalize() if money else value)


@evaluates("text")
def check_text(draft: Draft, _: Reading | None = None) -> list[Finding]:
    """TEXT findings: stated figures that differ from their cells, and claims of absence that
    non-zero cells deny."""
    if not draft.narrative.strip():
        return []
    known = concepts(draft)
    found: list[Finding] = []
    for sentence, apps in _narrative_sentences(draft.narrative):
        if not _MAY_MATTER.search(sentence):
            continue  # no figure, no negation: most sentences of a report
        by_concept: dict[str, list[Statement]] = {}
        cleaned = _clean(sentence)
        for statement in read_statements(sentence, draft.year, apps, cleaned):
            if statement.concept in known:
                by_concept.setdefault(statement.concept, []).append(statement)
        for code, stated in by_concept.items():
            concept = known[code]
            readings = [v for v in (_sum(draft, cells) for cells in concept.readings) if v is not None]
            if not readings or any(_agrees(s, v) for s in stated for v in readings):
                continue
            checked = [s for s in stated if not _other_scope(draft, s)]
            if not checked:
                continue
            found.append(_conflict(draft, concept, checked[0], readings[0]))
        for claim in read_claims(sentence, cleaned):
            concept = known[claim.concept]
            value = _sum(draft, concept.readings[0])
            if value is not None and value > 0:
                found.append(_absence(concept, claim, value))
    return found


def _other_scope(draft: Draft, statement: Statement) -> bool:
    """A figure for an area in a body's own report, or for the body in an area's 汇总."""
    return statement.area if draft.scope is not Scope.AREA else statement.own


def _location(concept: Concept) -> tuple[Location, list[str]]:
    cells = concept.readings[0]
    first = cells[0]
    return Location(first[0], first[1], first[2] if len(cells) == 1 else None), [cell_code(*k) for k in cells]


def _conflict(draft: Draft, concept: Concept, statement: Statement, value: Decimal) -> Finding:
    location, cells = _location(concept)
    rule = RULES_BY_ID["TEXT"]
    hint = None
    if concept.code == "new":
        both = _sum(draft, (t3("new_received"), t3("carried_over")))
        if both is not None and both != value and _agrees(statement, both):
            hint = rule.hints["with_carried"]
    fields = {
        "quote": quote(statement.sentence, statement.start, statement.end),
        "what": concept.what,
        "what_en": concept.what_en,
        "where": concept.where,
        "where_en": " + ".join(cells),
        "reported": _shown(statement.value, concept.money),
        "expected": _shown(value, concept.money),
    }
    return rule.finding("figure", fields, location=location, cells=cells, hint=hint)


def _absence(concept: Concept, claim: Claim, value: Decimal) -> Finding:
    location, cells = _location(concept)
    what = {"new": "未收到政府信息公开申请", "reconsideration": "没有行政复议", "litigation": "没有行政诉讼"}
    fields = {
        "quote": quote(claim.sentence, max(0, claim.sentence.find(claim.words[:4]))),
        "what": what[concept.code],
        "what_en": f"no {concept.what_en}",
        "where": concept.where,
        "where_en": " + ".join(cells),
        "reported": "0",
        "expected": _shown(value, concept.money),
    }
    return RULES_BY_ID["TEXT"].finding("absence", fields, location=location, cells=cells)

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

import cn2an

from app.draft import CellKey, Draft, Finding, Location, Scope
from app.rules.layout import Format, cell_code
from app.rules.text import finding, fmt_number, normalise, paragraphs, quote, sentences, split_sections

# ---- what a figure in the text can be ---------------------------------------------------------


@dataclass(frozen=True)
class Concept:
    code: str
    what: str  # zh, in "正文称{what}为 N"
    what_en: str
    where: str  # zh, the cell(s) in words
    readings: tuple[tuple[CellKey, ...], ...]  # sums that agree with it; the first is the main one
    money: bool = False


def _t3(row: str) -> CellKey:
    return ("table3", row, "total")


def concepts(draft: Draft) -> dict[str, Concept]:
    """What the text can state, and the cells it is checked against, in the draft's layout."""
    t3_rows = [row.code for row in draft.layout.table("table3").rows]

    def group(prefix: str) -> tuple[CellKey, ...]:
        return tuple(_t3(r) for r in t3_rows if r.startswith(prefix))

    new, carried = _t3("new_received"), _t3("carried_over")
    found = [
        Concept("new", "收到的政府信息公开申请", "applications received",
                "表三“本年新收政府信息公开申请数量”总计", ((new,),)),
        Concept("new_with_carried", "收到的申请（含上年结转）", "applications incl. carried over",
                "表三“本年新收”与“上年结转”总计之和", ((new, carried),)),
        Concept("handled", "办结的申请", "applications handled",
                "表三“（七）总计”", ((_t3("result.total"),),)),
        Concept("workload", "办理的申请", "applications dealt with",
                "表三“（七）总计”", ((_t3("result.total"),), (new, carried))),
        Concept("carried_over", "上年结转的申请", "applications carried over",
                "表三“上年结转政府信息公开申请数量”总计", ((carried,),)),
        Concept("carried_next", "结转下年度的申请", "applications carried to next year",
                "表三“结转下年度继续办理”总计", ((_t3("carried_to_next_year"),),)),
        Concept("disclosed", "予以公开的申请", "applications disclosed",
                "表三“（一）予以公开”总计", ((_t3("result.disclosed"),),)),
        Concept("partial", "部分公开的申请", "applications partly disclosed",
                "表三“（二）部分公开”总计", ((_t3("result.partially_disclosed"),),)),
        Concept("withheld", "不予公开的申请", "applications withheld",
                "表三“（三）不予公开”各项总计之和", (group("result.withheld."),)),
        Concept("unable", "无法提供的申请", "applications unable to answer",
                "表三“（四）无法提供”各项总计之和", (group("result.unable."),)),
        Concept("not_processed", "不予处理的申请", "applications not processed",
                "表三“（五）不予处理”各项总计之和", (group("result.not_processed."),)),
        Concept("reconsideration", "行政复议案件", "administrative reconsiderations",
                "表四“行政复议”总计", ((("table4", "reconsideration", "total"),),)),
        Concept("litigation", "行政诉讼案件", "administrative lawsuits",
                "表四两类“行政诉讼”总计之和",
                ((("table4", "litigation_direct", "total"),
                  ("table4", "litigation_after_reconsideration", "total")),)),
        Concept("licensing", "行政许可处理决定", "licensing decisions",
                "表二“行政许可”处理决定数量", ((("table2", "licensing", "decisions"),),)),
        Concept("penalty", "行政处罚处理决定", "penalty decisions",
                "表二“行政处罚”处理决定数量", ((("table2", "penalty", "decisions"),),)),
        Concept("coercion", "行政强制处理决定", "coercion decisions",
                "表二“行政强制”处理决定数量", ((("table2", "coercion", "decisions"),),)),
    ]  # fmt: skip
    docs = (("regulations", "规章"), ("normative_documents", "规范性文件"))
    if draft.format is Format.F2021:
        for row, name in docs:
            for column, verb, en, label in (
                ("issued", "制发", "issued", "本年制发件数"),
                ("repealed", "废止", "repealed", "本年废止件数"),
                ("in_force", "现行有效", "in force", "现行有效件数"),
            ):
                found.append(
                    Concept(f"{row}.{column}", f"{verb}的{name}" if column != "in_force" else
                            f"现行有效的{name}", f"{row} {en}", f"表二“{name}”{label}",
                            ((("table2", row, column),),))
                )  # fmt: skip
        found.append(
            Concept("fees", "行政事业性收费金额（万元）", "fees (10k yuan)",
                    "表二“行政事业性收费”本年收费金额（万元）",
                    ((("table2", "fees", "amount_10k_yuan"),),), money=True)
        )  # fmt: skip
    else:
        for row, name in docs:
            found.append(
                Concept(f"{row}.issued", f"制发的{name}", f"{row} made", f"表二“{name}”本年新制作数量",
                        ((("table2", row, "newly_made"),), (("table2", row, "newly_published"),)))
            )  # fmt: skip
    return {c.code: c for c in found}


# ---- the words that say what a number counts --------------------------------------------------

_DOC_SUBJECTS = {"regulations", "normative_documents"}
_DECISION_SUBJECTS = {"licensing", "penalty", "coercion", "fees", "reconsideration", "litigation"}
_SUBJECTS = (
    (r"规章(?!制度)", "regulations"),
    (r"规范性文件", "normative_documents"),
    (r"(?<!复议)(?<!诉讼)申请(?!人)", "apps"),
    (r"行政许可", "licensing"),
    (r"行政处罚", "penalty"),
    (r"行政强制", "coercion"),
    (r"行政事业性收费|收费金额", "fees"),
    (r"复议", "reconsideration"),
    (r"诉讼|起诉", "litigation"),
)
_DOC_MEASURES = (
    (r"制定|制发|出台|印发|新制作|发布", "issued"),
    (r"废止|废除|宣布失效", "repealed"),
    (r"现行有效", "in_force"),
)
_APP_RESULTS = (
    (r"(?<!不)予以公开|同意公开", "disclosed"),
    (r"部分公开", "partial"),
    (r"不予以?公开", "withheld"),
    (r"无法提供", "unable"),
    (r"不予处理", "not_processed"),
    (r"上一?年度?结转|结转上一?年度?", "carried_over"),
    (r"结转(?:至|到)?下一?年度?|转入下一?年度?|结转[^,，]{0,4}继续办理", "carried_next"),
)
_APP_MEASURES = (
    (r"新收|收到|受理|接收|接到|共有|提出", "new"),
    (r"办结|答复|办理完毕|处理完毕|完成办理", "handled"),
    (r"办理(?!完毕)", "workload"),
)
_UNITS = {
    "apps": {"件", "个", "条", "宗", "份", "人次", "人", "项", "起"},
    "decisions": {"件", "次", "个", "起", "宗", "项", "例", "人次"},
    "docs": {"件", "个", "份", "部", "项", "篇"},
    "cases": {"件", "起", "宗", "个", "次", "例"},
}

_NUMBER = re.compile(
    r"(?P<pre>约|近|超过|逾|第|百分之)?(?<![\d.\-/:~～])"
    r"(?P<num>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
    r"(?P<approx>余|多)?(?P<mult>万|亿)?(?P<approx2>余|多)?"
    r"(?P<unit>元|人次|件|个|条|起|宗|项|人|次|份|例|部|篇)(?=(?P<after>.{0,4}))"
)
_NOT_A_COUNT_AFTER = re.compile(
    r"^(性|事|实事|站|式|部门|单位|乡镇|街道|村|社区|平台|账号|栏目|专栏|网站|窗口|渠道|类|方面|"
    r"工作日|小时|天|月|年|人员|工作人员|以上|左右|多|部分)"
)
_COMPARISON = re.compile(r"较|比上|同比|环比|增长|下降|增加|减少|累计|历年|去年|上一?年(?!度?结转)|前年")
_YEAR = re.compile(r"(?<!\d)(\d{4})年")
_AREA = re.compile(r"全[省市州盟县区旗师]|各(?:部门|单位|乡镇|街道|县|区|市|级|团场|师)|全系统|汇总")
_SELF = re.compile(r"本级|本机关|本部门|本单位")
_PART_OF_NEW = re.compile(
    r"渠道|网站|平台|信函|邮寄|当面|现场|网上|线上|在线|传真|邮件|自然人|法人|企业|公民|个人|其中|群众"
)
_NOT_A_TOTAL = re.compile(
    r"维持|纠正|纠错|撤销|驳回|败诉|胜诉|审结|尚未|其他结果|确认违法|终止|事项|目录|清单|项目|信息|公示"
)
_NOT_APPLICATIONS = re.compile(r"热线|诉求|咨询|留言|来电|来信|信箱|工单|建议|提案|政务服务|办件|快递|邮件")
_WITH_CARRIED = re.compile(r"(?<!不)(?:含|包括|包含)(?:上一?年度?)?结转")
_CLAUSE = re.compile(r"[^,，;；。()（）]+")

# ---- claims that nothing happened -------------------------------------------------------------

_NO_APPLICATIONS = (
    re.compile(
        r"(?:未|没有|无|暂无)(?:曾|再|有)?(?:收到|接到|受理|接收|发生|产生)[^,，;；。]{0,25}?申请(?!人)"
    ),
    re.compile(r"(?:无|暂无|没有|未有)[^,，;；。]{0,4}(?:依申请公开|政府信息公开申请)"),
    re.compile(r"申请[^,，;；。]{0,10}?(?:均|都)?为[0零](?![\d.])"),
)
_NOT_ABOUT_APPLICATIONS = re.compile(
    r"复议|诉讼|投诉|举报|不予|部分公开|无法提供|逾期|超期|延期|超时|无正当理由|予以公开|纠错|重复|撤回"
)
_NO_CASES = (
    re.compile(
        r"(?:未|没有|无|暂无|未曾)(?:发生|出现|产生|收到|接到|有|涉及|被)?[^,，;；。]{0,20}?(?:复议|诉讼|起诉)"
    ),
    re.compile(r"(?:复议|诉讼)[^,，;；。]{0,10}?(?:均|都|皆)?为[0零](?![\d.])"),
)
_QUALIFIED_CASES = re.compile(r"纠错|纠正|败诉|撤销|确认违法|被判")


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


@dataclass(frozen=True)
class Cleaned:
    text: str
    origin: list[int]  # origin[i]: index in the original sentence of text[i]


def _clean(sentence: str) -> Cleaned:
    """Drop spaces, book titles and notes in brackets that hold no figure, keeping the positions."""
    plain = normalise(sentence)
    drop: set[int] = set()
    for match in re.finditer(r"《[^》]*》|\([^()\d]*\)|\[[^\]\d]*\]", plain):
        inner = match.group().startswith("《")  # a title's brackets stay, its words go
        drop.update(range(match.start() + inner, match.end() - inner))
    kept = [(c, i) for i, c in enumerate(plain) if i not in drop and not c.isspace()]
    return Cleaned("".join(c for c, _ in kept), [i for _, i in kept])


def _number(text: str) -> Decimal | None:
    if text[0].isdigit():
        return Decimal(text)
    try:
        return Decimal(int(cn2an.cn2an(text, "smart")))
    except (ValueError, KeyError, TypeError):
        return None


def _last(patterns: tuple[tuple[str, str], ...], text: str) -> tuple[int, str] | None:
    """The last keyword of a family in the text: (its end, its name)."""
    best = None
    for pattern, name in patterns:
        for match in re.finditer(pattern, text):
            if best is None or match.end() > best[0]:
                best = (match.end(), name)
    return best


def _concept(left: str, right: str, before: str, apps_in_paragraph: bool) -> tuple[str, str] | None:
    """(concept, unit family) of a number from the text since the previous number (`left`), the
    text up to the next one (`right`) and the whole sentence before it (`before`)."""
    subject = _last(_SUBJECTS, left)
    if subject is not None:
        name = subject[1]
        if name in _DECISION_SUBJECTS:
            if _NOT_A_TOTAL.search(left[subject[0] :]):
                return None  # "行政复议结果维持2件", "行政许可事项86项"
            family = "cases" if name in ("reconsideration", "litigation") else "decisions"
            return name, "money" if name == "fees" else family
        if name in _DOC_SUBJECTS:
            measure = _last(_DOC_MEASURES, left)
            return (f"{name}.{measure[1]}", "docs") if measure else None
        measure = _last(_APP_RESULTS + _APP_MEASURES, left)
        return (measure[1] if measure else "new"), "apps"
    measure = _last(_DOC_MEASURES, left)
    sticky = _last(_SUBJECTS, before)
    if measure and sticky and sticky[1] in _DOC_SUBJECTS:
        return f"{sticky[1]}.{measure[1]}", "docs"
    result = _last(_APP_RESULTS, left)
    if result and apps_in_paragraph:
        return result[1], "apps"
    measure = _last(_APP_MEASURES, left)
    if measure and (sticky[1] == "apps" if sticky else apps_in_paragraph):
        return measure[1], "apps"
    ahead = _last(_SUBJECTS, right)
    if ahead is not None and ahead[1] == "apps" and not _last(_DOC_MEASURES, left):
        return (measure[1] if measure else "new"), "apps"
    return None


def _clause_at(text: str, position: int) -> str:
    return next((m.group() for m in _CLAUSE.finditer(text) if m.start() <= position < m.end()), "")


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
    if unit not in _UNITS[family]:
        return None
    return {"万": Decimal(10000), "亿": Decimal(10**8), None: Decimal(1)}[mult]


def read_statements(sentence: str, year: int | None, apps_in_paragraph: bool) -> list[Statement]:
    """Every figure a sentence surely states."""
    cleaned = _clean(sentence)
    text = cleaned.text
    found: list[Statement] = []
    matches = list(_NUMBER.finditer(text))
    previous_end = 0
    for index, match in enumerate(matches):
        start, end = match.start("num"), match.end("unit")
        left = text[previous_end:start]
        next_start = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        right = re.split(r"[,，;；。]", text[end:next_start])[0]
        previous_end = end
        clause = _clause_at(text, start)
        if match["pre"] or match["approx"] or match["approx2"] or _NOT_A_COUNT_AFTER.match(match["after"]):
            continue
        if _COMPARISON.search(clause) or (year and any(int(y) != year for y in _YEAR.findall(clause))):
            continue
        value = _number(match["num"])
        read = _concept(left, right, text[:start], apps_in_paragraph)
        if value is None or read is None:
            continue
        concept, family = read
        scale = _scale(match, family)
        if scale is None or (concept == "new" and _PART_OF_NEW.search(clause)):
            continue
        if family == "apps" and _NOT_APPLICATIONS.search(clause):
            continue
        if concept == "new" and _WITH_CARRIED.search(normalise(sentence)):
            concept = "new_with_carried"
        found.append(
            Statement(
                concept,
                value * scale,
                _tolerance(match, scale, family == "money"),
                sentence,
                cleaned.origin[start],
                cleaned.origin[end - 1] + 1,
                bool(_AREA.search(text[:start])),
                bool(_SELF.search(text[:start])),
            )
        )
    return found


@dataclass(frozen=True)
class Claim:
    """A claim that nothing of a kind happened: "未收到…申请", "未发生…行政复议、诉讼"."""

    concept: str
    words: str  # the words that claim it
    sentence: str


def read_claims(sentence: str) -> list[Claim]:
    cleaned = _clean(sentence).text
    found: list[Claim] = []
    for clause in _CLAUSE.findall(cleaned):
        if any(_NUMBER.finditer(clause)):
            continue
        for pattern in _NO_APPLICATIONS:
            match = pattern.search(clause)
            if match and not _NOT_ABOUT_APPLICATIONS.search(clause):
                found.append(Claim("new", match.group(), sentence))
                break
        if _QUALIFIED_CASES.search(clause):
            continue
        for pattern in _NO_CASES:
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
            apps = bool(re.search(_SUBJECTS[2][0], normalise(paragraph)))
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


def check_text(draft: Draft) -> list[Finding]:
    """TEXT findings: stated figures that differ from their cells, and claims of absence that
    non-zero cells deny."""
    if not draft.narrative.strip():
        return []
    known = concepts(draft)
    found: list[Finding] = []
    for sentence, apps in _narrative_sentences(draft.narrative):
        by_concept: dict[str, list[Statement]] = {}
        for statement in read_statements(sentence, draft.year, apps):
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
        for claim in read_claims(sentence):
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
    hint = None
    if concept.code == "new":
        both = _sum(draft, (_t3("new_received"), _t3("carried_over")))
        if both is not None and both != value and _agrees(statement, both):
            hint = "正文数字等于本年新收加上年结转之和：若正文所说包含上年结转，请写明“含上年结转”"
    return finding(
        "TEXT",
        "figure",
        location=location,
        cells=cells,
        hint=hint,
        quote=quote(statement.sentence, statement.start, statement.end),
        what=concept.what,
        what_en=concept.what_en,
        where=concept.where,
        where_en=" + ".join(cells),
        reported=_shown(statement.value, concept.money),
        expected=_shown(value, concept.money),
    )


def _absence(concept: Concept, claim: Claim, value: Decimal) -> Finding:
    location, cells = _location(concept)
    what = {"new": "未收到政府信息公开申请", "reconsideration": "没有行政复议", "litigation": "没有行政诉讼"}
    return finding(
        "TEXT",
        "absence",
        location=location,
        cells=cells,
        quote=quote(claim.sentence, max(0, claim.sentence.find(claim.words[:4]))),
        what=what[concept.code],
        what_en=f"no {concept.what_en}",
        where=concept.where,
        where_en=" + ".join(cells),
        reported="0",
        expected=_shown(value, concept.money),
    )

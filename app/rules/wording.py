"""The words of the narrative that the TEXT rule reads: what a figure can count and the cells it
is checked against, the keywords that say what a number counts, and the phrases that claim
nothing happened. Data, kept apart from the reading in `app.rules.statements`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.draft import CellKey, Draft
from app.layout import Format

# ---- what a figure in the text can be ---------------------------------------------------------


@dataclass(frozen=True)
class Concept:
    code: str
    what: str  # zh, in "正文称{what}为 N"
    what_en: str
    where: str  # zh, the cell(s) in words
    readings: tuple[tuple[CellKey, ...], ...]  # sums that agree with it; the first is the main one
    money: bool = False


def t3(row: str) -> CellKey:
    return ("table3", row, "total")


def concepts(draft: Draft) -> dict[str, Concept]:
    """What the text can state, and the cells it is checked against, in the draft's layout."""
    t3_rows = [row.code for row in draft.layout.table("table3").rows]

    def group(prefix: str) -> tuple[CellKey, ...]:
        return tuple(t3(r) for r in t3_rows if r.startswith(prefix))

    new, carried = t3("new_received"), t3("carried_over")
    found = [
        Concept("new", "收到的政府信息公开申请", "applications received",
                "表三“本年新收政府信息公开申请数量”总计", ((new,),)),
        Concept("new_with_carried", "收到的申请（含上年结转）", "applications incl. carried over",
                "表三“本年新收”与“上年结转”总计之和", ((new, carried),)),
        Concept("handled", "办结的申请", "applications handled",
                "表三“（七）总计”", ((t3("result.total"),),)),
        Concept("workload", "办理的申请", "applications dealt with",
                "表三“（七）总计”", ((t3("result.total"),), (new, carried))),
        Concept("carried_over", "上年结转的申请", "applications carried over",
                "表三“上年结转政府信息公开申请数量”总计", ((carried,),)),
        Concept("carried_next", "结转下年度的申请", "applications carried to next year",
                "表三“结转下年度继续办理”总计", ((t3("carried_to_next_year"),),)),
        Concept("disclosed", "予以公开的申请", "applications disclosed",
                "表三“（一）予以公开”总计", ((t3("result.disclosed"),),)),
        Concept("partial", "部分公开的申请", "applications partly disclosed",
                "表三“（二）部分公开”总计", ((t3("result.partially_disclosed"),),)),
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

DOC_SUBJECTS = {"regulations", "normative_documents"}
DECISION_SUBJECTS = {"licensing", "penalty", "coercion", "fees", "reconsideration", "litigation"}
SUBJECTS = (
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
DOC_MEASURES = (
    (r"制定|制发|出台|印发|新制作|发布", "issued"),
    (r"废止|废除|宣布失效", "repealed"),
    (r"现行有效", "in_force"),
)
APP_RESULTS = (
    (r"(?<!不)予以公开|同意公开", "disclosed"),
    (r"部分公开", "partial"),
    (r"不予以?公开", "withheld"),
    (r"无法提供", "unable"),
    (r"不予处理", "not_processed"),
    (r"上一?年度?结转|结转上一?年度?", "carried_over"),
    (r"结转(?:至|到)?下一?年度?|转(?:入|至|到)?下一?年度|结转[^,，]{0,4}继续办理", "carried_next"),
)
APP_MEASURES = (
    (r"新收|收到|受理|接收|接到|共有|提出", "new"),
    (r"办结|(?<![意分予以]公开)答复|办理完毕|处理完毕|完成办理", "handled"),  # 同意公开答复 9 件: a result
    (r"办理(?!完毕)", "workload"),
)
UNITS = {
    "apps": {"件", "个", "条", "宗", "份", "人次", "人", "项", "起"},
    "decisions": {"件", "次", "个", "起", "宗", "项", "例", "人次"},
    "docs": {"件", "个", "份", "部", "项", "篇"},
    "cases": {"件", "起", "宗", "个", "次", "例"},
}

NUMBER = re.compile(
    r"(?P<pre>约|近|超过|逾|第|百分之)?(?<![\d.\-/:~～])"
    r"(?P<num>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
    r"(?P<approx>余|多)?(?P<mult>万|亿)?(?P<approx2>余|多)?"
    r"(?P<unit>元|人次|件|个|条|起|宗|项|人|次|份|例|部|篇)(?=(?P<after>.{0,4}))"
)
NOT_A_COUNT_AFTER = re.compile(
    r"^(性|事|实事|站|式|部门|单位|乡镇|街道|村|社区|平台|账号|栏目|专栏|网站|窗口|渠道|类|方面|"
    r"工作日|小时|天|月|年|人员|工作人员|以上|左右|多|部分)"
)
COMPARISON = re.compile(r"较|比上|同比|环比|增长|下降|增加|减少|累计|历年|去年|上一?年(?!度?结转)|前年")
YEAR = re.compile(r"(?<!\d)(\d{4})年")
AREA = re.compile(r"全[省市州盟县区旗师]|各(?:部门|单位|乡镇|街道|县|区|市|级|团场|师)|全系统|汇总")
SELF = re.compile(r"本级|本机关|本部门|本单位")
PART_OF_NEW = re.compile(
    r"渠道|网站|平台|网络|通过|信函|邮寄|当面|现场|网上|线上|在线|传真|邮件|自然人|法人|企业|公民|个人|群众"
)
NOT_A_TOTAL = re.compile(
    r"维持|纠正|纠错|撤销|驳回|败诉|胜诉|审结|尚未|其他结果|确认违法|终止|事项|目录|清单|项目|信息|公示"
)
NOT_APPLICATIONS = re.compile(r"热线|诉求|咨询|留言|来电|来信|信箱|工单|建议|提案|政务服务|办件|快递|邮件")
WITH_CARRIED = re.compile(r"(?<!不)(?:含|包括|包含)(?:上一?年度?)?结转")
CLAUSE = re.compile(r"[^,，;；。()（）]+")

# ---- claims that nothing happened -------------------------------------------------------------

NO_APPLICATIONS = (
    re.compile(
        r"(?:未|没有|无|暂无)(?:曾|再|有)?(?:收到|接到|受理|接收|发生|产生)[^,，;；。]{0,25}?申请(?!人)"
    ),
    re.compile(r"(?:无|暂无|没有|未有)[^,，;；。]{0,4}(?:依申请公开|政府信息公开申请)"),
    re.compile(r"申请[^,，;；。]{0,10}?(?:均|都)?为[0零](?![\d.])"),
)
NOT_ABOUT_APPLICATIONS = re.compile(
    r"复议|诉讼|投诉|举报|不予|部分公开|无法提供|逾期|超期|延期|超时|无正当理由|予以公开|纠错|重复|撤回|"
    r"许可|审批|登记|补助|补贴|救助|赔偿|资金|项目"  # applications of other kinds
)
NO_CASES = (
    re.compile(
        r"(?:未(?!经|按|能|予)|没有|无(?!法|正当)|暂无|未曾)(?:发生|出现|产生|收到|接到|有|涉及|被)?"
        r"[^,，;；。]{0,20}?(?:复议|诉讼|起诉)"
    ),
    re.compile(r"(?:复议|诉讼)[^,，;；。]{0,10}?(?:均|都|皆)?为[0零](?![\d.])"),
)
MAY_CLAIM = re.compile(r"未|没有|无|为[0零]")
QUALIFIED_CASES = re.compile(r"纠错|纠正|败诉|撤销|确认违法|被判")

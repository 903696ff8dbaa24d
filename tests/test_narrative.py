"""The checks beyond the tables: TEXT, STRUCTURE, TIMELY and REPEAT, on the seeds and on
narratives written to mimic what real reports do."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest
from conftest import SEEDS, seed_names, seed_report_json

from app.draft import Draft, Scope, Severity, Status
from app.extract.json_report import parse_report
from app.extract.layout import parse
from app.extract.text import extract_text
from app.rules.engine import validate
from app.rules.narrative import BodyKind, body_kind, check_narrative, check_repeat, repeated_share
from app.rules.statements import check_text, read_claims, read_statements, statements

NARRATIVE_RULES = {"TEXT", "STRUCTURE", "TIMELY", "REPEAT"}


def seed_draft(name: str) -> Draft:
    """A seed read from its text as an upload is: figures, metadata and the narrative."""
    return parse(extract_text((SEEDS / f"{name}.txt").read_text(encoding="utf-8")))


def _rule(findings, rule):
    return [f for f in findings if f.rule == rule]


# ---- TEXT on the seeds ------------------------------------------------------------------------


def test_seed_001_no_reconsideration_or_lawsuit_while_table_four_holds_one_of_each():
    findings = _rule(validate(seed_draft("001_67e027749f67ecd0")), "TEXT")
    assert [(f.cells, f.reported, f.expected, f.severity) for f in findings] == [
        (["table4.reconsideration.total"], "0", "1", Severity.WARNING),
        (
            ["table4.litigation_direct.total", "table4.litigation_after_reconsideration.total"],
            "0",
            "1",
            Severity.WARNING,
        ),
    ]
    for finding in findings:
        assert "未发生因政府信息公开产生行政复议、诉讼和申诉的情况" in finding.message
    assert findings[0].location.table == "table4" and findings[0].location.row == "reconsideration"


def test_seed_001_figures_stated_in_the_text_are_read_and_agree():
    read = {(s.concept, s.value) for s in statements(seed_draft("001_67e027749f67ecd0"))}
    assert read >= {
        ("regulations.issued", 0),
        ("regulations.repealed", 0),
        ("normative_documents.issued", 4),
        ("normative_documents.repealed", 3),
        ("licensing", 19544),
        ("penalty", 53548),
        ("coercion", 330),
        ("fees", Decimal("1941.7065")),
        ("new", 297),
    }
    # "政府网站依申请公开渠道收到5件" counts one channel, not every application
    assert ("new", 5) not in read


@pytest.mark.parametrize("name", [n for n in seed_names() if not n.startswith("001")])
def test_no_text_finding_where_the_narrative_agrees_with_the_tables(name):
    assert _rule(validate(seed_draft(name)), "TEXT") == []


def test_seed_004_one_person_applied_and_new_received_is_one():
    draft = seed_draft("004_3754507d9f900802")
    assert [(s.concept, s.value) for s in statements(draft)] == [("new", 1)]
    draft.figures[("table3", "new_received", "total")].value = 2
    findings = check_text(draft)
    assert [(f.reported, f.expected) for f in findings] == [("1", "2")]
    assert "有1人" in findings[0].message


def test_a_claim_of_no_applications_against_a_nonzero_cell():
    draft = seed_draft("002_3de73757d3cdff2d")
    draft.figures[("table3", "new_received", "total")].value = 3
    findings = check_text(draft)
    assert [(f.cells, f.reported, f.expected) for f in findings] == [
        (["table3.new_received.total"], "0", "3")
    ]
    assert "本年度未收到群众政府信息公开申请" in findings[0].message


def test_a_blank_cell_is_not_compared():
    draft = seed_draft("001_67e027749f67ecd0")
    for column in ("upheld", "corrected", "other", "pending", "total"):
        draft.figures[("table4", "reconsideration", column)].value = None
        draft.figures[("table4", "reconsideration", column)].status = Status.BLANK
    assert [f.cells[0] for f in check_text(draft)] == ["table4.litigation_direct.total"]


# ---- TEXT on narratives that mimic real traps ---------------------------------------------------


def _report(narrative: str, **table3_totals: int) -> Draft:
    """Seed 002 (all zeros) with the given table-三 totals and a narrative."""
    draft = parse_report(seed_report_json("002_3de73757d3cdff2d"))
    for row, value in table3_totals.items():
        draft.figures[("table3", row, "total")].value = value
    draft.narrative = narrative
    return draft


def _text(draft: Draft) -> list[tuple[str, str, str]]:
    return [(f.cells[0], f.reported, f.expected) for f in check_text(draft)]  # type: ignore[misc]


CARRIED = "一、总体情况\n2024年，共收到政府信息公开申请15件（含上年结转3件），均已按时办结。"


def test_including_carried_over_agrees_with_new_plus_carried():
    draft = _report(CARRIED, new_received=12, carried_over=3, **{"result.total": 15})
    assert _text(draft) == []


def test_including_carried_over_is_compared_with_the_sum():
    draft = _report(CARRIED, new_received=15, carried_over=3, **{"result.total": 18})
    assert _text(draft) == [("table3.new_received.total", "15", "18")]
    assert "含上年结转" in check_text(draft)[0].message


def test_new_plus_carried_without_saying_so_is_a_finding_with_a_hint():
    text = "一、总体情况\n2024年，共收到政府信息公开申请15件，均已按时办结。"
    findings = check_text(_report(text, new_received=12, carried_over=3, **{"result.total": 15}))
    assert [(f.reported, f.expected) for f in findings] == [("15", "12")]
    assert findings[0].hint is not None and "含上年结转" in findings[0].hint


def test_area_figures_are_not_compared_with_a_body_table():
    text = (
        "一、总体情况\n全市各级行政机关共收到政府信息公开申请1200件，其中市政府本级收到35件。"
        "全市共办结政府信息公开申请1180件。"
    )
    assert _text(_report(text, new_received=35, **{"result.total": 35})) == []


def test_a_department_that_answered_two_of_three():
    text = (
        "一、总体情况\n（二）依申请公开工作情况。我局严格依法依规做好政府信息依申请公开答复。"
        "本年度，共受理政府信息公开申请2件，都在法定期限内予以答复。\n"
        "（三）处理群众咨询和投诉工作情况。本年度共处理群众留言92条。"
    )
    assert _text(_report(text, new_received=3, **{"result.total": 3})) == [
        ("table3.new_received.total", "2", "3")
    ]


def test_a_body_figure_that_differs_is_found():
    text = "一、总体情况\n本机关共收到政府信息公开申请40件，办结38件。"
    assert _text(_report(text, new_received=35, **{"result.total": 35})) == [
        ("table3.new_received.total", "40", "35"),
        ("table3.result.total.total", "38", "35"),
    ]


def test_body_figures_are_not_compared_with_an_area_table():
    text = "一、总体情况\n市政府本级收到政府信息公开申请35件。"
    draft = _report(text, new_received=1200)
    draft.scope = Scope.AREA
    assert _text(draft) == []
    draft.scope = None
    assert _text(draft) == [("table3.new_received.total", "35", "1200")]


def test_percentages_are_not_figures():
    text = "一、总体情况\n共收到政府信息公开申请20件，按时答复率100%，予以公开11件，占比55%。"
    assert _text(_report(text, new_received=20, **{"result.disclosed": 11})) == []
    assert _text(_report(text, new_received=20, **{"result.disclosed": 12})) == [
        ("table3.result.disclosed.total", "11", "12")
    ]


def test_a_date_is_not_a_figure():
    text = "一、总体情况\n截至2024年12月31日，共收到政府信息公开申请8件。"
    draft = _report(text, new_received=8)
    draft.year = 2024
    assert _text(draft) == []
    draft.figures[("table3", "new_received", "total")].value = 9
    assert _text(draft) == [("table3.new_received.total", "8", "9")]


def test_a_phone_number_is_not_a_figure():
    text = (
        "六、其他需要报告的事项\n"
        "如有疑问请拨打电话0991-2345678或12345热线咨询，本年度受理政府信息公开申请6件。"
    )
    assert _text(_report(text, new_received=6)) == []


def test_ten_thousands_without_a_counting_unit_are_not_figures():
    draft = _report("一、总体情况\n行政许可公示专栏总阅读量 21.04 万，全年作出行政许可决定3件。")
    draft.figures[("table2", "licensing", "decisions")].value = 3
    assert _text(draft) == []
    draft.figures[("table2", "licensing", "decisions")].value = 4
    assert _text(draft) == [("table2.licensing.decisions", "3", "4")]


def test_ten_thousands_with_a_unit_are_read_to_their_printed_precision():
    draft = _report("一、总体情况\n全年作出行政许可决定2.1万件。")
    draft.figures[("table2", "licensing", "decisions")].value = 21040
    assert _text(draft) == []
    draft.figures[("table2", "licensing", "decisions")].value = 19000
    assert _text(draft) == [("table2.licensing.decisions", "21000", "19000")]


def test_fees_in_yuan_and_in_ten_thousands():
    fees = ("table2", "fees", "amount_10k_yuan")
    draft = _report("一、总体情况\n行政事业性收费1941.71万元。")
    draft.figures[fees].value = Decimal("1941.7065")
    assert _text(draft) == []
    draft = _report("一、总体情况\n收取行政事业性收费251000元。")
    draft.figures[fees].value = Decimal("25.1")
    assert _text(draft) == []
    draft.figures[fees].value = Decimal("30")
    assert _text(draft) == [("table2.fees.amount_10k_yuan", "25.1", "30")]


def test_chinese_numerals():
    text = "一、总体情况\n全年收到政府信息公开申请三件，其中予以公开两件。"
    assert _text(_report(text, new_received=3, **{"result.disclosed": 2})) == []
    assert _text(_report(text, new_received=4, **{"result.disclosed": 2})) == [
        ("table3.new_received.total", "3", "4")
    ]


def test_ordinals_comparisons_and_other_years_are_not_figures():
    text = (
        "一、总体情况\n依据《条例》第二十条规定，2024年收到政府信息公开申请5件，较上年增加2件。"
        "2023年收到政府信息公开申请3件。高效办成一件事。"
    )
    draft = _report(text, new_received=5)
    draft.year = 2024
    assert _text(draft) == []


def test_documents_issued_and_repealed_follow_their_subject():
    text = "一、总体情况\n本年制定规章1件，废止0件；制发行政规范性文件6件，废止2件，现行有效31件。"
    draft = _report(text)
    values = {"regulations": (1, 0, 5), "normative_documents": (6, 2, 31)}
    for row, (issued, repealed, in_force) in values.items():
        draft.figures[("table2", row, "issued")].value = issued
        draft.figures[("table2", row, "repealed")].value = repealed
        draft.figures[("table2", row, "in_force")].value = in_force
    assert _text(draft) == []
    draft.figures[("table2", "normative_documents", "repealed")].value = 1
    assert _text(draft) == [("table2.normative_documents.repealed", "2", "1")]


def test_a_qualified_claim_about_reconsideration_is_not_a_claim_of_none():
    text = "一、总体情况\n本年度发生行政复议1件，未发生被复议机关纠错的情况。"
    draft = _report(text)
    draft.figures[("table4", "reconsideration", "total")].value = 1
    assert _text(draft) == []


# ---- STRUCTURE --------------------------------------------------------------------------------


def _structure(draft: Draft) -> list[str]:
    return [f.message for f in _rule(check_narrative(draft), "STRUCTURE")]


def test_seed_002_reports_its_fees_and_has_every_part():
    assert _structure(seed_draft("002_3de73757d3cdff2d")) == []


def test_part_six_without_information_processing_fees():
    assert _structure(seed_draft("000_b5dc321a53ba7bbe")) == [
        "第六部分“其他需要报告的事项”未说明收取信息处理费的情况"
        "（《政府信息公开信息处理费管理办法》，国办函〔2020〕109号）"
    ]


def _seed_002_with(change) -> list[str]:
    draft = seed_draft("002_3de73757d3cdff2d")
    draft.period_start, draft.period_end = date(2025, 1, 1), date(2025, 12, 31)
    draft.narrative = change(draft.narrative)
    return _structure(draft)


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end)]


def test_parts_out_of_order():
    def general_last(text: str) -> str:
        general = _between(text, "一、总体情况", "二、主动公开政府信息情况")
        return text.replace(general, "") + "\n" + general

    assert _seed_002_with(general_last) == ["各部分顺序不对：二、三、四、五、六、一（应为一至六依次排列）"]


def test_part_five_that_says_nothing():
    def empty_five(text: str) -> str:
        five = _between(text, "五、存在的主要问题及改进情况", "六、其他需要报告的事项")
        return text.replace(five, "五、存在的主要问题及改进情况\n无。\n")

    assert _seed_002_with(empty_five) == ["第五部分“存在的主要问题及改进情况”没有实际内容（仅有“无。”）"]


@pytest.mark.parametrize(
    "said", ["暂无问题", "无问题。", "没有问题", "本年度暂无存在的主要问题。", "进一步加强。"]
)
def test_part_five_that_says_no_problem_or_next_to_nothing(said):
    def five_says(text: str) -> str:
        five = _between(text, "五、存在的主要问题及改进情况", "六、其他需要报告的事项")
        return text.replace(five, f"五、存在的主要问题及改进情况\n{said}\n")

    assert _seed_002_with(five_says) == [f"第五部分“存在的主要问题及改进情况”没有实际内容（仅有“{said}”）"]


def test_part_five_with_ten_characters_of_substance_is_kept():
    def five_says(text: str) -> str:
        five = _between(text, "五、存在的主要问题及改进情况", "六、其他需要报告的事项")
        return text.replace(five, "五、存在的主要问题及改进情况\n专栏更新不及时，已整改。\n")

    assert _seed_002_with(five_says) == []


def test_a_missing_part():
    def no_five(text: str) -> str:
        return text.replace(_between(text, "五、存在的主要问题及改进情况", "六、其他需要报告的事项"), "")

    assert _seed_002_with(no_five) == ["缺少第五部分“存在的主要问题及改进情况”"]


def test_title_year_against_the_statistics_period():
    # "数据统计期限自 2025 年 1 月 1 日至 2025 年 12 月 31 日"
    draft = seed_draft("000_b5dc321a53ba7bbe")
    draft.title = "第四师可克达拉市六十七团2024年政府信息公开工作年度报告"
    assert "标题年度为 2024，但数据统计期限为 2025 年" in _structure(draft)
    # when the report's year is the title's, FORMAT already says it
    draft.year = 2024
    assert not any(m.startswith("标题年度") for m in _structure(draft))
    assert any("数据统计期限" in f.message for f in _rule(validate(draft), "FORMAT"))


def test_a_narrative_without_headings_is_one_finding():
    draft = _report("本年度未收到政府信息公开申请。")
    assert _structure(draft) == ["正文中找不到“一、总体情况”至“六、其他需要报告的事项”各部分的标题"]


def test_a_table_whose_every_figure_is_missing_is_absent():
    draft = seed_draft("003_15b7e0ad82ac5c7e")
    draft.figures = {k: f for k, f in draft.figures.items() if k[0] != "table4"}
    structure = _rule(check_narrative(draft), "STRUCTURE")
    assert [(f.location.table, f.message) for f in structure if f.location.table] == [
        ("table4", "缺少表四（政府信息公开行政复议、行政诉讼情况）：表中没有任何数字")
    ]
    # the heading is there, so part 四 is not reported missing on top of its table
    assert not any("缺少第四部分" in f.message for f in structure)


def test_a_report_without_narrative_gets_no_text_or_structure_finding():
    assert [f for f in validate(parse_report(seed_report_json("000_b5dc321a53ba7bbe")))
            if f.rule in NARRATIVE_RULES] == []  # fmt: skip


# ---- TIMELY -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("organ", "kind"),
    [
        ("第十师北屯市", BodyKind.GOVERNMENT),
        ("第四师可克达拉市六十七团", BodyKind.GOVERNMENT),
        ("昌吉市阿什里乡", BodyKind.GOVERNMENT),
        ("二二三团开泽镇", BodyKind.GOVERNMENT),
        ("乌鲁木齐市天山区人民政府", BodyKind.GOVERNMENT),
        ("北京市朝阳区建外街道办事处", BodyKind.GOVERNMENT),
        ("乌鲁木齐市人民政府办公室", BodyKind.DEPARTMENT),
        ("昌吉州发展和改革委员会", BodyKind.DEPARTMENT),
        ("沭阳县公安局", BodyKind.DEPARTMENT),
        ("新疆维吾尔自治区人民政府办公厅", BodyKind.DEPARTMENT),
        ("可克达拉经开区", BodyKind.UNKNOWN),
        ("某某高新区管委会", BodyKind.UNKNOWN),
    ],
)
def test_kind_of_body_from_its_name(organ, kind):
    assert body_kind(organ) is kind


def _timely(organ: str, published: date | None = None, signed: str | None = None):
    draft = seed_draft("002_3de73757d3cdff2d")
    draft.organ, draft.year, draft.published_on = organ, 2024, published
    if signed:
        draft.narrative += f"\n{organ}\n{signed}\n"
    return [(f.severity, f.reported, f.expected) for f in _rule(check_narrative(draft), "TIMELY")]


def test_a_government_after_31_march_is_certainly_late():
    assert _timely("昌吉市阿什里乡", date(2025, 4, 2)) == [(Severity.ERROR, "2025-04-02", "2025-03-31")]
    assert _timely("昌吉市阿什里乡", date(2025, 3, 31)) == []


def test_a_department_after_31_january_is_late():
    assert _timely("昌吉州发展和改革委员会", date(2025, 2, 15)) == [
        (Severity.WARNING, "2025-02-15", "2025-01-31")
    ]
    assert _timely("昌吉州发展和改革委员会", date(2025, 1, 31)) == []
    assert _timely("昌吉州发展和改革委员会", date(2025, 4, 15)) == [
        (Severity.ERROR, "2025-04-15", "2025-01-31")
    ]


def test_an_unsure_kind_between_the_deadlines_is_only_information():
    assert _timely("可克达拉经开区", date(2025, 2, 15)) == [(Severity.INFO, "2025-02-15", "2025-01-31")]


def test_the_signing_date_at_the_end_of_the_document_is_used_as_a_warning():
    assert _timely("昌吉市阿什里乡", signed="2025年4月10日") == [
        (Severity.WARNING, "2025-04-10", "2025-03-31")
    ]
    assert _timely("昌吉市阿什里乡", signed="2025年1月8日") == []
    assert _timely("昌吉市阿什里乡") == []


# ---- REPEAT -----------------------------------------------------------------------------------

BASE = [
    "2023年，本机关坚持以人民为中心的发展思想，扎实推进政府信息公开工作。",
    "全年通过政府门户网站主动公开各类政府信息二百余条，及时回应社会关切。",
    "进一步规范依申请公开办理流程，明确受理、审核、答复各环节责任。",
    "严格落实保密审查制度，坚持先审查后公开，全年未发生泄密事件。",
    "加强政务新媒体管理，及时更新栏目内容，提升平台服务能力。",
    "定期开展业务培训，不断提高工作人员的政策水平和业务能力。",
    "一是公开内容还不够全面，部分栏目更新不及时。",
    "二是政策解读形式较为单一，图解视频类解读偏少。",
    "下一步将加强督促检查，确保各项公开要求落到实处。",
    "丰富政策解读形式，多用图表、音视频等群众喜闻乐见的方式。",
]
CHANGED = {
    2: "今年重点优化了网上申请渠道，实现申请受理全程网上留痕可查询。",
    5: "组织各科室开展专题学习三次，逐条对照新要求查找差距和不足。",
    8: "计划在明年上半年完成公开目录的全面梳理与动态更新。",
}


def _narrative(sentences: list[str], year: int) -> str:
    body = [s.replace("2023年", f"{year}年") for s in sentences]
    return "\n".join(
        [
            f"某某县人民政府{year}年政府信息公开工作年度报告",
            "本报告根据《中华人民共和国政府信息公开条例》要求编制。",
            "一、总体情况",
            *body[:6],
            "五、存在的主要问题及改进情况",
            *body[6:],
            "六、其他需要报告的事项",
            FEE,
        ]
    )


def _this_year() -> list[str]:
    return [CHANGED.get(i, s) for i, s in enumerate(BASE)]


FEE = "本年度未收取信息处理费。"  # part 六, the same both years


def _expected_share() -> float:
    """Characters of the unchanged sentences over all characters (the legal preamble left out)."""
    unchanged = [s for i, s in enumerate(BASE) if i not in CHANGED]
    return (sum(map(len, unchanged)) + len(FEE)) / (sum(map(len, _this_year())) + len(FEE))


def test_repeated_share_is_the_share_of_unchanged_sentences():
    result = repeated_share(_narrative(_this_year(), 2025), _narrative(BASE, 2024))
    assert result.share == pytest.approx(_expected_share())
    general = [s for i, s in enumerate(BASE[:6]) if i not in CHANGED]
    assert result.sections["总体情况"] == pytest.approx(
        sum(map(len, general)) / sum(map(len, _this_year()[:6]))
    )


def test_a_copied_report_is_a_warning_that_shows_its_share():
    draft, previous = _report(_narrative(_this_year(), 2025)), _report(_narrative(BASE, 2024))
    draft.year, previous.year = 2025, 2024
    findings = _rule(validate(draft, previous), "REPEAT")
    share = f"{round(_expected_share() * 100)}%"
    assert share == "72%"
    assert [(f.severity, f.reported) for f in findings] == [(Severity.WARNING, share)]
    assert "2024 年度报告" in findings[0].message and "总体情况" in findings[0].message


def test_a_small_edit_inside_a_sentence_still_counts_as_repeated():
    edited = [s.replace("二百余条", "三百余条") for s in BASE]
    result = repeated_share(_narrative(edited, 2025), _narrative(BASE, 2024))
    assert result.share == pytest.approx(1.0)


def test_a_rewritten_report_is_information_with_its_share():
    rewritten = [f"第{i}项：{s[::-1]}" for i, s in enumerate(BASE)]
    draft, previous = _report(_narrative(rewritten, 2025)), _report(_narrative(BASE, 2024))
    previous.year = 2024
    findings = check_repeat(draft, previous)
    share = len(FEE) / (sum(map(len, rewritten)) + len(FEE))  # only part 六 stayed
    assert [(f.severity, f.reported) for f in findings] == [(Severity.INFO, f"{round(share * 100)}%")]


def test_boilerplate_is_not_counted():
    only_boilerplate = _narrative([], 2025)
    result = repeated_share(only_boilerplate, _narrative([], 2024))
    assert result.chars == len(FEE)


def test_repeat_is_computed_through_the_api_when_either_year_arrives_first(client):
    def body(year: int, sentences: list[str]) -> dict:
        report = copy.deepcopy(seed_report_json("002_3de73757d3cdff2d"))
        report["year"] = year
        report["narrative"] = _narrative(sentences, year)
        return report

    later = client.post("/api/v1/reports", json=body(2025, _this_year())).json()
    assert [f for f in later["validation"]["findings"] if f["rule"] == "REPEAT"] == []
    client.post("/api/v1/reports", json=body(2024, BASE))
    rechecked = client.get(f"/api/v1/reports/{later['id']}/validation").json()
    repeat = [f for f in rechecked["findings"] if f["rule"] == "REPEAT"]
    assert [(f["severity"], f["reported"]) for f in repeat] == [("warning", "72%")]


@pytest.mark.parametrize(
    ("sentence", "read"),
    [
        (
            "本机关共收到政府信息公开申请156件，其中，自然人申请143件，法人或其他组织申请13件。",
            [("new", 156)],
        ),
        ("收到政府信息公开申请23件（其中，当面申请3件，网上申请20件）。", [("new", 23)]),
        ("加上上年结转的5件，共需办理161件。", [("carried_over", 5), ("workload", 161)]),
        ("已办结155件，结转下年度继续办理6件。", [("handled", 155), ("carried_next", 6)]),
        (
            "办理结果中，予以公开82件，部分公开21件，不予公开9件，无法提供31件，不予处理5件。",
            [("disclosed", 82), ("partial", 21), ("withheld", 9), ("unable", 31), ("not_processed", 5)],
        ),
        ("全年因政府信息公开引起行政复议3件、行政诉讼2件。", [("reconsideration", 3), ("litigation", 2)]),
        ("受理行政复议申请2件。", [("reconsideration", 2)]),
        ("行政复议结果维持2件，纠正1件。", []),
        ("公开行政许可信息1200条，行政处罚信息公示352条。", []),
        ("行政许可事项86项，全年办理行政许可2000件。", [("licensing", 2000)]),
        ("清理规范性文件120件，废止15件，修改8件。", [("normative_documents.repealed", 15)]),
        ("依申请公开渠道畅通，12345热线受理群众诉求3.2万件。", []),
        ("领导信箱共收到留言53条、全部办结。", []),
        ("依申请公开答复时限平均为7个工作日。", []),
        ("制定并印发《XX市政府信息公开工作制度》等3项制度。", []),
        ("全年共召开新闻发布会5场，发布政策解读12篇，回应社会关切3次。", []),
        ("2022年结转至2023年的申请2件已全部办结。", []),
        ("其中,通过网络申请1303件,占86.92%;通过信函申请172件,占11.47%。", []),
        (
            "主动公开市政府规章13件(含新制定5件,修改4件,废止4件),主动公开行政规范性文件42件。",
            [("regulations.issued", 5), ("regulations.repealed", 4)],
        ),
        (
            "共完成政府信息依申请公开答复1453件,包括上年结转信息公开申请30件。",
            [("handled", 1453), ("carried_over", 30)],
        ),
        (  # shanghai-kewei-2024: "公开答复" names a result, "转下一年度" what is carried on
            "所有办结的信息公开申请中同意公开答复 9 件，部分公开答复 0 件，不予公开答复 2件，"
            "无法提供的 10 件，不予处理 0 件，其他处理 14 件，转下一年度办理答复的有 1 件。",
            [
                ("disclosed", 9),
                ("partial", 0),
                ("withheld", 2),
                ("unable", 10),
                ("not_processed", 0),
                ("carried_next", 1),
            ],
        ),
    ],
)
def test_what_a_sentence_states(sentence, read):
    assert [(s.concept, s.value) for s in read_statements(sentence, 2023, True)] == read


@pytest.mark.parametrize(
    ("sentence", "claims"),
    [
        ("本年度无行政复议、行政诉讼案件。", ["reconsideration", "litigation"]),
        ("未发生因政府信息公开工作被申请行政复议或提起行政诉讼的情况。", ["reconsideration", "litigation"]),
        ("本年度政府信息公开行政复议、行政诉讼均为0。", ["reconsideration", "litigation"]),
        ("我局未收到政府信息公开申请，也未发生行政复议和诉讼。", ["new", "reconsideration", "litigation"]),
        ("全年未收到不予公开信息的申请。", []),
        ("2023年，我办全年未收到行政许可申请；全年未接到信息公开申请。", ["new"]),
        ("未发生行政复议被纠错的情况。", []),
        ("行政诉讼（未经复议直接起诉）1件，复议后起诉0件。", []),
        ("对无法提供的信息，告知申请人可依法申请行政复议或提起行政诉讼。", []),
    ],
)
def test_what_a_sentence_claims_did_not_happen(sentence, claims):
    assert [c.concept for c in read_claims(sentence)] == claims


# ---- through the API, from a file -----------------------------------------------------------


def _upload(client, name: str, **form: str):
    data = (SEEDS / f"{name}.txt").read_bytes()
    return client.post("/api/v1/validate", files={"file": ("report.txt", data, "text/plain")}, data=form)


def test_an_uploaded_file_gets_the_narrative_checks(client):
    body = _upload(client, "001_67e027749f67ecd0").json()
    text = [f for f in body["validation"]["findings"] if f["rule"] == "TEXT"]
    assert [(f["cells"][0], f["reported"], f["expected"]) for f in text] == [
        ("table4.reconsideration.total", "0", "1"),
        ("table4.litigation_direct.total", "0", "1"),
    ]
    assert "行政复议、诉讼" in text[0]["message"]


def test_published_on_beside_the_file_decides_timeliness(client):
    body = _upload(client, "000_b5dc321a53ba7bbe", published_on="2026-04-10").json()
    assert body["published_on"] == "2026-04-10"
    timely = [f for f in body["validation"]["findings"] if f["rule"] == "TIMELY"]
    assert [(f["severity"], f["reported"], f["expected"]) for f in timely] == [
        ("error", "2026-04-10", "2026-03-31")
    ]
    # without it, the signing date at the end (2026年1月22日) is within the deadline
    assert [f for f in _upload(client, "000_b5dc321a53ba7bbe").json()["validation"]["findings"]
            if f["rule"] == "TIMELY"] == []  # fmt: skip


def test_a_published_on_that_is_not_a_date_is_refused(client):
    response = _upload(client, "000_b5dc321a53ba7bbe", published_on="去年")
    assert response.status_code == 422 and response.json()["code"] == "invalid_date"


def test_the_catalogue_lists_the_checks_beyond_the_tables(client):
    rules = {r["id"]: r for r in client.get("/api/v1/rules").json()}
    assert {rule: rules[rule]["severity"] for rule in NARRATIVE_RULES} == {
        "TEXT": "warning",
        "STRUCTURE": "warning",
        "TIMELY": "warning",
        "REPEAT": "warning",
    }
    assert "正文" in rules["TEXT"]["title"]


def test_titles_and_subheadings_are_not_counted():
    title = "某某县人民政府2025年政府信息公开工作年度报告"
    text = f"{title}\n一、总体情况\n（一）政府信息主动公开情况\n本年度主动公开政府信息一百二十条。"
    before = text.replace("2025年", "2024年").replace("一百二十条", "九十八条，涵盖民生领域")
    result = repeated_share(text, before)
    assert result.chars == len("本年度主动公开政府信息一百二十条。") and result.share == 0


def test_a_long_sentence_is_quoted_around_its_figure():
    draft = seed_draft("001_67e027749f67ecd0")
    draft.figures[("table2", "licensing", "decisions")].value = 19000
    findings = check_text(draft)
    assert [(f.cells[0], f.reported, f.expected) for f in findings] == [
        ("table2.licensing.decisions", "19544", "19000"),
        ("table4.reconsideration.total", "0", "1"),
        ("table4.litigation_direct.total", "0", "1"),
    ]
    assert findings[0].message.startswith("正文“…，师市制定规章0件")
    assert "公开处理行政许可19544次" in findings[0].message
    assert findings[0].message.endswith("称行政许可处理决定为 19544，表二“行政许可”处理决定数量为 19000")

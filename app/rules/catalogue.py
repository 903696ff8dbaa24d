"""The 勾稽 rules as data: what each reads, how bad a violation is, and what it says.

Every rule names its evaluator (`check`, a key of `app.rules.registry.EVALUATORS`) and holds
every text its findings say: `message`/`message_en`, or one (zh, en) pair per case where a rule
says different things in different cases. `Rule.finding` (`app.rules.rule`) is the one place a
finding is built. The rules beyond the tables' figures are in `app.rules.catalogue_text`.

A sum rule is `sum(left) == sum(right)` repeated over every row (or column) of a table; tokens
starting with "@" name a set of codes that depends on the layout (see `app.rules.relations`).
"""

from __future__ import annotations

from app.draft import Severity
from app.rules.catalogue_text import META_RULES, NARRATIVE_RULES
from app.rules.rule import Rule

# A sum relation with blank cells is not checked, unless no non-negative value of the blanks can
# make it hold: then it is an error, the bound in the message. `sides` in a sum rule's params name
# its two sides for this message.
SUM_IMPOSSIBLE = (
    "{where}：{side}中已填的数合计 {reported}，已超过{other} {expected}，无论{blanks}填多少都无法平衡",
    "{where_en}: the filled cells of {side_en} already sum to {reported}, more than {other_en} {expected}; "
    "no value of {blanks_en} can balance it",
)

RULES: tuple[Rule, ...] = (
    Rule(
        "T3-ROW-TOTAL",
        Severity.ERROR,
        "表三各行：总计等于各类申请人之和",
        "Table 3 rows: total equals the sum of applicant kinds",
        "表三每一行的“总计”与自然人及五类法人或其他组织",
        "表三“{where}”行：总计为 {reported}，自然人与法人或其他组织之和为 {expected}",
        "Table 3 row {where}: total is {reported}, the applicants sum to {expected}",
        "sum",
        {
            "table": "table3",
            "over": "rows",
            "left": ["total"],
            "right": ["@applicant_parts"],
            "sides": ("总计", "自然人与法人或其他组织之和", "the total", "the applicants' sum"),
        },
        cases={"impossible": SUM_IMPOSSIBLE},
    ),
    Rule(
        "T3-RESULT-SUM",
        Severity.ERROR,
        "表三各列：（七）总计等于各项办理结果之和",
        "Table 3 columns: (七) total equals the sum of all results",
        "表三每一列的“（七）总计”与（一）至（六）各项办理结果（不含小标题）",
        "表三“{where}”列：（七）总计为 {reported}，各项办理结果之和为 {expected}",
        "Table 3 column {where}: result total is {reported}, the results sum to {expected}",
        "sum",
        {
            "table": "table3",
            "over": "columns",
            "left": ["result.total"],
            "right": ["@result_items"],
            "sides": ("（七）总计", "各项办理结果之和", "the result total", "the sum of the results"),
        },
        cases={"impossible": SUM_IMPOSSIBLE},
    ),
    Rule(
        "T3-BALANCE",
        Severity.ERROR,
        "表三各列：第一项加第二项之和等于第三项加第四项之和",
        "Table 3 columns: new + carried over = results + carried to next year",
        "表三每一列的“一、本年新收”“二、上年结转”“（七）总计”“四、结转下年度继续办理”",
        "表三“{where}”列：（七）总计加结转下年度为 {reported}，本年新收加上年结转为 {expected}",
        "Table 3 column {where}: results plus carried forward is {reported}, "
        "new plus carried over is {expected}",
        "sum",
        {
            "table": "table3",
            "over": "columns",
            "left": ["result.total", "carried_to_next_year"],
            "right": ["new_received", "carried_over"],
            "sides": (
                "（七）总计加结转下年度",
                "本年新收加上年结转",
                "results plus carried forward",
                "new plus carried over",
            ),
        },
        cases={"impossible": SUM_IMPOSSIBLE},
    ),
    Rule(
        "T4-TOTAL",
        Severity.ERROR,
        "表四：总计等于维持、纠正、其他、尚未审结之和",
        "Table 4: total equals upheld + corrected + other + pending",
        "表四行政复议、未经复议直接起诉、复议后起诉三组各自的五个数",
        "表四“{where}”：总计为 {reported}，维持、纠正、其他结果、尚未审结之和为 {expected}",
        "Table 4 {where}: total is {reported}, the outcomes sum to {expected}",
        "sum",
        {
            "table": "table4",
            "over": "rows",
            "left": ["total"],
            "right": ["@t4_parts"],
            "sides": ("总计", "维持、纠正、其他结果、尚未审结之和", "the total", "the sum of the outcomes"),
        },
        cases={"impossible": SUM_IMPOSSIBLE},
    ),
    Rule(
        "VALUE",
        Severity.ERROR,
        "数值合法：件数为非负整数，金额为非负数",
        "Counts are non-negative integers, money a non-negative decimal",
        "每一个数（2019 年格式的“本年增/减”可为负数）",
        "{where}：{reported} 不是合法的{kind}",
        "{where}: {reported} is not a valid {kind_en}",
        "value",
    ),
    Rule(
        "COMPLETE",
        Severity.WARNING,
        "表格完整：每个数都已填写且可识别",
        "Every figure of the layout is present and readable",
        "所用格式的每一个数",
        "{where}{columns}{state}{unchecked}",
        "{where} {columns_en}: {state_en}{unchecked_en}",
        "complete",
        cases={  # by the cells' status
            state: ("{where}{columns}" + zh + "{unchecked}", "{where} {columns_en}: " + en + "{unchecked_en}")
            for state, (zh, en) in {
                "blank": ("为空", "blank"),
                "missing": ("缺失", "missing"),
                "unreadable": ("无法识别", "unreadable"),
                "ambiguous": ("有多种读法，请人工核对", "ambiguous: check by eye"),
                "inferred": ("未能直接读出，已由勾稽关系推出", "inferred from the relations"),
                "placed": (
                    "的文字与数字分开印出，已按行的先后次序对应，请核对",
                    "printed apart from its label, placed by the order of the rows: check by eye",
                ),
            }.items()
        },
        case_severity={"inferred": Severity.INFO, "placed": Severity.INFO},  # read, but say how
    ),
    Rule(
        "FORMAT",
        Severity.WARNING,
        "格式与年度相符",
        "The layout and the statistics period fit the report year",
        "报告年度、表格格式、数据统计期限",
        "{detail}",
        "{detail_en}",
        "format",
        cases={
            "old_layout": (
                "{year} 年度报告使用了 2019 年格式（国办公开办函〔2019〕60号）；"
                "2021 年及以后的年度报告应使用 2021 年格式（国办公开办函〔2021〕30号）",
                "a {year} report in the 2019 layout; reports for 2021 and later use the 2021 layout",
            ),
            "new_layout_early": (
                "{year} 年度报告使用了 2021 年格式；2019—2020 年度报告适用 2019 年格式",
                "a {year} report in the 2021 layout; reports for 2019–2020 use the 2019 layout",
            ),
            "mixed_other_row": (
                "表三“（六）其他处理”只有一行；2021 年格式将其分为三行（逾期不补正、逾期未缴费、其他）",
                "table 3 prints (六) other handling as one row; the 2021 layout splits it into three",
            ),
            "period_year": (
                "报告年度为 {year}，但数据统计期限为 {period}",
                "the report year is {year} but the statistics period is {period}",
            ),
        },
    ),
    Rule(
        "OCR",
        Severity.WARNING,
        "扫描件：识别不清的数请对照原件核对",
        "Scans: figures OCR could not read for sure are named for checking by eye",
        "文字识别（OCR）读出的每一个数及其置信度",
        "{detail}",
        "{detail_en}",
        "ocr",
        cases={
            "doubtful": (
                "{where}有 {count} 个数识别不清（置信度低于 {threshold:g}、字形易混或整页不清），"
                "勾稽关系也无法确认，已标为无法识别，请对照原件逐一核对：{listed}",
                "{count} figure(s) on the scan's page {page} read with low confidence or confusable glyphs "
                "that no relation confirms: marked unreadable, check them by eye",
            ),
            "inferred": (
                "{where}有 {count} 个数识别把握不足，已由勾稽关系确认：{listed}",
                "{count} doubtful figure(s) on the scan's page {page} confirmed by the relations",
            ),
        },
        case_severity={"inferred": Severity.INFO},
        hints={"doubtful": "这些格子不参与勾稽核对；请以原件为准补录，或上传带文字层的原件"},
    ),
    Rule(
        "YEAR-CARRY",
        Severity.WARNING,
        "上年结转等于上一年度报告的结转下年度",
        "Carried over equals last year's carried to next year",
        "本年表三“二、上年结转”与上一年度报告表三“四、结转下年度继续办理”",
        "表三“{where}”列：上年结转为 {reported}，{prev_year} 年度报告的结转下年度为 {expected}",
        "Table 3 column {where}: carried over is {reported}, the {prev_year} report carried {expected}",
        "carry",
        {"this": ("table3", "carried_over"), "prev": ("table3", "carried_to_next_year")},
    ),
    Rule(
        "YEAR-IN-FORCE",
        Severity.WARNING,
        "现行有效件数与上年衔接",
        "In force follows from last year's in force, issued and repealed",
        "表二规章、行政规范性文件的现行有效件数（2021 年格式），与上一年度报告",
        "表二“{where}”：现行有效 {reported} 件，按上年现行有效加本年制发减本年废止应为 {expected} 件"
        "（如有重新清理统计，请在报告中说明）",
        "Table 2 {where}: {reported} in force, last year's in force + issued − repealed gives {expected}",
        "in_force",
        {"rows": ["regulations", "normative_documents"]},
    ),
    Rule(
        "REGION",
        Severity.WARNING,
        "发布机关能对应到行政区划",
        "The issuing body resolves to a region",
        "发布机关名称（或报告所填的 region_code）",
        "未能将发布机关“{organ}”对应到行政区划（{reason}），本报告暂不计入按地区的汇总",
        "The body {organ} could not be placed in a region ({reason}); it is left out of sums by region",
        "region",
        cases={
            "ambiguous": (
                "未能将发布机关“{organ}”对应到行政区划（可能是{names}），本报告暂不计入按地区的汇总",
                "The body {organ} could not be placed in a region ({count} places fit equally); "
                "it is left out of sums by region",
            ),
            "loose": (
                "未能将发布机关“{organ}”对应到行政区划（匹配把握度 {confidence:.2f} 低于 {threshold}），"
                "本报告暂不计入按地区的汇总",
                "The body {organ} could not be placed in a region (the match is too loose); "
                "it is left out of sums by region",
            ),
            "unknown": (
                "未能将发布机关“{organ}”对应到行政区划（名称中没有可识别的地名），本报告暂不计入按地区的汇总",
                "The body {organ} could not be placed in a region (no place name recognised); "
                "it is left out of sums by region",
            ),
            "settled": (  # the name fits several places; the document says which
                "机关名称“{organ}”可对应多个地区，报告中提到“{named}”，已归入{where}；如不对请在报告页改正",
                "the name fits several places; the report names {named}, so it is counted there",
            ),
        },
        case_severity={"settled": Severity.INFO},
        hints={
            "unplaced": "请在报告中填写 region_code（统计用区划代码），"
            "或补充 app/data/region_aliases.json 的别名"
        },
    ),
)

RULES = RULES + NARRATIVE_RULES + META_RULES

RULES_BY_ID = {rule.id: rule for rule in RULES}

__all__ = ["RULES", "RULES_BY_ID", "SUM_IMPOSSIBLE", "Rule"]

"""The 勾稽 rules as data: what each reads, how bad a violation is, and what it says.

A sum rule is `sum(left) == sum(right)` repeated over every row (or column) of a table; tokens
starting with "@" name a set of codes that depends on the layout (see `app.rules.engine`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.draft import Severity


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str  # zh
    title_en: str
    reads: str  # which cells, in words
    message: str  # zh template
    message_en: str
    check: str  # the engine's evaluator: sum | value | complete | format | carry | in_force
    params: dict = field(default_factory=dict)
    cases: dict[str, tuple[str, str]] = field(default_factory=dict)  # case -> (zh, en) templates


SUM_NOT_CHECKED = (
    "{where}：{blanks} 为空或无法识别，本条关系未能核对",
    "{where}: {blanks} blank or unreadable, relation not checked",
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
        {"table": "table3", "over": "rows", "left": ["total"], "right": ["@applicant_parts"]},
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
        {"table": "table3", "over": "columns", "left": ["result.total"], "right": ["@result_items"]},
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
        },
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
        {"table": "table4", "over": "rows", "left": ["total"], "right": ["@t4_parts"]},
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
        "{where}{columns}{state}",
        "{where} {columns_en}: {state_en}",
        "complete",
        cases={
            "blank": ("为空", "blank"),
            "missing": ("缺失", "missing"),
            "unreadable": ("无法识别", "unreadable"),
            "ambiguous": ("有多种读法，请人工核对", "ambiguous: check by eye"),
            "inferred": ("未能直接读出，已由勾稽关系推出", "inferred from the relations"),
        },
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
        "extract",  # written by the OCR step (app.extract.ocr_review), not by the engine
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
)

RULES_BY_ID = {rule.id: rule for rule in RULES}

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
        cases={
            "blank": ("为空", "blank"),
            "missing": ("缺失", "missing"),
            "unreadable": ("无法识别", "unreadable"),
            "ambiguous": ("有多种读法，请人工核对", "ambiguous: check by eye"),
            "inferred": ("未能直接读出，已由勾稽关系推出", "inferred from the relations"),
            "placed": (
                "的文字与数字分开印出，已按行的先后次序对应，请核对",
                "printed apart from its label, placed by the order of the rows: check by eye",
            ),
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
    Rule(
        "REGION",
        Severity.WARNING,
        "发布机关能对应到行政区划",
        "The issuing body resolves to a region",
        "发布机关名称（或报告所填的 region_code）",
        "未能将发布机关“{organ}”对应到行政区划（{reason}），本报告暂不计入按地区的汇总",
        "The body {organ} could not be placed in a region ({reason}); it is left out of sums by region",
        "region",
    ),
)

# The checks beyond the tables (app.rules.statements, app.rules.narrative): what the narrative
# says against the figures, the report's parts, its publication date, and text copied from the
# year before. None is an error unless it is certain.
NARRATIVE_RULES: tuple[Rule, ...] = (
    Rule(
        "TEXT",
        Severity.WARNING,
        "正文与表格一致",
        "The narrative agrees with the tables",
        "正文中陈述的数字和“未收到申请”“未发生行政复议、诉讼”等说法，与相应表格数字",
        "正文“{quote}”称{what}为 {reported}，{where}为 {expected}",
        "The narrative says “{quote}”: {what_en} is {reported}, {where_en} holds {expected}",
        "text",
        cases={
            "figure": (
                "正文“{quote}”称{what}为 {reported}，{where}为 {expected}",
                "The narrative says “{quote}”: {what_en} is {reported}, {where_en} holds {expected}",
            ),
            "absence": (
                "正文“{quote}”称{what}，但{where}为 {expected}",
                "The narrative says “{quote}” ({what_en}), but {where_en} holds {expected}",
            ),
        },
    ),
    Rule(
        "STRUCTURE",
        Severity.WARNING,
        "报告结构完整",
        "The report has its six parts, its tables and the required statements",
        "正文的六个部分及其顺序、表二至表四、第五部分内容、第六部分信息处理费说明、标题年度与统计期限",
        "{detail}",
        "{detail_en}",
        "structure",
        cases={
            "missing_part": ("缺少第{numeral}部分“{part}”", "part {numeral} “{part}” is missing"),
            "no_parts": (
                "正文中找不到“一、总体情况”至“六、其他需要报告的事项”各部分的标题",
                "the narrative has none of the six parts' headings",
            ),
            "order": (
                "各部分顺序不对：{found}（应为一至六依次排列）",
                "the parts stand in the order {found}; they should run 一 to 六",
            ),
            "missing_table": (
                "缺少{table}（{title}）：表中没有任何数字",
                "{table} ({title}) is missing: none of its figures is there",
            ),
            "empty_five": (
                "第五部分“存在的主要问题及改进情况”没有实际内容{text}",
                "part 五 (problems and improvements) says nothing{text_en}",
            ),
            "no_fee": (
                "第六部分“其他需要报告的事项”未说明收取信息处理费的情况"
                "（《政府信息公开信息处理费管理办法》，国办函〔2020〕109号）",
                "part 六 does not say whether information processing fees were charged",
            ),
            "title_year": (
                "标题年度为 {title_year}，但数据统计期限为 {period_year} 年",
                "the title names {title_year} but the statistics period is {period_year}",
            ),
        },
    ),
    Rule(
        "TIMELY",
        Severity.WARNING,
        "按期发布",
        "Published by the legal deadline",
        "发布日期（或报告落款日期）、发布机关名称（判断是政府还是政府部门）",
        "{detail}",
        "{detail_en}",
        "timely",
        cases={
            "late": (
                "{source} {date} 晚于{kind}的法定期限 {deadline}（《政府信息公开条例》第四十九条）",
                "{source_en} {date} is after the deadline for {kind_en}, {deadline}",
            ),
            "unsure": (
                "{source} {date} 晚于政府部门的期限 {deadline}；无法从机关名称“{organ}”判断其是政府还是"
                "政府部门（政府的期限为 {government_deadline}），请人工核对",
                "{source_en} {date} is after the departments' deadline {deadline}; whether “{organ}” is a "
                "government (deadline {government_deadline}) or a department cannot be told from its name",
            ),
        },
    ),
    Rule(
        "REPEAT",
        Severity.WARNING,
        "正文不照抄上一年度报告",
        "The narrative is not copied from the year before",
        "本年正文与同一机关上一年度报告正文（不含条例依据、统计期限等固定表述）",
        "正文有 {reported} 与 {prev_year} 年度报告相同或几乎相同{sections}",
        "{reported} of the narrative repeats the {prev_year} report{sections_en}",
        "repeat",
        {"threshold": 0.5, "similarity": 90, "min_section_chars": 80},
    ),
)

# What a document must name for a report to be stored, and whether its table 三 was read at all
# (app.rules.meta). A figure table nobody read is never a clean report.
META_RULES: tuple[Rule, ...] = (
    Rule(
        "META-ORGAN",
        Severity.WARNING,
        "能识别发布机关",
        "The issuing body can be told",
        "标题、落款、联系方式中的机关名称，或上传时填写的“机关”",
        "未能从文件中识别发布机关（已查看标题、落款和联系方式）：请在“机关”一栏填写后保存",
        "The issuing body could not be read (title, signature and contact paragraph were looked at): "
        "give it in the organ field",
        "meta",
    ),
    Rule(
        "META-YEAR",
        Severity.WARNING,
        "能识别报告年度",
        "The report year can be told",
        "标题、数据统计期限、正文开头、落款日期中的年度，或上传时填写的“年度”",
        "未能从文件中识别报告年度（已查看标题、数据统计期限、正文开头和落款日期）：请在“年度”一栏填写后保存",
        "The report year could not be read (title, statistics period, opening sentence and signature "
        "date were looked at): give it in the year field",
        "meta",
    ),
    Rule(
        "META-STATED",
        Severity.WARNING,
        "填写的信息与文件一致",
        "What the caller stated agrees with the document",
        "上传时填写的机关、年度、地区、发布日期，与文件中读出的",
        "填写的{field}为“{stated}”，文件中为“{document}”，已按填写的保存；请确认",
        "The {field_en} given is “{stated}”, the document says “{document}”; the given one is kept",
        "meta",
    ),
    Rule(
        "T3-UNREAD",
        Severity.ERROR,
        "表三已读出",
        "Table 3 was read",
        "表三的全部数字",
        "表三未能读取：{cells} 个数中只读出 {read} 个（找到 {rows} 行，共 {total_rows} 行）；"
        "请核对上传的文件，或改传 Word 原件、JSON",
        "Table 3 could not be read: {read} of {cells} figures ({rows} of {total_rows} rows found)",
        "unread",
    ),
)

RULES = RULES + NARRATIVE_RULES + META_RULES

RULES_BY_ID = {rule.id: rule for rule in RULES}

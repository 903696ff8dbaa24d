"""The rules beyond the tables' figures: the narrative against the tables, the report's parts,
its publication date and text copied from the year before (app.rules.statements,
app.rules.narrative), and what a document must name to be stored (app.rules.meta)."""

from __future__ import annotations

from app.draft import Severity
from app.rules.rule import Rule

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
        hints={
            "with_carried": "正文数字等于本年新收加上年结转之和：若正文所说包含上年结转，请写明“含上年结转”"
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
        case_severity={"unsure": Severity.INFO},
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

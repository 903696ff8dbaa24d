"""The words by which the parser recognises sections and rows: data, matched fuzzily and in order.

Each row lists the distinctive words of its label (without numbering, which documents vary);
the first is the preferred one. Variants seen in real reports are listed beside them.
"""

from __future__ import annotations

SECTION_KEYS: dict[int, tuple[str, ...]] = {
    1: ("总体情况",),
    2: ("主动公开政府信息情况", "主动公开政府信息"),
    3: ("收到和处理政府信息公开申请情况", "收到和处理政府信息公开申请"),
    4: ("政府信息公开行政复议行政诉讼情况", "行政复议行政诉讼情况", "行政复议和行政诉讼情况"),
    5: ("存在的主要问题及改进情况", "存在的主要问题"),
    6: ("其他需要报告的事项",),
}
SECTION_NUMERALS = "一二三四五六"

TABLE2_KEYS: dict[str, tuple[str, ...]] = {
    "regulations": ("规章",),
    "normative_documents": ("行政规范性文件", "规范性文件"),
    "licensing": ("行政许可",),
    "other_management_services": ("其他对外管理服务事项", "其他对外管理服务"),
    "penalty": ("行政处罚",),
    "coercion": ("行政强制",),
    "fees": ("行政事业性收费",),
    "centralized_procurement": ("政府集中采购",),
}

TABLE3_KEYS: dict[str, tuple[str, ...]] = {
    "new_received": ("本年新收政府信息公开申请数量", "本年新收"),
    "carried_over": ("上年结转政府信息公开申请数量", "上年结转"),
    "result.disclosed": ("予以公开",),
    "result.partially_disclosed": ("部分公开", "区分处理的只计这一情形"),
    "result.withheld.state_secret": ("属于国家秘密", "国家秘密"),
    "result.withheld.prohibited_by_law": ("其他法律行政法规禁止公开",),
    "result.withheld.three_security_one_stability": ("危及三安全一稳定", "三安全一稳定"),
    "result.withheld.third_party_rights": ("保护第三方合法权益",),
    "result.withheld.internal_affairs": ("属于三类内部事务信息", "内部事务信息"),
    "result.withheld.process_info": ("属于四类过程性信息", "过程性信息"),
    "result.withheld.enforcement_file": ("属于行政执法案卷", "行政执法案卷"),
    "result.withheld.administrative_query": ("属于行政查询事项", "行政查询事项"),
    "result.unable.not_held": ("本机关不掌握相关政府信息", "不掌握相关政府信息"),
    "result.unable.needs_creation": ("没有现成信息需要另行制作", "需要另行制作"),
    "result.unable.unclear_after_correction": ("补正后申请内容仍不明确",),
    "result.not_processed.complaint": ("信访举报投诉类申请",),
    "result.not_processed.repeated": ("重复申请",),
    "result.not_processed.publication": ("要求提供公开出版物",),
    "result.not_processed.excessive": ("无正当理由大量反复申请", "大量反复申请"),
    "result.not_processed.confirm_or_reissue": ("要求行政机关确认或重新出具已获取信息", "重新出具已获取信息"),
    "result.other.no_correction": ("申请人无正当理由逾期不补正", "逾期不补正"),
    "result.other.unpaid_fee": ("申请人逾期未按收费通知要求缴纳费用", "未按收费通知要求缴纳费用"),
    "result.other.other": ("其他",),
    "result.other": ("其他处理",),
    "result.total": ("总计",),
    "carried_to_next_year": ("结转下年度继续办理", "结转下年度"),
}

# Words in table 二's header or rows that only the 2019 layout prints.
LAYOUT_2019_MARKERS = (
    "新制作数量",
    "新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "政府集中采购",
    "其他对外管理服务",
)

# Phrases that say a report sums a whole area rather than one body.
AREA_SCOPE_MARKERS = (
    "汇总",
    "年度报告的基础上",
    "全市政府信息公开工作年度报告",
    "全县政府信息公开工作年度报告",
)

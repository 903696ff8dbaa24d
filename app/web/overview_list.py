"""The overview's report list: its filters, read leniently from the page's form, and its orders."""

from __future__ import annotations

from dataclasses import dataclass

from app.rules.catalogue import RULES_BY_ID

STATES = {"submitted": "已提交", "returned": "退回整改", "resubmitted": "已重新提交", "accepted": "已通过"}
SEVERITIES = {"error": "错误", "warning": "警告", "info": "提示"}
ORDERS = {
    "newest": "最新上传在前",
    "errors": "错误多的在前",
    "organ": "按机关名称",
    "year": "按年度（新在前）",
    "published": "按发布日期（新在前）",
}
LIST_LIMIT = 200
_YES, _NO = {"1", "on", "true", "yes", "是"}, {"", "0", "off", "false", "no", "否"}


@dataclass
class ListFilters:
    """The report list's filters, read leniently: a value that cannot be used is said and ignored."""

    rule: str = ""
    severity: str = ""
    state: str = ""
    late: bool = False
    unplaced: bool = False
    order: str = "newest"

    @property
    def any(self) -> bool:
        return bool(self.rule or self.severity or self.state or self.late or self.unplaced)

    @classmethod
    def parse(
        cls, *, rule: str, severity: str, state: str, late: str, unplaced: str, sort: str, notes: list[str]
    ) -> ListFilters:
        found = cls()
        rule, severity, state, sort = (v.strip()[:40] for v in (rule, severity, state, sort))
        if rule.upper() in RULES_BY_ID:
            found.rule = rule.upper()
        elif rule:
            notes.append(f"规则“{rule}”不存在，已忽略（规则编号见 /api/v1/rules）")
        if severity in SEVERITIES:
            found.severity = severity
        elif severity:
            notes.append(f"严重程度“{severity}”无法识别，已忽略（可选：错误、警告、提示）")
        if state in STATES:
            found.state = state
        elif state:
            notes.append(f"审核状态“{state}”无法识别，已忽略")
        if sort in ORDERS:
            found.order = sort
        elif sort:
            notes.append(f"排序“{sort}”无法识别，已按最新上传在前排列")
        for name, value, word in (("late", late, "逾期"), ("unplaced", unplaced, "未定")):
            text = value.strip().lower()[:10]
            if text in _YES:
                setattr(found, name, True)
            elif text not in _NO:
                notes.append(f"“{word}”的取值“{value.strip()[:10]}”无法识别，已忽略")
        return found

"""The overview's report list: its filters, read leniently from the page's form, and its orders."""

from __future__ import annotations

from dataclasses import dataclass

from app.rules.catalogue import RULES_BY_ID
from app.services.corrections import STATE_NAMES

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
class ListQuery:
    """The report list's filters as the page's form sends them, every value as typed."""

    rule: str = ""
    severity: str = ""
    state: str = ""
    late: str = ""
    unplaced: str = ""
    sort: str = ""


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
    def parse(cls, query: ListQuery, notes: list[str]) -> ListFilters:
        found = cls()
        rule, severity, state, sort = (
            v.strip()[:40] for v in (query.rule, query.severity, query.state, query.sort)
        )
        # (the field, the value as a choice, the value as given, the choices, what an unknown one is said as)
        choices = (
            ("rule", rule.upper(), rule, RULES_BY_ID, "规则“{}”不存在，已忽略（规则编号见 /api/v1/rules）"),
            (
                "severity",
                severity,
                severity,
                SEVERITIES,
                "严重程度“{}”无法识别，已忽略（可选：错误、警告、提示）",
            ),
            ("state", state, state, STATE_NAMES, "审核状态“{}”无法识别，已忽略"),
            ("order", sort, sort, ORDERS, "排序“{}”无法识别，已按最新上传在前排列"),
        )
        for name, choice, given, known, unknown in choices:
            if choice in known:
                setattr(found, name, choice)
            elif given:
                notes.append(unknown.format(given))
        for name, value, word in (("late", query.late, "逾期"), ("unplaced", query.unplaced, "未定")):
            text = value.strip().lower()[:10]
            if text in _YES:
                setattr(found, name, True)
            elif text not in _NO:
                notes.append(f"“{word}”的取值“{value.strip()[:10]}”无法识别，已忽略")
        return found

"""Errors the caller made, each with an HTTP status, a stable code and a Chinese detail."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ProblemError(Exception):
    status: int
    code: str
    detail: str  # zh, tells the caller what to do
    errors: list[dict] = field(default_factory=list)  # per-path details, e.g. for invalid JSON
    retry_after: int | None = None  # seconds, for 503 when the service is busy
    headers: dict[str, str] = field(default_factory=dict)  # e.g. Retry-After, WWW-Authenticate
    report: dict | None = None  # what was read when the report cannot be stored: figures and findings

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.detail}"


def not_found(what: str) -> ProblemError:
    return ProblemError(404, "not_found", f"未找到{what}")


# What pydantic says of a wrong field, in the Chinese a clerk reads (its own words are English).
_FIELD_MESSAGES = {
    "missing": "缺少此项",
    "extra_forbidden": "未知的字段",
    "string_type": "应为文本",
    "string_too_short": "不能为空",
    "string_too_long": "不能超过 {max_length} 个字符",
    "string_pattern_mismatch": "格式不对",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "greater_than_equal": "应不小于 {ge}",
    "less_than_equal": "应不大于 {le}",
    "greater_than": "应大于 {gt}",
    "less_than": "应小于 {lt}",
    "enum": "应为 {expected} 之一",
    "literal_error": "应为 {expected} 之一",
    "date_type": "应为日期，如 2025-01-20",
    "date_parsing": "应为日期，如 2025-01-20",
    "date_from_datetime_parsing": "应为日期，如 2025-01-20",
    "date_from_datetime_inexact": "应为日期，不含时刻",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为 JSON 数组",
}


def field_message(error: dict) -> str:
    """One pydantic validation error in Chinese; its context (bounds, choices) filled in."""
    template = _FIELD_MESSAGES.get(str(error.get("type")), "取值无效")
    context = {
        k: str(v).replace("'", "").replace(" or ", "、").replace(", ", "、")
        for k, v in (error.get("ctx") or {}).items()
    }
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return template.split("{")[0].rstrip("的 ") or "取值无效"

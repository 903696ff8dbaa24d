"""Errors the caller made, each with an HTTP status, a stable code and a Chinese detail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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


@dataclass(frozen=True)
class Problem:
    """One kind of problem in the catalogue: its status, its stable code, and the Chinese detail
    given when the place that raises it has nothing more precise to say."""

    status: int
    code: str
    detail: str = ""

    def __call__(
        self, detail: str | None = None, errors: list[dict] | None = None, **extra: Any
    ) -> ProblemError:
        """This problem as an error to raise, with the place's own detail where it gives one."""
        return ProblemError(
            self.status,
            self.code,
            self.detail if detail is None else detail,
            [] if errors is None else errors,
            **extra,
        )


# ---- the catalogue: what reading a file or a request can refuse ---------------------------------

# the file
EMPTY_FILE = Problem(422, "empty_file", "上传的文件是空的，请选择正确的年度报告文件")
UNSUPPORTED_TYPE = Problem(
    415,
    "unsupported_type",
    "无法识别的文件类型：请上传 PDF、Word（.docx）、网页（HTML）、文本或 JSON 格式的年度报告",
)
UNREADABLE_FILE = Problem(422, "unreadable_file", "文件无法读取，可能已损坏：请重新导出 PDF 或 Word 后上传")
UNREADABLE_PDF = Problem(422, "unreadable_pdf", "PDF 文件已损坏或加密，无法读取")
UNREADABLE_IMAGE = Problem(422, "unreadable_image", "图片已损坏或格式不受支持，请上传 JPEG 或 PNG")
PDF_ENCRYPTED = Problem(
    422, "pdf_encrypted", "PDF 已加密，无法读取：请导出不设打开密码、不限制复制的 PDF 后重新上传"
)
NO_TEXT_LAYER = Problem(
    422, "no_text_layer", "PDF 中没有可读取的文字：请上传由 Word/WPS 直接导出的 PDF 或 .docx 文件"
)
NOT_A_REPORT = Problem(422, "not_a_report", "请确认上传的是政府信息公开工作年度报告")
TOO_LARGE = Problem(413, "too_large", "文件过大，请压缩或拆分后再上传")
TOO_MANY_PAGES = Problem(413, "too_many_pages", "页数过多，请只上传年度报告本身")
IMAGE_TOO_LARGE = Problem(413, "image_too_large", "图片像素过多，请缩小到 6000 万像素以内后再上传")
FILE_TOO_COMPLEX = Problem(
    413, "file_too_complex", "文件过大或结构过于复杂，超出了读取所允许的内存：请拆分或重新导出后上传"
)
EXTRACTION_TIMEOUT = Problem(
    422, "extraction_timeout", "读取文件超时：文件可能已损坏或过于复杂，请重新导出后上传"
)
OCR_TIMEOUT = Problem(422, "ocr_timeout", "文字识别超时，请上传带文字层的原件")
BUSY = Problem(503, "busy", "正在读取的文件较多，请稍后重试")
# a JSON report
INVALID_JSON = Problem(422, "invalid_json", "JSON 格式有误，无法解析")
JSON_TOO_DEEP = Problem(422, "json_too_deep", "JSON 嵌套过深，不是年度报告的结构")
INVALID_REPORT = Problem(422, "invalid_report", "年度报告有误，请按 errors 逐项改正")
# the request
UNSUPPORTED_MEDIA_TYPE = Problem(415, "unsupported_media_type", "不支持的请求内容类型")
MISSING_FILE = Problem(422, "missing_file", "请在表单字段 file 中上传文件")
INVALID_REQUEST = Problem(422, "invalid_request", "请求参数有误，请按 errors 改正")
INVALID_ORGAN = Problem(422, "invalid_organ", "机关名称有误")
INVALID_REGION = Problem(422, "invalid_region", "region_code 应为 6 位或 12 位行政区划代码，如 659005")
INVALID_YEAR = Problem(422, "invalid_year", "year 应为报告年度，如 2024")
INVALID_DATE = Problem(422, "invalid_date", "published_on 应为发布日期，格式如 2025-01-20")
BAD_REQUEST = Problem(400, "bad_request", "请求有误")
FORBIDDEN = Problem(403, "forbidden", "没有权限")
NOT_FOUND = Problem(404, "not_found", "未找到")
NOT_LATEST = Problem(409, "not_latest", "已有更新的版本，请在最新版本上操作")
# the pages' forms
INVALID_FORM = Problem(422, "invalid_form", "表单有误")
EMPTY_FORM = Problem(422, "empty_form", "请选择文件")
NO_CHANGE = Problem(422, "no_change", "没有改动任何数字")
CSRF_REFUSED = Problem(403, "csrf", "表单已失效或来源不明，请刷新页面后重新提交")
WEAK_PASSWORD = Problem(422, "weak_password", "密码不符合要求")
PASSWORD_CHANGE_REQUIRED = Problem(403, "password_change_required", "请先在 /password 页面修改初始密码")


def not_found(what: str) -> ProblemError:
    return NOT_FOUND(f"未找到{what}")


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

"""The OpenAPI document, as integrators generate clients from it.

FastAPI builds the paths from the routes; this adds what it cannot know: problem+json for every
error, how to sign a request, Idempotency-Key, the tags in the order the README tells them, the
/gov/v1 twins. Every operation's id is set on its route (`operation_id="listReports"`): ids
become function names in generated clients, so they are short, camelCase and never change.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import core_schema

from app import envelope
from app.draft import Scope
from app.extract.json_report import ReportMeta
from app.layout import Format
from app.models.aggregates import AggregateScope, GroupBy
from app.models.regions import RegionLevel, Tree
from app.routes.access import PUBLIC_PATHS

TAGS = [
    {
        "name": "reports",
        "description": "报告：以 JSON 或发布的文件提交（或一次一个 JSON 数组），只校验，读取、列表、勾稽问题",
    },
    {
        "name": "batches",
        "description": "多个文件或一个 ZIP，交由工作进程读取；进度与每个文件的结果",
    },
    {"name": "review", "description": "审核：问题的说明与认可、改正数字（新版本）、退回整改与通过、操作记录"},
    {"name": "rules", "description": "勾稽规则目录"},
    {"name": "regions", "description": "地区：统计用区划树与兵团树，由机关名称定位地区"},
    {"name": "registry", "description": "名录：应公开的机关，导入、修改、合并拆分、按地区列出"},
    {"name": "aggregates", "description": "汇总：按地区、年度求和，公开情况名单；各有 JSON、CSV、XLSX"},
    {"name": "health", "description": "存活、就绪与 Prometheus 指标（无需密钥）"},
    {
        "name": "platform envelope",
        "description": "/gov/v1：与 /api/v1 相同的请求，应答为 HTTP 200 + {code, msg, data}",
    },
]

SERVERS = [
    {"url": "/", "description": "提供本文档的服务"},
    {"url": "http://127.0.0.1:8000", "description": "本机（scripts/serve）"},
]

SIGNING = """appKey 签名（政务服务平台等无人值守的调用方）。四个请求头一起发送：

- `X-App-Key`：appKey（`nianbao keys create --app` 给出的密钥前缀）
- `X-Timestamp`：Unix 时间戳（秒，十进制整数），与服务器时钟相差不得超过 300 秒
  （`NIANBAO_SIGNATURE_WINDOW_SECONDS`）
- `X-Nonce`：8–64 个字符，每个请求新取；同一 appKey 的同一 nonce 在时间窗内只接受一次
- `X-Signature`：`hex(HMAC-SHA256(key=签名密钥, message=签名串))`，小写十六进制；
  签名密钥按 UTF-8 编码作为 HMAC 的键

签名串是下列六行以 `\\n` 连接（最后一行后面没有换行），按 UTF-8 编码：

1. 请求方法，大写，如 `POST`
2. 路径，与请求行中发送的完全一致（保留百分号编码，不含 `?` 与查询串），如 `/api/v1/reports`、
   `/gov/v1/reports`
3. 排序后的查询串：把查询串解码为名称、值对（`+` 为空格，保留空值），按名称、再按值排序（Unicode
   码位），再以 `application/x-www-form-urlencoded` 编码（空格为 `+`，除 `A–Z a–z 0–9 - _ . ~`
   外的字节按 UTF-8 写作大写 `%XX`），以 `&` 连接；没有查询串时为空行。Python：
   `urlencode(sorted(parse_qsl(query, keep_blank_values=True)))`
4. `X-Timestamp` 的值
5. `X-Nonce` 的值
6. 请求体（照发送的字节，multipart 亦然）的 SHA-256，小写十六进制；没有请求体时为空串的
   SHA-256 `e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`

签名无效、时间超出窗口、nonce 重复或 appKey 已吊销：401 `unauthorized`。
同时带 `Authorization` 时只检查 `Authorization`。"""

BEARER = (
    "API 密钥：`Authorization: Bearer nb_<前缀>_<密钥>`（`nianbao keys create` 只显示一次）。"
    "权限：GET 需 read，其余需 submit，/api/v1/keys 需 admin。"
    "服务以 NIANBAO_AUTH=auto 运行且尚无任何密钥时，本机调用方无需密钥。"
)

SECURITY_SCHEMES: dict[str, dict] = {
    "bearerKey": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "nb_<prefix>_<secret>",
        "description": BEARER,
    },
    "appKey": {"type": "apiKey", "in": "header", "name": "X-App-Key", "description": SIGNING},
    "appTimestamp": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Timestamp",
        "description": "Unix 时间戳（秒），与服务器时钟相差不超过 300 秒；见 appKey",
    },
    "appNonce": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Nonce",
        "description": "8–64 个字符，每个请求新取；见 appKey",
    },
    "appSignature": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Signature",
        "description": "签名串的 HMAC-SHA256，小写十六进制；见 appKey",
    },
}
# Either a bearer key, or all four appKey headers together.
SECURITY: list[dict[str, list[str]]] = [
    {"bearerKey": []},
    {"appKey": [], "appTimestamp": [], "appNonce": [], "appSignature": []},
]

# Every enum in the contract, named: generators take the member names (`x-enum-varnames`) for
# constants, instead of VALUE_0 for "2021" or "本机关".
ENUMS: tuple[type[StrEnum], ...] = (Format, Scope, Tree, RegionLevel, GroupBy, AggregateScope)

_ACCESS_PROBLEMS = {
    "401": "缺少或无效的 API 密钥 / appKey 签名",
    "403": "没有所需权限，或报告的机关不在调用者的地区范围内（out_of_scope）",
}
_CONFLICT = "同一 Idempotency-Key 的请求仍在处理，或同一报告正被同时提交（conflict）：按 Retry-After 重试"
_BUSY = "busy：提交过多、数据库繁忙或连接中断，按 Retry-After 重试"
_RETRY_AFTER = {"description": "几秒后重试", "schema": {"type": "integer"}}
_PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


class RequestSchema(GenerateJsonSchema):
    """A request model's schema without defaults: generators (openapi-typescript) read a field
    with a default, `null` or `""` alike, as one the caller must send."""

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> dict[str, Any]:
        json_schema = super().default_schema(schema)
        json_schema.pop("default", None)
        return json_schema


def build(app: FastAPI) -> dict:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=TAGS,
        servers=SERVERS,
    )
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    report_schema = ReportMeta.model_json_schema(
        ref_template="#/components/schemas/{model}", schema_generator=RequestSchema
    )
    schemas.update(report_schema.pop("$defs", {}))
    schemas["ReportMeta"] = report_schema
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for enum in ENUMS:
        schemas[enum.__name__]["x-enum-varnames"] = [member.name for member in enum]
    components["securitySchemes"] = SECURITY_SCHEMES
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            _problems_only(operation)
            _access(path, operation)
            if method == "post":
                _idempotency(operation)
            if path.startswith("/api/"):
                _busy(operation)
    envelope.add_to_openapi(schema)
    return schema


def _problems_only(operation: dict) -> None:
    """Every error is a problem+json here, 422 included, not FastAPI's default validation body."""
    responses = operation.get("responses", {})
    for status in list(responses):
        if status.isdigit() and int(status) >= 400:
            description = responses[status].get("description", "")
            responses[status] = {"description": description, "content": _PROBLEM_CONTENT}


def _access(path: str, operation: dict) -> None:
    if path in PUBLIC_PATHS:
        operation.pop("security", None)
        return
    operation["security"] = SECURITY
    responses = operation.setdefault("responses", {})
    for status, description in _ACCESS_PROBLEMS.items():
        responses.setdefault(status, {"description": description, "content": _PROBLEM_CONTENT})


def _idempotency(operation: dict) -> None:
    operation.setdefault("parameters", []).append(
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": "同一键与同一请求只执行一次；重放原应答。键被另一请求使用 → 422；仍在处理 → 409",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
        }
    )
    responses = operation["responses"]
    for status, description in (("409", _CONFLICT), ("413", "请求体过大")):
        responses.setdefault(status, {"description": description, "content": _PROBLEM_CONTENT})
    responses["409"]["headers"] = {"Retry-After": _RETRY_AFTER}


def _busy(operation: dict) -> None:
    responses = operation.setdefault("responses", {})
    responses.setdefault("503", {"description": _BUSY, "content": _PROBLEM_CONTENT})
    responses["503"]["headers"] = {"Retry-After": _RETRY_AFTER}

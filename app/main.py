"""The application: routers, one problem+json envelope for every error."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import ProblemError
from app.extract.json_report import ReportMeta
from app.routes import aggregates, meta, regions, reports

log = logging.getLogger("nianbao")

_STATUS_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}
_STATUS_DETAILS = {
    400: "请求有误",
    404: "未找到请求的资源",
    405: "不支持该请求方法",
    413: "请求体过大",
    415: "不支持的内容类型",
}


def problem(
    status: int, code: str, detail: str, errors: list[dict] | None = None, retry_after: int | None = None
) -> JSONResponse:
    body: dict = {"type": "about:blank", "title": code, "status": status, "code": code, "detail": detail}
    if errors:
        body["errors"] = errors
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


async def _problem_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem(exc.status, exc.code, exc.detail, exc.errors, exc.retry_after)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"path": ".".join(str(p) for p in err["loc"]), "message": err["msg"]} for err in exc.errors()]
    return problem(422, "invalid_request", "请求参数有误，请按 errors 改正", errors)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    return problem(exc.status_code, code, _STATUS_DETAILS.get(exc.status_code, "请求无法处理"))


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return problem(500, "internal_error", "服务内部错误，已记录，请稍后重试")


def _openapi(app: FastAPI) -> dict:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    report_schema = ReportMeta.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(report_schema.pop("$defs", {}))
    components["ReportMeta"] = report_schema
    # Every 422 is a problem+json here, not FastAPI's default validation body.
    problem_response = {
        "description": "问题详情（problem+json）",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for operations in schema["paths"].values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            for status in list(responses):
                if status.isdigit() and int(status) >= 400:
                    responses[status] = {
                        **problem_response,
                        "description": responses[status].get("description", ""),
                    }
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    app.openapi_schema = schema
    return schema


def create_app() -> FastAPI:
    app = FastAPI(
        title="Nianbao",
        version="0.1.0",
        description="政府信息公开工作年度报告：读取、勾稽校验、存储与汇总。",
    )
    app.include_router(reports.router)
    app.include_router(meta.router)
    app.include_router(regions.router)
    app.include_router(aggregates.router)
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


app = create_app()

"""The application: routers, one problem+json envelope for every error."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Match, Route

from app import contract, db, envelope, sessions
from app.body import RequestBody
from app.config import get_settings
from app.db import get_engine
from app.errors import INVALID_REQUEST, ProblemError, field_message
from app.extract import worker
from app.middleware import Admission, IdempotencyRecorder, RequestContext
from app.routes import aggregates, batches, bodies, exports, meta, ops, people, regions, reports
from app.routes.access import LoginRequired, authenticate
from app.routes.idempotency import hold_idempotency_key
from app.services import idempotency, jobs, telemetry
from app.services.regions import resolver
from app.web import routes as web

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
    status: int,
    code: str,
    detail: str,
    errors: list[dict] | None = None,
    retry_after: int | None = None,
    headers: dict[str, str] | None = None,
    report: dict | None = None,
) -> JSONResponse:
    body: dict = {"type": "about:blank", "title": code, "status": status, "code": code, "detail": detail}
    if errors:
        body["errors"] = errors
    if report is not None:
        body["report"] = report
    headers = {**(headers or {}), **({"Retry-After": str(retry_after)} if retry_after else {})}
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


async def _problem_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    if web.is_page(request):
        return web.error_page(request, exc)
    if exc.code == "busy":  # every file-reading slot stayed taken
        telemetry.BUSY.labels("extraction").inc()
    return problem(exc.status, exc.code, exc.detail, exc.errors, exc.retry_after, exc.headers, exc.report)


async def _replay(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, idempotency.Replay)
    stored = exc.stored
    headers = {"Idempotent-Replayed": "true"}
    return Response(stored.body, status_code=stored.status, media_type=stored.media_type, headers=headers)


async def _login_required(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(f"{exc.to}?{urlencode({'next': exc.target})}", status_code=303)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if web.is_page(request):
        problem_ = INVALID_REQUEST("网址中的参数有误，请检查后重试")
        return web.error_page(request, problem_, list(exc.errors()))
    errors = [
        {"path": ".".join(str(p) for p in err["loc"]), "message": field_message(err)} for err in exc.errors()
    ]
    return problem(422, "invalid_request", "请求参数有误，请按 errors 改正", errors)


def _allowed(request: Request) -> str:
    """Every method the path answers to: Starlette's 405 names only the first route it matched."""
    methods: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, Route) and route.methods and route.matches(request.scope)[0] != Match.NONE:
            methods |= route.methods
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    detail = _STATUS_DETAILS.get(exc.status_code, "请求无法处理")
    if web.is_page(request) and exc.status_code in (404, 422):
        return web.error_page(request, ProblemError(exc.status_code, code, detail))
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed(request)
    return problem(exc.status_code, code, detail, headers=headers)


async def _database_busy(request: Request, exc: Exception) -> JSONResponse:
    """The database stayed locked (SQLite), the pool had no connection past its wait, or the
    connection was lost (a PostgreSQL backend terminated): the service cannot answer for now,
    which a caller should retry, not a fault."""
    assert isinstance(exc, DBAPIError | PoolTimeout)
    locked = isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)
    if isinstance(exc, DBAPIError) and not locked and not db.connection_lost(exc):
        return await _unexpected(request, exc)
    log.warning("database busy", extra={"fields": {"error": str(exc).splitlines()[0][:200]}})
    telemetry.BUSY.labels("database").inc()
    retry_after = get_settings().busy_retry_after_seconds
    return problem(503, "busy", "当前提交较多，请稍后重试", retry_after=retry_after)


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return problem(500, "internal_error", "服务内部错误，已记录，请稍后重试")


def _openapi(app: FastAPI) -> dict:
    if not app.openapi_schema:
        app.openapi_schema = contract.build(app)
    return app.openapi_schema


@asynccontextmanager
async def _lifespan(_: FastAPI) -> AsyncIterator[None]:
    """The long-lived tables built before the first request; batch workers when asked for."""
    settings = get_settings()
    telemetry.configure_logging(json_logs=settings.log_json, level=settings.log_level)
    # the threads that run handlers, as many as the connection pool was sized for
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
    resolver()  # the gazetteer and its name index
    # the extraction children started in the background: the first uploads find them warm
    threading.Thread(target=worker.warm, name="warm-extraction", daemon=True).start()
    # Everything built so far lives as long as the process: the collector need not walk it again
    # on every full collection (a bulk request allocates hundreds of thousands of objects).
    gc.freeze()
    running = (
        jobs.start_threads(engine=get_engine(), count=settings.worker_threads)
        if settings.worker_threads
        else None
    )
    yield
    if running is not None:
        running[0].set()


def _docs_behind_access(app: FastAPI) -> None:
    """/openapi.json, /docs and /redoc as routes of the application, so they need a `read` key
    like every other route (setting public_docs=false)."""

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_document() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} - Swagger UI")

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url="/openapi.json", title=f"{app.title} - ReDoc")


def create_app() -> FastAPI:
    settings = get_settings()
    public_docs = settings.public_docs
    app = FastAPI(
        title="Nianbao",
        version="0.1.0",
        description="政府信息公开工作年度报告：读取、勾稽校验、存储与汇总。",
        # Who is calling, from the headers alone; then an Idempotency-Key, for that caller only.
        dependencies=[Depends(authenticate), Depends(hold_idempotency_key)],
        lifespan=_lifespan,
        openapi_url="/openapi.json" if public_docs else None,
        docs_url="/docs" if public_docs else None,
        redoc_url="/redoc" if public_docs else None,
    )
    if not public_docs:
        _docs_behind_access(app)
    app.include_router(reports.router)
    app.include_router(exports.router)
    app.include_router(batches.router)
    app.include_router(people.router)
    app.include_router(meta.router)
    app.include_router(regions.router)
    app.include_router(aggregates.router)
    app.include_router(bodies.router)
    app.include_router(ops.router)
    # Outermost last: request id and metrics around everything, then the envelope, the bound on
    # submissions at once, each route's body cap, the keeper of Idempotency-Key answers, and a
    # person's signed session cookie closest to the routes.
    app.add_middleware(
        SessionMiddleware,
        secret_key=sessions.secret_key(),
        session_cookie=sessions.COOKIE,
        max_age=settings.session_max_age_seconds,
        same_site="lax",
    )
    app.add_middleware(sessions.SecureCookieOverHttps)
    app.add_middleware(IdempotencyRecorder)
    app.add_middleware(RequestBody)
    app.add_middleware(
        Admission,
        limit=settings.max_pending_submissions,
        retry_after=settings.busy_retry_after_seconds,
        max_body=settings.max_request_bytes,
    )
    app.add_middleware(envelope.GovEnvelope)
    app.add_middleware(RequestContext)
    web.install(app)
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(idempotency.Replay, _replay)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_busy)
    app.add_exception_handler(PoolTimeout, _database_busy)
    app.add_exception_handler(Exception, _unexpected)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


app = create_app()

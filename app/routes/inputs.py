"""Reading a report from the request: a JSON body or a multipart `file`, within the size caps."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from fastapi import Request

from app.config import get_settings
from app.errors import (
    INVALID_DATE,
    INVALID_JSON,
    INVALID_ORGAN,
    INVALID_REGION,
    INVALID_YEAR,
    MISSING_FILE,
    TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    ProblemError,
)
from app.routes.forms import read_form
from app.services.intake import Stated


@dataclass
class RawInput:
    data: bytes
    filename: str | None
    is_json_body: bool
    stated: Stated = field(default_factory=Stated)  # form fields beside an uploaded file


def _too_large(limit: int) -> ProblemError:
    return TOO_LARGE(f"文件超过 {limit // (1024 * 1024)} MB 的上限，请压缩或拆分后再上传")


def _refuse_declared_over(request: Request, body_limit: int, limit: int) -> None:
    """413 before reading anything when the declared length is already over the cap."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > body_limit:
        raise _too_large(limit)


async def _read_capped(request: Request, limit: int) -> bytes:
    _refuse_declared_over(request, limit, limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


MAX_ORGAN = 200
_REGION_CODE = re.compile(r"^\d{6}(\d{6})?$")


def _field(form, name: str) -> str | None:
    value = form.get(name)
    return value.strip() or None if isinstance(value, str) else None


def stated_fields(form) -> Stated:
    """The optional fields beside `file`: 机关 organ, 年度 year, 地区 region_code, 发布日期 published_on."""
    stated = Stated(organ=_field(form, "organ"), region_code=_field(form, "region_code"))
    if stated.organ is not None and len(stated.organ) > MAX_ORGAN:
        raise INVALID_ORGAN(f"机关名称不应超过 {MAX_ORGAN} 个字")
    if stated.region_code is not None and not _REGION_CODE.match(stated.region_code):
        raise INVALID_REGION()
    year = _field(form, "year")
    if year is not None:
        if not (year.isdigit() and 1990 <= int(year) <= 2100):
            raise INVALID_YEAR()
        stated.year = int(year)
    published = _field(form, "published_on")
    if published is not None:
        try:
            stated.published_on = date.fromisoformat(published)
        except ValueError:
            raise INVALID_DATE() from None
    return stated


async def read_report_input(request: Request) -> RawInput:
    """The body as bytes: JSON as it came, or the `file` part of a multipart form."""
    settings = get_settings()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        # the form's boundaries and other fields may add a little to the file's own size
        _refuse_declared_over(request, settings.max_upload_bytes + 64 * 1024, settings.max_upload_bytes)
        # `file` is the file even when the client sent it without a filename
        form = await read_form(
            request,
            file_fields=frozenset({"file"}),
            file_limit=settings.max_upload_bytes,
            too_large=_too_large(settings.max_upload_bytes),
            max_files=1,
            max_fields=10,
        )
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise MISSING_FILE("请在表单字段 file 中上传年度报告文件")
        data = await upload.read()
        return RawInput(data, upload.filename, is_json_body=False, stated=stated_fields(form))
    if content_type in ("application/json", ""):
        data = await _read_capped(request, settings.max_json_bytes)
        return RawInput(data, None, is_json_body=True)
    raise UNSUPPORTED_MEDIA_TYPE(
        "请以 application/json 提交结构化报告，或以 multipart/form-data 的 file 字段上传文件",
    )


async def read_bulk_input(request: Request) -> bytes:
    """A JSON array of reports, as it came, within the batch size cap."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("application/json", ""):
        raise UNSUPPORTED_MEDIA_TYPE("请以 application/json 提交年度报告的 JSON 数组")
    limit = get_settings().max_bulk_bytes
    try:
        return await _read_capped(request, limit)
    except ProblemError as exc:
        exc.detail = f"请求体超过 {limit // (1024 * 1024)} MB 的上限，请分批提交"
        raise


async def read_json_object(request: Request) -> dict:
    """A small JSON object body, numbers kept exact (money as decimals), within the JSON cap."""
    from app.extract.json_report import load_json

    settings = get_settings()
    data = await _read_capped(request, settings.max_json_bytes)
    decoded = load_json(data, settings.max_json_depth)
    if not isinstance(decoded, dict):
        raise INVALID_JSON("请求体须为 JSON 对象")
    return decoded


_REGISTRY_TYPES = {
    "application/json": "json",
    "text/csv": "csv",
    "application/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


async def read_registry_input(request: Request) -> tuple[bytes, str]:
    """(bytes, csv | xlsx | json): a multipart `file`, or the body sent as CSV, XLSX or JSON."""
    from app.extract.registry import sniff

    settings = get_settings()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        _refuse_declared_over(request, settings.max_upload_bytes + 64 * 1024, settings.max_upload_bytes)
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise MISSING_FILE("请在表单字段 file 中上传名录（CSV、XLSX 或 JSON）")
        data = await upload.read()
        if len(data) > settings.max_upload_bytes:
            raise _too_large(settings.max_upload_bytes)
        return data, sniff(data, upload.filename, upload.content_type)
    if content_type in _REGISTRY_TYPES:
        data = await _read_capped(request, settings.max_upload_bytes)
        return data, _REGISTRY_TYPES[content_type] if content_type != "application/csv" else "csv"
    raise UNSUPPORTED_MEDIA_TYPE(
        "名录请以 text/csv、XLSX 或 application/json 提交，或以 multipart/form-data 的 file 字段上传",
    )

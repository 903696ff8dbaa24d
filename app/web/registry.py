"""The registry page: upload a 名录, list its bodies, change whether one must publish."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from app import sessions
from app.config import get_settings
from app.errors import EMPTY_FORM, INVALID_FORM, TOO_LARGE, ProblemError
from app.extract.registry import sniff


@dataclass
class RegistryForm:
    data: bytes = b""
    fmt: str = "csv"
    problem: ProblemError | None = None


async def read_registry_form(request: Request) -> RegistryForm:
    """The uploaded file; a missing or oversized one is a problem shown on the page."""
    settings = get_settings()
    declared = request.headers.get("content-length")
    too_large = TOO_LARGE(f"文件超过 {settings.max_upload_bytes // (1024 * 1024)} MB 的上限")
    if declared and declared.isdigit() and int(declared) > settings.max_upload_bytes + 64 * 1024:
        return RegistryForm(problem=too_large)
    try:
        form = await request.form(max_files=1, max_fields=5)
    except MultiPartException:
        return RegistryForm(problem=INVALID_FORM("表单无法读取"))
    sessions.verify_csrf(request, form.get(sessions.CSRF_FIELD))
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read()
        if len(data) > settings.max_upload_bytes:
            return RegistryForm(problem=too_large)
        if data:
            return RegistryForm(data, sniff(data, upload.filename, upload.content_type))
    return RegistryForm(problem=EMPTY_FORM("请选择名录文件（CSV、XLSX 或 JSON）"))


async def _field(request: Request, name: str) -> list[str]:
    """A field of one of the registry's small forms (a button's), its token checked; nothing when
    the form cannot be read."""
    try:
        form = await request.form(max_files=0, max_fields=5)
    except MultiPartException:
        return []
    sessions.verify_csrf(request, form.get(sessions.CSRF_FIELD))
    return [v.strip() for v in form.getlist(name) if isinstance(v, str)]


async def read_must_publish(request: Request) -> bool:
    try:
        form = await request.form(max_files=0, max_fields=5)
    except MultiPartException:
        return True
    sessions.verify_csrf(request, form.get(sessions.CSRF_FIELD))
    return form.get("must_publish") == "1"


async def read_region_code(request: Request) -> str:
    """The region chosen on a report's page: the candidate's button, else the code typed."""
    values = [v for v in await _field(request, "region_code") if v]
    return values[0][:20] if values else ""


async def read_merge_into(request: Request) -> int:
    """The body chosen to merge into (its number); 0 when none was given or it is no number."""
    text = (await _field(request, "into") or [""])[0]
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 2**31 else 0


async def read_split_alias(request: Request) -> str:
    """The alias to make a body of its own."""
    return (await _field(request, "alias") or [""])[0][:200]

"""The check page's form: a chosen or dropped file, or pasted text, within the size caps."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from app import sessions
from app.config import get_settings
from app.errors import EMPTY_FORM, INVALID_FORM, TOO_LARGE, ProblemError
from app.routes.inputs import stated_fields
from app.services.intake import Stated


@dataclass
class CheckForm:
    data: bytes = b""
    filename: str | None = None
    text: str = ""  # what was pasted, shown again when the page comes back without script
    action: str = "check"  # check | save | export (the 核对意见 as a file, nothing saved)
    format: str = "docx"  # of the 核对意见: docx | xlsx | pdf
    problem: ProblemError | None = None  # the form itself was wrong: shown on the page
    stated: Stated = field(default_factory=Stated)  # 机关, 年度, 地区, 发布日期 as the clerk gave them
    csrf: str | None = None  # the session's form token, as the form sent it


async def text_form(request: Request, *, max_fields: int) -> dict[str, str]:
    """An urlencoded form of the pages, its CSRF token checked: only text fields, each short."""
    form = await request.form(max_files=0, max_fields=max_fields, max_part_size=64 * 1024)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    sessions.verify_csrf(request, fields.get(sessions.CSRF_FIELD))
    return fields


def _too_large(limit: int) -> ProblemError:
    return TOO_LARGE(f"文件超过 {limit // (1024 * 1024)} MB 的上限，请压缩或拆分后再上传")


async def read_check_form(request: Request) -> CheckForm:
    """The file wins over pasted text; an empty form is a problem to show, not an exception."""
    settings = get_settings()
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.max_upload_bytes + 64 * 1024:
        return CheckForm(problem=_too_large(settings.max_upload_bytes))
    try:
        form = await request.form(max_files=1, max_fields=16, max_part_size=settings.max_json_bytes)
    except MultiPartException:
        return CheckForm(problem=INVALID_FORM("表单无法读取：粘贴的内容过长或表单不完整"))
    action = form.get("action")
    action = action if action in ("save", "export") else "check"
    fmt = form.get("format")
    fmt = fmt if fmt in ("docx", "xlsx", "pdf") else "docx"
    csrf = form.get("csrf_token")
    csrf = csrf if isinstance(csrf, str) else None
    try:
        stated = stated_fields(form)
    except ProblemError as problem:
        return CheckForm(action=action, problem=problem, csrf=csrf)
    text = form.get("text")
    text = text if isinstance(text, str) else ""
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read()
        if len(data) > settings.max_upload_bytes:
            return CheckForm(
                text=text, action=action, problem=_too_large(settings.max_upload_bytes), csrf=csrf
            )
        if data:
            return CheckForm(data, upload.filename, text, action, fmt, stated=stated, csrf=csrf)
    if text.strip():
        return CheckForm(text.encode("utf-8"), None, text, action, fmt, stated=stated, csrf=csrf)
    return CheckForm(
        text=text,
        action=action,
        csrf=csrf,
        problem=EMPTY_FORM("请选择或拖入一份年度报告文件，或在文本框中粘贴报告内容"),
    )

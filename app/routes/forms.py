"""Multipart forms whose file parts are files whether or not the client gave them a filename.

Starlette reads a part without `filename` as a text field, and some clients (generated ones
among them) send a file that way: the bytes would be decoded as text, or refused. Here the parts
named as file fields are kept as bytes either way; python-multipart does the parsing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from fastapi import Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import FormData, Headers, UploadFile

from app.errors import BAD_REQUEST, ProblemError

FIELD_LIMIT = 64 * 1024  # a text field: a date, a body's name


@dataclass
class _Part:
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    name: str = ""
    filename: str | None = None
    is_file: bool = False
    chunks: list[bytes] = field(default_factory=list)  # joined once at the end
    size: int = 0


def _text(raw: bytes) -> str:
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _bad_form(detail: str) -> ProblemError:
    return BAD_REQUEST(detail)


async def read_form(
    request: Request,
    *,
    file_fields: frozenset[str],
    file_limit: int,
    too_large: ProblemError,
    max_files: int,
    max_fields: int,
) -> FormData:
    """The form: parts named in `file_fields` (or that carry a filename) as UploadFile, the other
    parts as text. A file part over `file_limit` bytes raises `too_large` as soon as it is."""
    _, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if not boundary:
        raise _bad_form("multipart/form-data 缺少 boundary")
    parts: list[_Part] = []
    header = [b"", b""]

    def on_part_begin() -> None:
        parts.append(_Part())

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header[0] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header[1] += data[start:end]

    def on_header_end() -> None:
        parts[-1].headers.append((header[0].lower(), header[1]))
        header[:] = [b"", b""]

    def on_headers_finished() -> None:
        part = parts[-1]
        disposition = dict(part.headers).get(b"content-disposition", b"")
        _, params = parse_options_header(disposition)
        if b"name" not in params:
            raise _bad_form("表单的每个部分都须在 Content-Disposition 中给出 name")
        part.name = _text(params[b"name"])
        part.filename = _text(params[b"filename"]) if b"filename" in params else None
        part.is_file = part.filename is not None or part.name in file_fields
        if sum(p.is_file for p in parts) > max_files or sum(not p.is_file for p in parts) > max_fields:
            raise _bad_form(f"表单最多 {max_files} 个文件、{max_fields} 个字段")

    def on_part_data(data: bytes, start: int, end: int) -> None:
        part = parts[-1]
        part.chunks.append(data[start:end])
        part.size += end - start
        if part.is_file and part.size > file_limit:
            raise too_large
        if not part.is_file and part.size > FIELD_LIMIT:
            raise _bad_form(f"表单字段 {part.name} 过长")

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
        },
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except FormParserError:
        raise _bad_form("multipart/form-data 格式有误") from None
    items: list[tuple[str, str | UploadFile]] = []
    for part in parts:
        content = b"".join(part.chunks)
        part.chunks.clear()
        if part.is_file:
            # BytesIO shares the bytes it was made from, and reading them whole returns them uncopied
            headers = Headers(raw=part.headers)
            upload = UploadFile(io.BytesIO(content), size=part.size, filename=part.filename, headers=headers)
            items.append((part.name, upload))
        else:
            items.append((part.name, _text(content)))
    return FormData(items)

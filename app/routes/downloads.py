"""Files to download (CSV, XLSX, DOCX, PDF), each as its own operation: `GET /…/name.csv`.

A generated client then gets text for CSV and bytes for the others, instead of one operation
that answers JSON or a file depending on a parameter. Every binary type is declared beside
`application/octet-stream`, which a caller may ask for with `Accept` and which generators
without the specific type (openapi-python-client) read as bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response

from app.services import tabular

Download = Literal["csv", "xlsx", "docx", "pdf"]
# Kept for callers from before the files had their own paths; not in the contract.
LegacyFormat = Annotated[Literal["json", "csv", "xlsx"], Query(include_in_schema=False)]

MEDIA: dict[str, str] = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
OCTET_STREAM = "application/octet-stream"
_TEXT = {"csv"}


def responses(kind: Download, description: str) -> dict[int | str, dict]:
    """The 200 answer of a download route, for `responses=` (with `response_class=Response`)."""
    if kind in _TEXT:
        content = {MEDIA[kind]: {"schema": {"type": "string"}}}
        description += "（UTF-8，带 BOM）"
    else:
        binary = {"schema": {"type": "string", "format": "binary"}}
        content = {MEDIA[kind]: binary, OCTET_STREAM: binary}
    return {200: {"description": description, "content": content}}


def media_type(request: Request, kind: str) -> str:
    """The file's type; a binary one as `application/octet-stream` when the caller's Accept names
    that type and not the specific one."""
    if kind in _TEXT:
        return MEDIA[kind] + "; charset=utf-8"
    accept = request.headers.get("accept", "")
    return OCTET_STREAM if OCTET_STREAM in accept and MEDIA[kind] not in accept else MEDIA[kind]


def attachment(
    request: Request, body: bytes | str, kind: str, name: str, title: str | None = None
) -> Response:
    """The file, named `name.kind`; `title`: a Chinese file name for browsers that read one."""
    disposition = f'attachment; filename="{name}.{kind}"'
    if title:
        disposition += f"; filename*=UTF-8''{quote(title)}"
    return Response(body, media_type=media_type(request, kind), headers={"Content-Disposition": disposition})


def sheet_file(request: Request, sheet: tabular.Sheet, kind: str, name: str) -> Response:
    """A table the page shows, as the CSV or XLSX file of that name."""
    return attachment(request, tabular.to_file(sheet, kind), kind, name)


def add_list_routes(
    router: APIRouter,
    path: str,
    *,
    source: Callable[..., Any],
    response_model: type,
    sheet: Callable[[Any], tabular.Sheet],
    name: Callable[[Any], str],
    operation_id: str,
    summary: str,
    label: str,
    problems: dict[int | str, dict],
    **options: Any,
) -> None:
    """Registers `path`: what the dependency `source` answers, as JSON (or, for callers from
    before the files had paths, the file `?format=` names); and `path.csv` and `path.xlsx`: its
    sheet (`label`: the file's zh description)."""

    def answer(request: Request, result: Any = Depends(source), format: LegacyFormat = "json") -> Any:
        return result if format == "json" else sheet_file(request, sheet(result), format, name(result))

    router.add_api_route(
        path,
        answer,
        methods=["GET"],
        operation_id=operation_id,
        response_model=response_model,
        responses=problems,
        summary=summary,
        **options,
    )
    for kind in ("csv", "xlsx"):
        router.add_api_route(
            f"{path}.{kind}",
            _sheet_download(source, sheet, name, kind),
            methods=["GET"],
            operation_id=operation_id + kind.capitalize(),
            response_class=Response,
            responses={**responses(kind, f"{label}（{kind.upper()}）"), **problems},
            summary=f"{summary}, as {kind.upper()}",
        )


def _sheet_download(
    source: Callable[..., Any], sheet: Callable[[Any], tabular.Sheet], name: Callable[[Any], str], kind: str
) -> Callable[..., Response]:
    def download(request: Request, result: Any = Depends(source)) -> Response:
        return sheet_file(request, sheet(result), kind, name(result))

    return download

"""HTTP for batches: many files or one ZIP in, 202 with the batch id; progress out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from app.config import get_settings
from app.db import SessionDep, SessionRoute
from app.errors import TOO_LARGE, UNSUPPORTED_MEDIA_TYPE
from app.models.api import Problem
from app.routes.access import CallerDep
from app.routes.forms import read_form
from app.services import batches

router = APIRouter(prefix="/api/v1", tags=["batches"], route_class=SessionRoute)


class FileProblem(BaseModel):
    code: str
    detail: str | None = None


class BatchFile(BaseModel):
    position: int
    filename: str
    sha256: str
    size: int
    state: str = Field(description="queued | running | done | failed")
    report_id: int | None = None
    created: bool | None = Field(None, description="false when the same bytes were stored before")
    error: FileProblem | None = None


class BatchPublic(BaseModel):
    id: str
    state: str = Field(description="running | done")
    total: int
    done: int
    failed: int
    pending: int
    created_at: datetime
    files: list[BatchFile]


async def read_batch_files(request: Request) -> list[batches.Incoming]:
    """Every part of the multipart form that is a file (field `files`, or `file` for one ZIP)."""
    settings = get_settings()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        raise UNSUPPORTED_MEDIA_TYPE("请以 multipart/form-data 的 files 字段上传文件或一个 ZIP")
    most = max(settings.max_upload_bytes, settings.max_batch_bytes)
    form = await read_form(
        request,
        file_fields=frozenset({"files", "file"}),
        file_limit=most,
        too_large=TOO_LARGE(f"文件超过 {most // (1024 * 1024)} MB 的上限"),
        max_files=settings.max_batch_files + 1,
        max_fields=20,
    )
    incoming = []
    for _, value in form.multi_items():
        if isinstance(value, str):
            continue
        data = await value.read()
        limit = settings.max_batch_bytes if data.startswith(b"PK") else settings.max_upload_bytes
        if len(data) > limit:
            raise TOO_LARGE(f"{value.filename or '文件'} 超过 {limit // (1024 * 1024)} MB 的上限")
        incoming.append(batches.Incoming(value.filename, data))
    return incoming


BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}
                    },
                }
            }
        },
    }
}


@router.post(
    "/batches",
    operation_id="createBatch",
    status_code=202,
    response_model=BatchPublic,
    responses={status: {"model": Problem} for status in (413, 415, 422)},
    openapi_extra=BATCH_BODY,
    summary="Accept many files, or one ZIP, to be read and stored by the workers",
)
def create_batch(
    incoming: Annotated[list[batches.Incoming], Depends(read_batch_files)],
    session: SessionDep,
    caller: CallerDep,
) -> dict:
    batch_id = batches.create(session=session, incoming=incoming, caller=caller)
    return batches.status(session=session, batch_id=batch_id, caller=caller)


@router.get(
    "/batches/{batch_id}",
    operation_id="getBatch",
    response_model=BatchPublic,
    responses={404: {"model": Problem}},
    summary="Progress of a batch and each file's report or problem",
)
def get_batch(batch_id: Annotated[str, Path(max_length=32)], session: SessionDep, caller: CallerDep) -> dict:
    return batches.status(session=session, batch_id=batch_id, caller=caller)

"""What the bulk endpoint returns: one result per submitted report, in order."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.models.api import Counts, Problem


class BulkItem(BaseModel):
    index: int = Field(description="position of the report in the submitted array, from 0")
    status: int = Field(
        description="201 stored; 200 the same content was stored before (or earlier in the batch); "
        "422 not a valid report, see `problem`"
    )
    id: int | None = None
    version: int | None = None
    created: bool | None = None
    organ: str | None = None
    year: int | None = None
    valid: bool | None = Field(None, description="true when the report has no error finding")
    counts: Counts | None = None
    problem: Problem | None = Field(None, description="why the item was not stored (status 422)")


class BulkResult(BaseModel):
    created: int = Field(description="reports stored by this request")
    existing: int = Field(description="reports whose content was stored before")
    rejected: int = Field(description="items that are not valid reports; nothing of them was stored")
    items: list[BulkItem]

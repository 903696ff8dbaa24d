"""What became of the reports of a batch: one outcome a report, and the answer of a bulk request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.draft import Finding
from app.errors import ProblemError
from app.models.api import Counts, Problem
from app.models.bulk import BulkItem, BulkResult


@dataclass
class Outcome:
    """What became of one report of a batch."""

    report_id: int
    version: int
    created: bool  # False: the same content was stored before, or came earlier in the batch
    valid: bool
    counts: Counts
    organ: str
    year: int | None
    # of a report stored by this call: what it was stored with, so the caller can answer without
    # reading it back
    findings: list[Finding] | None = None
    is_latest: bool | None = None
    created_at: datetime | None = None


def bulk_result(answers: list[Outcome | ProblemError]) -> BulkResult:
    """Item by item, in order: the report stored (201) or found stored (200), or its problem."""
    results = []
    for index, item in enumerate(answers):
        if isinstance(item, ProblemError):
            problem = Problem(
                title=item.code,
                status=item.status,
                code=item.code,
                detail=item.detail,
                errors=item.errors or None,
            )
            results.append(BulkItem(index=index, status=item.status, problem=problem))
            continue
        results.append(
            BulkItem(
                index=index,
                status=201 if item.created else 200,
                id=item.report_id,
                version=item.version,
                created=item.created,
                organ=item.organ,
                year=item.year,
                valid=item.valid,
                counts=item.counts,
            )
        )
    return BulkResult(
        created=sum(r.status == 201 for r in results),
        existing=sum(r.status == 200 for r in results),
        rejected=sum(r.problem is not None for r in results),
        items=results,
    )

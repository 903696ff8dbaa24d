"""Batches: many files (or one ZIP) accepted at once, each a job that a worker turns into a report."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from app.config import get_settings
from app.errors import TOO_LARGE, ProblemError, not_found
from app.models.jobs import Batch, BatchJob, JobState
from app.services import archives, audit, files
from app.services.access import Caller
from app.services.scope import RegionScope


@dataclass
class Incoming:
    filename: str | None
    data: bytes


def caps() -> archives.Caps:
    settings = get_settings()
    return archives.Caps(settings.max_batch_files, settings.max_upload_bytes, settings.max_batch_bytes)


def expand(incoming: list[Incoming], limits: archives.Caps) -> list[archives.Entry]:
    """One ZIP becomes its files; several files stay as they are; an archive among them is refused."""
    if not incoming:
        raise ProblemError(422, "empty_batch", "请在表单字段 files 中上传至少一个文件，或一个 ZIP 压缩包")
    first = incoming[0]
    if len(incoming) == 1 and archives.is_archive(first.filename or "", first.data):
        if not first.data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            raise ProblemError(415, "unsupported_archive", "批量上传只接受 ZIP 压缩包")
        return archives.unzip(first.data, limits)
    if len(incoming) > limits.max_files:
        raise TOO_LARGE(f"每批最多 {limits.max_files} 个文件")
    entries = []
    for position, item in enumerate(incoming):
        name = archives.safe_name(item.filename, position)
        if archives.is_archive(name, item.data):
            raise ProblemError(
                422, "nested_archive", f"压缩包只能单独上传（{name}），请解开后上传或只传这一个 ZIP"
            )
        entries.append(archives.Entry(name, item.data))
    if sum(len(e.data) for e in entries) > limits.max_total_bytes:
        raise TOO_LARGE(f"一批文件合计超过 {limits.max_total_bytes // (1024 * 1024)} MB 的上限")
    return entries


def create(*, session: Session, incoming: list[Incoming], caller: Caller) -> str:
    """Keep every file by its SHA-256 and queue one job per file; the batch id. Each report is
    stored as the caller's, within the caller's scope."""
    entries = expand(incoming, caps())
    within = caller.region_scope
    batch = Batch(
        id=uuid.uuid4().hex,
        total=len(entries),
        api_key_id=caller.key_id,
        actor=caller.label,
        region_code=within.region,
        organs=sorted(within.organs) or None,
    )
    session.add(batch)
    session.flush()
    for position, entry in enumerate(entries):
        digest = files.sha256(entry.data)
        job = BatchJob(
            batch_id=batch.id, position=position, filename=entry.name, sha256=digest, size=len(entry.data)
        )
        if entry.data.strip():
            files.keep(entry.data, digest)
        else:
            job.state = JobState.FAILED.value
            job.error_code = "empty_file"
            job.error_detail = "上传的文件是空的，请选择正确的年度报告文件"
        session.add(job)
    session.flush()
    audit.record(
        session=session,
        actor=caller.label,
        action="batch.create",
        target=batch.id,
        detail={"files": len(entries)},
    )
    return batch.id


def sender(batch: Batch) -> Caller:
    """The caller a batch's reports are stored as, with the scope they had when they sent it."""
    within = RegionScope(region=batch.region_code, organs=frozenset(batch.organs or ()))
    return Caller(batch.api_key_id, batch.actor or "local", frozenset({"submit"}), within)


def status(*, session: Session, batch_id: str, caller: Caller) -> dict:
    """Progress and, per file, its report or its problem: for the one who sent it, or a national caller."""
    batch = session.get(Batch, batch_id)
    if batch is None or not (caller.region_scope.national or batch.actor == caller.label):
        raise not_found(f"编号为 {batch_id} 的批次")
    counts = dict(
        session.exec(
            select(BatchJob.state, func.count()).where(BatchJob.batch_id == batch_id).group_by(BatchJob.state)
        ).all()
    )
    jobs = session.exec(
        select(BatchJob).where(BatchJob.batch_id == batch_id).order_by(col(BatchJob.position))
    )
    done, failed = counts.get(JobState.DONE.value, 0), counts.get(JobState.FAILED.value, 0)
    return {
        "id": batch.id,
        "state": "done" if done + failed == batch.total else "running",
        "total": batch.total,
        "done": done,
        "failed": failed,
        "pending": batch.total - done - failed,
        "created_at": batch.created_at,
        "files": [
            {
                "position": job.position,
                "filename": job.filename,
                "sha256": job.sha256,
                "size": job.size,
                "state": job.state,
                "report_id": job.report_id,
                "created": job.created,
                "error": {"code": job.error_code, "detail": job.error_detail} if job.error_code else None,
            }
            for job in jobs
        ],
    }

"""Workers: claim a job in the database, turn its file into a report, record the outcome.

A claim is a short lease that the live worker renews while it reads the file (a heartbeat every
third of the lease). The report and the job's "done" are written in one transaction, so a worker
killed at any moment leaves either both or neither; it stops renewing, its lease runs out within
seconds and another worker (or the same one restarted) takes the job again. The same bytes are
never stored twice (content dedupe).
On PostgreSQL claims use SELECT … FOR UPDATE SKIP LOCKED, so many workers share one queue; on
SQLite the write lock taken by BEGIN IMMEDIATE makes the claim exclusive. A file is read between
transactions, never inside one.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app import db
from app.config import get_settings
from app.draft import Draft
from app.errors import ProblemError
from app.models.api import ReportPublic
from app.models.jobs import Batch, BatchJob, JobState
from app.services import batches, files, reading, report_store, reports, telemetry

log = logging.getLogger("nianbao.worker")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


T = TypeVar("T")


def _now() -> datetime:
    return datetime.now(UTC)


def _claimable() -> Any:
    """The oldest queued job, or one whose lease ran out."""
    now = _now()
    return (
        select(BatchJob)
        .where(
            or_(
                col(BatchJob.state) == JobState.QUEUED.value,
                (col(BatchJob.state) == JobState.RUNNING.value) & (col(BatchJob.lease_until) < now),
            )
        )
        .order_by(BatchJob.id)  # type: ignore[arg-type]
        .limit(1)
    )


def claim(*, engine: Engine, worker: str) -> int | None:
    """Take the oldest queued job, or one whose lease ran out; its id, or None when there is none."""
    settings = get_settings()
    with Session(engine) as session:
        # An idle worker looks without taking SQLite's write lock; it takes the lock to claim.
        db.begin(session, writes=False)
        if session.exec(_claimable()).first() is None:
            return None
        session.commit()
        job = session.exec(_claimable().with_for_update(skip_locked=True)).first()
        if job is None:
            return None
        if job.attempts >= settings.job_max_attempts:
            # It took a worker down every time (or ran past its lease): stop trying.
            _finish_failed(job, "extraction_crashed", "该文件多次导致处理中断，已放弃，请检查文件后单独上传")
            session.add(job)
            session.commit()
            telemetry.JOBS.labels("failed").inc()
            return claim(engine=engine, worker=worker)
        job.state = JobState.RUNNING.value
        job.attempts += 1
        job.claimed_by = worker[:100]
        job.lease_until = _now() + timedelta(seconds=settings.job_lease_seconds)
        session.add(job)
        session.commit()
        return job.id


def _finish_failed(job: BatchJob, code: str, detail: str) -> None:
    job.state = JobState.FAILED.value
    job.error_code = code
    job.error_detail = detail[:500]
    job.lease_until = None
    job.finished_at = _now()


def _ours(job: BatchJob | None, worker: str) -> bool:
    return job is not None and job.state == JobState.RUNNING.value and job.claimed_by == worker[:100]


def _attempt(step: Callable[[], T], job_id: int) -> T | ProblemError | None:
    """A step's result, the problem it raised, or None when it failed unexpectedly (logged)."""
    try:
        return step()
    except ProblemError as problem:
        return problem
    except Exception:
        log.exception("job failed", extra={"fields": {"job": job_id}})
        return None


def _read(digest: str, filename: str | None) -> tuple[Draft, report_store.Upload]:
    draft, upload = reading.read(data=files.read(digest), filename=filename, is_json_body=False)
    upload.filename = filename
    return draft, upload


def run(*, engine: Engine, job_id: int, worker: str) -> str:
    """Process one claimed job; its final state.

    The file is read outside any transaction: on SQLite one held open meanwhile would keep the
    write lock from every other writer for as long as the reading takes. The report and the job's
    outcome are then written in one short transaction, if the job is still this worker's.
    """
    with Session(engine) as session:
        db.begin(session, writes=False)
        job = session.get(BatchJob, job_id)
        assert job is not None
        if not _ours(job, worker):
            return job.state  # another worker took it over after our lease ran out
        digest, filename = job.sha256, job.filename
        batch = session.get(Batch, job.batch_id)
        assert batch is not None
        sender = batches.sender(batch)
        session.commit()
        with _heartbeat(engine=engine, job_id=job_id, worker=worker):
            read = _attempt(lambda: _read(digest, filename), job_id)

        job = session.exec(
            select(BatchJob)
            .where(BatchJob.id == job_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        if not _ours(job, worker):
            session.commit()
            return job.state

        def store(draft: Draft, upload: report_store.Upload) -> tuple[ReportPublic, bool]:
            with session.begin_nested():
                return reports.ingest(session=session, draft=draft, upload=upload, caller=sender)

        outcome = _attempt(lambda: store(*read), job_id) if isinstance(read, tuple) else read
        if isinstance(outcome, tuple):
            report, created = outcome
            job.state, job.report_id, job.created = JobState.DONE.value, report.id, created
            job.lease_until, job.finished_at = None, _now()
        elif isinstance(outcome, ProblemError):
            if outcome.status == 503:  # extraction is full: not the file's fault, try again later
                job.state, job.lease_until, job.attempts = JobState.QUEUED.value, None, job.attempts - 1
            else:
                _finish_failed(job, outcome.code, outcome.detail)
        elif job.attempts >= get_settings().job_max_attempts:
            _finish_failed(job, "internal_error", "处理该文件时出现内部错误，已记录")
        else:
            job.state, job.lease_until = JobState.QUEUED.value, None
        session.add(job)
        session.commit()
        telemetry.JOBS.labels(job.state).inc()
        return job.state


def renew(*, engine: Engine, job_id: int, worker: str) -> bool:
    """Extend the lease of a job this worker still runs; whether it did."""
    lease = timedelta(seconds=get_settings().job_lease_seconds)
    with Session(engine) as session:
        renewed = session.execute(
            update(BatchJob)
            .where(
                col(BatchJob.id) == job_id,
                col(BatchJob.state) == JobState.RUNNING.value,
                col(BatchJob.claimed_by) == worker[:100],
            )
            .values(lease_until=_now() + lease)
        )
        session.commit()
        return bool(renewed.rowcount)  # type: ignore[attr-defined]


@contextmanager
def _heartbeat(*, engine: Engine, job_id: int, worker: str) -> Iterator[None]:
    """Renew the job's lease every third of it while the block runs."""
    stop = threading.Event()
    every = get_settings().job_lease_seconds / 3

    def beat() -> None:
        while not stop.wait(every):
            try:
                if not renew(engine=engine, job_id=job_id, worker=worker):
                    return
            except Exception:  # the next beat tries again; the lease covers two misses
                log.warning("renewing a job's lease failed", extra={"fields": {"job": job_id}})

    thread = threading.Thread(target=beat, name=f"lease-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def work(
    *, engine: Engine, stop: threading.Event, poll_seconds: float = 0.5, until_idle: bool = False
) -> int:
    """Claim and run jobs until stopped (or, with until_idle, until none is left); jobs run."""
    worker = worker_name()
    log.info("worker started", extra={"fields": {"worker": worker}})
    ran = 0
    while not stop.is_set():
        try:
            job_id = claim(engine=engine, worker=worker)
        except Exception:
            log.exception("claiming a job failed")
            stop.wait(poll_seconds * 4)
            continue
        if job_id is None:
            if until_idle:
                return ran
            stop.wait(poll_seconds)
            continue
        run(engine=engine, job_id=job_id, worker=worker)
        ran += 1
    return ran


def start_threads(*, engine: Engine, count: int) -> tuple[threading.Event, list[threading.Thread]]:
    """Workers inside the API process (setting worker_threads)."""
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=work, kwargs={"engine": engine, "stop": stop}, name=f"batch-worker-{n}", daemon=True
        )
        for n in range(count)
    ]
    for thread in threads:
        thread.start()
    return stop, threads

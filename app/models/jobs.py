"""Batches and their jobs: the queue lives in the database, so a restart resumes it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, String
from sqlmodel import Field, SQLModel

from app.models.base import utcnow


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Batch(SQLModel, table=True):
    __tablename__ = "batch"

    id: str = Field(sa_column=Column(String(32), primary_key=True))
    total: int
    api_key_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # who sent it, and the scope its reports are stored within (checked as each is stored)
    actor: str | None = Field(default=None, max_length=120)
    region_code: str | None = Field(default=None, max_length=12)
    organs: list | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class BatchJob(SQLModel, table=True):
    """One file of a batch. A worker claims it with a lease; an expired lease is claimed again."""

    __tablename__ = "batch_job"
    __table_args__ = (Index("ix_batch_job_state_id", "state", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: str = Field(foreign_key="batch.id", index=True, max_length=32)
    position: int
    filename: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    size: int
    state: str = Field(default=JobState.QUEUED.value, max_length=8)
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = None
    report_id: int | None = None
    created: bool | None = None  # False when the same bytes were stored before
    error_code: str | None = Field(default=None, max_length=64)
    error_detail: str | None = Field(default=None, max_length=500)
    finished_at: datetime | None = None

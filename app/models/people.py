"""People and what they did: user accounts, reviews of findings, the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, String, Text
from sqlmodel import Field, SQLModel

from app.models.base import utcnow


class UserAccount(SQLModel, table=True):
    """A person who signs in to the pages. Only the password's argon2 hash is kept."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    role: str = Field(max_length=16)  # clerk | supervisor | admin
    region_code: str | None = Field(default=None, max_length=12)  # None: national
    organs: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # a clerk's bodies
    password_hash: str = Field(max_length=255)
    must_change_password: bool = True
    # changed at sign-out and on a new password: every cookie signed before it stops working
    session_nonce: str = Field(max_length=32)
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    disabled_at: datetime | None = None


class FindingReview(SQLModel, table=True):
    """A review of a finding, made on one version of a body's report for a year.

    It names the finding by what recurs across versions (rule and cell), so a later version
    where the same finding comes back shows it; the newest review of a finding is its state.
    """

    __tablename__ = "finding_review"
    __table_args__ = (Index("ix_finding_review_body_year", "organ_key", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    organ_key: str = Field(max_length=200)
    year: int | None = None
    version: int
    rule: str = Field(max_length=32)
    table_code: str | None = Field(default=None, max_length=8)
    row_code: str | None = Field(default=None, max_length=64)
    column_code: str | None = Field(default=None, max_length=32)
    status: str = Field(max_length=12)  # explained | accepted | open
    note: str = Field(default="", sa_type=Text)
    actor: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """One write: who (a user, a key, the local newcomer), when, what, and on which report."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=120)  # user:alice, key:3:portal-x, local
    action: str = Field(max_length=32)  # report.create, review, state, figures.correct, key.create, …
    report_id: int | None = Field(default=None, index=True)
    target: str | None = Field(default=None, max_length=200)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

"""Who may call: API keys (stored hashed), used signature nonces, idempotency records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import utcnow


class ApiKey(SQLModel, table=True):
    """A caller's key. The token is shown once; only its SHA-256 is kept (and, for appKey
    signatures, the signing secret, which HMAC needs in the clear)."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(sa_column=Column(String(16), nullable=False, unique=True))
    name: str = Field(max_length=100)
    scopes: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    token_sha256: str = Field(max_length=64)
    signing_secret: str | None = Field(default=None, max_length=64)
    region_code: str | None = Field(default=None, max_length=12)  # None: national
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


class RequestNonce(SQLModel, table=True):
    """A signature nonce, kept until its timestamp leaves the window, so it is accepted once."""

    __tablename__ = "request_nonce"
    __table_args__ = (UniqueConstraint("app_key", "nonce", name="uq_request_nonce_app_key_nonce"),)

    id: int | None = Field(default=None, primary_key=True)
    app_key: str = Field(max_length=16)
    nonce: str = Field(max_length=64)
    expires_at: datetime = Field(index=True)


class IdempotencyRecord(SQLModel, table=True):
    """One Idempotency-Key of one caller: the request it stood for and, once done, the answer."""

    __tablename__ = "idempotency_record"
    __table_args__ = (
        UniqueConstraint("principal", "key", name="uq_idempotency_record_principal_key"),
        Index("ix_idempotency_record_created_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    principal: str = Field(max_length=64)
    key: str = Field(max_length=255)
    request_sha256: str = Field(max_length=64)
    status: int | None = None  # None while the first request is still running
    media_type: str | None = Field(default=None, max_length=100)
    body: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)

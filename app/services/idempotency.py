"""Idempotency-Key: the first request with a key runs, later ones with the same key get its answer.

Same key and same request → the stored answer; same key and another request → 422; the first
still running → 409. Records live in the database, so every API process sees them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.config import get_settings
from app.errors import ProblemError
from app.models.access import IdempotencyRecord

IN_FLIGHT_SECONDS = 600  # a first request older than this died with its process; the key is free again
# Answers that say "try again" are not kept, so the retry with the same key really runs.
NOT_KEPT = frozenset({401, 403, 409, 429})


@dataclass
class Stored:
    status: int
    media_type: str
    body: bytes


def _now() -> datetime:
    return datetime.now(UTC)


def _find(session: Session, principal: str, key: str) -> IdempotencyRecord | None:
    return session.exec(
        select(IdempotencyRecord).where(
            IdempotencyRecord.principal == principal, IdempotencyRecord.key == key
        )
    ).first()


def begin(*, engine: Engine, principal: str, key: str, request_sha256: str) -> Stored | None:
    """None when this request should run (it now holds the key); the stored answer to replay."""
    ttl = timedelta(hours=get_settings().idempotency_ttl_hours)
    with Session(engine) as session:
        session.exec(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < _now() - ttl))  # type: ignore[arg-type]
        record = _find(session, principal, key)
        if record is None:
            session.add(IdempotencyRecord(principal=principal, key=key, request_sha256=request_sha256))
            try:
                session.commit()
                return None
            except IntegrityError:
                session.rollback()
                record = _find(session, principal, key)
                assert record is not None
        if record.request_sha256 != request_sha256:
            raise ProblemError(
                422, "idempotency_key_reused", "该 Idempotency-Key 已用于另一个请求，请为新请求使用新的键"
            )
        if record.status is None:
            if record.created_at < _now() - timedelta(seconds=IN_FLIGHT_SECONDS):
                record.created_at = _now()
                session.add(record)
                session.commit()
                return None
            raise ProblemError(
                409,
                "idempotency_in_flight",
                "使用该 Idempotency-Key 的请求仍在处理中，请稍后重试",
                retry_after=2,
            )
        session.commit()
        return Stored(record.status, record.media_type or "application/json", record.body or b"")


def finish(*, engine: Engine, principal: str, key: str, answer: Stored) -> None:
    with Session(engine) as session:
        record = _find(session, principal, key)
        if record is None:
            return
        if answer.status >= 500 or answer.status in NOT_KEPT:
            session.delete(record)
        else:
            record.status, record.media_type, record.body = answer.status, answer.media_type, answer.body
            session.add(record)
        session.commit()


def abandon(*, engine: Engine, principal: str, key: str) -> None:
    with Session(engine) as session:
        record = _find(session, principal, key)
        if record is not None and record.status is None:
            session.delete(record)
        session.commit()

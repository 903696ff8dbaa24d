"""Idempotency-Key: the first request with a key runs, later ones with the same key get its answer.

A key belongs to an authenticated caller: records are written and replayed only once the caller
is known, keyed by its API key's id (or "local" for the newcomer on this machine without keys),
never for a request that failed authentication. Same key and same request → the stored answer;
same key and another request → 422; the first still running → 409. Records live in the database,
so every API process sees them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
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
SCOPE_KEY = "nianbao.idempotency"  # in the request's scope while it holds a key
_SAFE_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


@dataclass
class Stored:
    status: int
    media_type: str
    body: bytes


@dataclass(frozen=True)
class Held:
    """A key this request holds: its caller and the key."""

    principal: str
    key: str


class Replay(Exception):
    """The request was answered before: send the stored answer instead of running it again."""

    def __init__(self, stored: Stored) -> None:
        super().__init__(stored.status)
        self.stored = stored


def principal(*, key_id: int | None, user_id: int | None = None) -> str:
    """Whose keys these are: an API key by its id (its prefix is not secret), a signed-in person
    by theirs, or the local newcomer."""
    if user_id is not None:
        return f"user:{user_id}"
    return "local" if key_id is None else f"key:{key_id}"


def checked_key(header: str) -> str:
    key = header.strip()
    if not _SAFE_KEY.match(key):
        raise ProblemError(422, "invalid_idempotency_key", "Idempotency-Key 须为 1–255 个可见 ASCII 字符")
    return key


def fingerprint(*, path: str, query: bytes, content_type: str, body: Iterable[bytes]) -> str:
    """What makes two requests the same: path, query and body — a multipart boundary aside."""
    boundary = re.search(r"boundary=\"?([^\";]+)", content_type)
    chunks = _without(body, boundary.group(1).encode("latin-1")) if boundary else body
    content = hashlib.sha256()
    for chunk in chunks:
        content.update(chunk)
    digest = hashlib.sha256()
    for part in (path.encode(), query, content_type.split(";")[0].encode("latin-1")):
        digest.update(hashlib.sha256(part).digest())
    digest.update(content.digest())
    return digest.hexdigest()


def _without(chunks: Iterable[bytes], token: bytes) -> Iterable[bytes]:
    """The chunks with every occurrence of `token` removed, also where it straddles two chunks."""
    keep = len(token) - 1
    tail = b""
    for chunk in chunks:
        data = (tail + chunk).replace(token, b"")
        cut = max(len(data) - keep, 0)
        tail = data[cut:]
        yield data[:cut]
    yield tail


def _now() -> datetime:
    return datetime.now(UTC)


def _find(session: Session, held: Held) -> IdempotencyRecord | None:
    return session.exec(
        select(IdempotencyRecord).where(
            IdempotencyRecord.principal == held.principal, IdempotencyRecord.key == held.key
        )
    ).first()


def begin(*, engine: Engine, held: Held, request_sha256: str) -> None:
    """Take the key for this request, or raise Replay with the stored answer (or 409/422)."""
    ttl = timedelta(hours=get_settings().idempotency_ttl_hours)
    with Session(engine) as session:
        session.exec(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < _now() - ttl))  # type: ignore[arg-type]
        record = _find(session, held)
        if record is None:
            record = IdempotencyRecord(principal=held.principal, key=held.key, request_sha256=request_sha256)
            session.add(record)
            try:
                session.commit()
                return
            except IntegrityError:
                session.rollback()
                record = _find(session, held)
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
                return
            raise ProblemError(
                409,
                "idempotency_in_flight",
                "使用该 Idempotency-Key 的请求仍在处理中，请稍后重试",
                retry_after=2,
            )
        session.commit()
        raise Replay(Stored(record.status, record.media_type or "application/json", record.body or b""))


def finish(*, engine: Engine, held: Held, answer: Stored) -> None:
    with Session(engine) as session:
        record = _find(session, held)
        if record is None:
            return
        if answer.status >= 500 or answer.status in NOT_KEPT:
            session.delete(record)
        else:
            record.status, record.media_type, record.body = answer.status, answer.media_type, answer.body
            session.add(record)
        session.commit()


def abandon(*, engine: Engine, held: Held) -> None:
    with Session(engine) as session:
        record = _find(session, held)
        if record is not None and record.status is None:
            session.delete(record)
        session.commit()

"""API keys and appKey signatures: who is calling, and may they do this.

A token looks like `nb_<prefix>_<secret>`; the prefix finds the row, the SHA-256 of the whole token
is compared in constant time. An appKey signature is HMAC-SHA256 with the key's signing secret
over method, path, sorted query, timestamp, nonce and the body's SHA-256, one per line.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import delete, exists, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import ProblemError
from app.models.access import ApiKey, RequestNonce
from app.models.people import UserAccount
from app.services.scope import NATIONAL, RegionScope, valid_region

SCOPES = ("submit", "read", "admin")
# "testclient" is what Starlette's in-process TestClient reports; a network peer is always an address.
LOCAL_HOSTS = frozenset({"127.0.0.1", "::1", "testclient"})


@dataclass(frozen=True)
class Caller:
    """Who is calling: a key (with its scopes), a signed-in person, the local newcomer, or nobody;
    and the reports they may see and write (`scope`, a region and a clerk's bodies)."""

    key_id: int | None
    name: str
    scopes: frozenset[str]
    region_scope: RegionScope = NATIONAL
    user_id: int | None = None
    role: str | None = None  # a person's: clerk | supervisor | admin

    def may(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes

    @property
    def label(self) -> str:
        """How the audit log and the access log name the caller."""
        if self.user_id is not None:
            return f"user:{self.name}"
        if self.key_id is not None:
            return f"key:{self.key_id}:{self.name}"
        return self.name

    @property
    def supervises(self) -> bool:
        """May send a report back and accept it: a supervisor, an admin, or an admin key."""
        return self.role in ("supervisor", "admin") or (self.role is None and "admin" in self.scopes)


ANONYMOUS = Caller(None, "anonymous", frozenset())
LOCAL = Caller(None, "local", frozenset(SCOPES))


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    token: str  # shown once, never stored


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def unauthorized(
    detail: str = "需要有效的 API 密钥：请在 Authorization: Bearer 中提供，或使用 appKey 签名",
) -> ProblemError:
    return ProblemError(401, "unauthorized", detail, headers={"WWW-Authenticate": "Bearer"})


# ---- keys ---------------------------------------------------------------------------------------


def create_key(
    *, session: Session, name: str, scopes: list[str], signing: bool = False, region: str | None = None
) -> NewKey:
    """A new key; its token (and signing secret) is returned once. With a region it reads and
    writes only the reports under it; without one it is national."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ValueError(f"scopes must be some of {', '.join(SCOPES)}; got {', '.join(unknown) or 'none'}")
    if region is not None and not valid_region(region):
        raise ValueError(f"no region with code {region} in the gazetteer")
    prefix = secrets.token_hex(6)
    token = f"nb_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        prefix=prefix,
        name=name,
        scopes=sorted(set(scopes)),
        token_sha256=_digest(token),
        signing_secret=secrets.token_hex(32) if signing else None,
        region_code=region,
    )
    session.add(key)
    session.flush()
    return NewKey(key, token)


def list_keys(*, session: Session) -> list[ApiKey]:
    return list(session.exec(select(ApiKey).order_by(ApiKey.id)))  # type: ignore[arg-type]


def revoke_key(*, session: Session, key_id: int) -> ApiKey | None:
    key = session.get(ApiKey, key_id)
    if key is not None and key.revoked_at is None:
        key.revoked_at = _now()
        session.add(key)
        session.flush()
    return key


def no_credentials(session: Session) -> bool:
    """No active API key and no enabled account: a fresh install, which `auth=auto` opens to local
    callers. One query, as it runs on every such request."""
    key = exists().where(col(ApiKey.revoked_at).is_(None))
    account = exists().where(col(UserAccount.disabled_at).is_(None))
    return not session.exec(select(or_(key, account))).one()


def _active(session: Session, prefix: str) -> ApiKey | None:
    key = session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).first()
    return key if key is not None and key.revoked_at is None else None


def _caller(key: ApiKey) -> Caller:
    return Caller(key.id, key.name, frozenset(key.scopes), RegionScope(region=key.region_code))


def by_token(*, session: Session, token: str) -> Caller:
    """The caller a bearer token stands for, or 401."""
    parts = token.split("_")
    if len(parts) < 3 or parts[0] != "nb":
        raise unauthorized("API 密钥格式不正确")
    key = _active(session, parts[1])
    # Compare even when the key is unknown, so timing does not tell which prefixes exist.
    expected = key.token_sha256 if key is not None else "0" * 64
    if not hmac.compare_digest(expected, _digest(token)) or key is None:
        raise unauthorized("API 密钥无效或已吊销")
    return _caller(key)


# ---- appKey signatures --------------------------------------------------------------------------


def sorted_query(query: str) -> str:
    return urlencode(sorted(parse_qsl(query, keep_blank_values=True)))


def signing_string(method: str, path: str, query: str, timestamp: str, nonce: str, body_sha256: str) -> str:
    return "\n".join((method.upper(), path, sorted_query(query), timestamp, nonce, body_sha256))


def sign(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def signing_key(*, session: Session, app_key: str, timestamp: str, nonce: str, window_seconds: int) -> ApiKey:
    """The key an appKey signature names, checked from the headers alone: 401 before any body is
    received when the key is unknown, revoked or cannot sign, or the timestamp is off."""
    if not timestamp.isdigit() or len(timestamp) > 12 or not 8 <= len(nonce) <= 64:
        raise unauthorized("签名参数不完整：X-Timestamp 为秒级时间戳，X-Nonce 为 8–64 个字符")
    sent_at = datetime.fromtimestamp(int(timestamp), UTC)
    if abs((_now() - sent_at).total_seconds()) > window_seconds:
        raise unauthorized(f"X-Timestamp 与服务器时间相差超过 {window_seconds} 秒，请校准时钟")
    key = _active(session, app_key)
    if key is None or not key.signing_secret:
        raise unauthorized("签名无效：请核对 appKey、签名串与密钥")
    return key


def by_signature(
    *,
    session: Session,
    key: ApiKey,
    timestamp: str,
    nonce: str,
    signature: str,
    method: str,
    path: str,
    query: str,
    body_sha256: str,
    window_seconds: int,
) -> Caller:
    """The caller a (signing_key-checked) appKey signature stands for; the nonce is used up. 401 otherwise."""
    assert key.signing_secret is not None
    expected = sign(key.signing_secret, signing_string(method, path, query, timestamp, nonce, body_sha256))
    if not hmac.compare_digest(expected, signature.lower()):
        raise unauthorized("签名无效：请核对 appKey、签名串与密钥")
    sent_at = datetime.fromtimestamp(int(timestamp), UTC)
    session.exec(delete(RequestNonce).where(RequestNonce.expires_at < _now()))  # type: ignore[arg-type]
    try:
        with session.begin_nested():
            session.add(
                RequestNonce(
                    app_key=key.prefix, nonce=nonce, expires_at=sent_at + timedelta(seconds=window_seconds)
                )
            )
    except IntegrityError:
        raise unauthorized("该 X-Nonce 已使用过，每个请求须使用新的随机数") from None
    return _caller(key)

"""People who sign in: accounts, passwords (argon2 through pwdlib), failed sign-ins slowed down.

A clerk reports for one or more bodies (and, optionally, within a region); a supervisor sees a
region's subtree; an admin sees everything and manages keys and people. A new account gets a
one-time password that must be changed at the first sign-in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlmodel import Session, select

from app.config import get_settings
from app.errors import NOT_FOUND, WEAK_PASSWORD, ProblemError
from app.models.people import UserAccount
from app.rules.naming import organ_key
from app.services.access import Caller
from app.services.scope import RegionScope, valid_region

ROLES = ("clerk", "supervisor", "admin")
_ROLE_SCOPES = {
    "clerk": frozenset({"read", "submit"}),
    "supervisor": frozenset({"read", "submit"}),
    "admin": frozenset({"read", "submit", "admin"}),
}
MIN_PASSWORD = 10
FREE_FAILURES = 5  # failed sign-ins in a row before each further one locks the account for a while
MAX_LOCK_SECONDS = 15 * 60


@cache
def _hasher() -> PasswordHash:
    settings = get_settings()
    return PasswordHash(
        (
            Argon2Hasher(
                time_cost=settings.password_time_cost,
                memory_cost=settings.password_memory_kib,
                parallelism=settings.password_parallelism,
            ),
        )
    )


@cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so timing does not tell which names exist."""
    return _hasher().hash(secrets.token_hex(16))


@dataclass(frozen=True)
class NewUser:
    user: UserAccount
    password: str | None  # the one-time password, when one was made; shown once


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands datetimes back without their zone; every stored one is UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise WEAK_PASSWORD(f"密码至少 {MIN_PASSWORD} 个字符")


def create_user(
    *,
    session: Session,
    username: str,
    role: str,
    region: str | None = None,
    organs: list[str] | None = None,
    password: str | None = None,
) -> NewUser:
    """A new account; without a password, a one-time one is made and must be changed at sign-in."""
    username = username.strip()
    organs = [o.strip() for o in organs or [] if o.strip()]
    if not username or len(username) > 64:
        raise ProblemError(422, "invalid_user", "用户名须为 1–64 个字符")
    if role not in ROLES:
        raise ProblemError(422, "invalid_user", f"角色只能是：{'、'.join(ROLES)}")
    if region is not None and not valid_region(region):
        raise ProblemError(422, "unknown_region", f"没有代码为 {region} 的地区")
    if role == "clerk" and not organs:
        raise ProblemError(422, "invalid_user", "填报人员须指定至少一个填报单位（--organ）")
    if role == "admin" and (region or organs):
        raise ProblemError(422, "invalid_user", "管理员的范围是全国，不设地区和单位")
    if session.exec(select(UserAccount.id).where(UserAccount.username == username)).first() is not None:
        raise ProblemError(409, "user_exists", f"用户名 {username} 已存在")
    one_time = None
    if password is None:
        one_time = password = secrets.token_urlsafe(12)
    check_password(password)
    user = UserAccount(
        username=username,
        role=role,
        region_code=region,
        organs=organs,
        password_hash=_hasher().hash(password),
        must_change_password=one_time is not None,
        session_nonce=secrets.token_hex(16),
    )
    session.add(user)
    session.flush()
    return NewUser(user, one_time)


def list_users(*, session: Session) -> list[UserAccount]:
    return list(session.exec(select(UserAccount).order_by(UserAccount.id)))  # type: ignore[arg-type]


def sign_in(*, session: Session, username: str, password: str) -> UserAccount:
    """The account, when the password is right and it is not locked; 401 or 429 otherwise.

    From the FREE_FAILURES-th failure in a row on, each one locks the account for twice as long
    as the one before (30 s, 60 s, … up to 15 minutes); a right password while locked fails too.
    """
    user = session.exec(select(UserAccount).where(UserAccount.username == username.strip())).first()
    now = _now()
    if user is None or user.disabled_at is not None:
        _hasher().verify(password, _dummy_hash())
        raise ProblemError(401, "bad_credentials", "用户名或密码不正确")
    locked_until = _aware(user.locked_until)
    if locked_until is not None and locked_until > now:
        wait = int((locked_until - now).total_seconds()) + 1
        raise ProblemError(
            429, "too_many_attempts", f"登录失败次数过多，请 {wait} 秒后再试", retry_after=wait
        )
    valid, new_hash = _hasher().verify_and_update(password, user.password_hash)
    if not valid:
        user.failed_logins += 1
        if user.failed_logins >= FREE_FAILURES:
            seconds = min(30 * 2 ** (user.failed_logins - FREE_FAILURES), MAX_LOCK_SECONDS)
            user.locked_until = now + timedelta(seconds=seconds)
        session.add(user)
        session.flush()
        raise ProblemError(401, "bad_credentials", "用户名或密码不正确")
    if new_hash is not None:
        user.password_hash = new_hash
    user.failed_logins, user.locked_until = 0, None
    user.session_nonce = secrets.token_hex(16)  # a new sign-in: no earlier cookie stays valid
    session.add(user)
    session.flush()
    return user


def change_password(*, session: Session, user: UserAccount, current: str, new: str) -> None:
    if not _hasher().verify(current, user.password_hash):
        raise ProblemError(422, "bad_credentials", "当前密码不正确")
    if new == current:
        raise WEAK_PASSWORD("新密码不能与当前密码相同")
    check_password(new)
    user.password_hash = _hasher().hash(new)
    user.must_change_password = False
    user.session_nonce = secrets.token_hex(16)
    session.add(user)
    session.flush()


def reset_password(*, session: Session, user_id: int) -> NewUser:
    """A new one-time password; the person's open sessions end."""
    user = session.get(UserAccount, user_id)
    if user is None:
        raise NOT_FOUND(f"未找到编号为 {user_id} 的用户")
    password = secrets.token_urlsafe(12)
    user.password_hash = _hasher().hash(password)
    user.must_change_password = True
    user.failed_logins, user.locked_until = 0, None
    user.session_nonce = secrets.token_hex(16)
    session.add(user)
    session.flush()
    return NewUser(user, password)


def set_disabled(*, session: Session, user_id: int, disabled: bool) -> UserAccount:
    user = session.get(UserAccount, user_id)
    if user is None:
        raise NOT_FOUND(f"未找到编号为 {user_id} 的用户")
    user.disabled_at = _now() if disabled else None
    user.session_nonce = secrets.token_hex(16)
    session.add(user)
    session.flush()
    return user


def sign_out(*, session: Session, user_id: int) -> None:
    """Every cookie of this person stops working (the nonce it carries changes)."""
    user = session.get(UserAccount, user_id)
    if user is not None:
        user.session_nonce = secrets.token_hex(16)
        session.add(user)
        session.flush()


def caller_of(user: UserAccount) -> Caller:
    organs = frozenset(organ_key(o) for o in user.organs)
    return Caller(
        None,
        user.username,
        _ROLE_SCOPES[user.role],
        RegionScope(region=user.region_code, organs=organs),
        user_id=user.id,
        role=user.role,
    )


def by_session(*, session: Session, user_id: object, nonce: object) -> UserAccount | None:
    """The signed-in person a session cookie names, while it is still valid."""
    if not isinstance(user_id, int) or not isinstance(nonce, str):
        return None
    user = session.get(UserAccount, user_id)
    if user is None or user.disabled_at is not None or not secrets.compare_digest(user.session_nonce, nonce):
        return None
    return user

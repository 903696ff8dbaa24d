"""The engine, and one session per request that commits or rolls back at the boundary.

SQLite allows one writer at a time; with WAL, readers run beside it and never wait. A transaction
that may write takes the write lock as it begins (BEGIN IMMEDIATE), so it waits in the busy
timeout instead of failing when it would upgrade a read; a transaction that only reads begins
DEFERRED (`begin(session, writes=False)`, and every GET request) and takes no lock at all. On
PostgreSQL the pool holds a connection for every thread that can ask for one.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

from app.config import get_settings


def normalise_url(url: str) -> str:
    """postgresql:// means psycopg 3 here; the driver is installed with the service."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


# Execution option naming how a transaction begins on SQLite: "IMMEDIATE" (the default: it may
# write) or "DEFERRED" (it only reads).
SQLITE_BEGIN = "nianbao_sqlite_begin"
_READS_ONLY = "nianbao_reads_only"  # in a connection's info while its transaction began DEFERRED


class WriteInReadTransaction(RuntimeError):
    """A write in a transaction begun to read: on SQLite it could not wait for the write lock."""


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ":memory:"
        in_memory = database == ":memory:"
        if not in_memory:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # Writers queue for the write lock in SQLite's busy timeout; past it the caller gets 503
        # `busy` with Retry-After. Connections to a file are pooled: opening one and setting its
        # pragmas cost about 0.3 ms, twice a request, and the last connection's close would
        # checkpoint and delete the WAL for the next request to make again.
        busy_seconds = get_settings().sqlite_busy_seconds
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_seconds},
            **({"poolclass": NullPool} if in_memory else _pool_options()),
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            # Let SQLAlchemy, not the driver, open transactions, so savepoints and rollbacks work.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={round(busy_seconds * 1000)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            # A transaction that may write takes the write lock up front: a read that later
            # upgrades to a write fails with "database is locked" instead of waiting its turn.
            mode = connection.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
            connection.info[_READS_ONLY] = mode == "DEFERRED"
            connection.exec_driver_sql(f"BEGIN {'DEFERRED' if mode == 'DEFERRED' else 'IMMEDIATE'}")

        @event.listens_for(engine, "before_cursor_execute")
        def _no_write_in_a_read(connection, _cursor, statement, _parameters, context, _many) -> None:  # type: ignore[no-untyped-def]
            if (
                connection.info.get(_READS_ONLY)
                and connection.in_transaction()
                and context is not None
                and (context.isinsert or context.isupdate or context.isdelete)
            ):
                raise WriteInReadTransaction(f"a transaction begun to read writes: {statement[:80]}")

        return engine
    return create_engine(url, pool_pre_ping=True, **_pool_options())


def _pool_options() -> dict[str, Any]:
    """Every thread that may hold a connection at once has one: the request threads and the batch
    workers of this process; the overflow covers a request between its handler and its clean-up."""
    settings = get_settings()
    return {
        "pool_size": settings.request_threads + settings.worker_threads,
        "max_overflow": 10,
        "pool_timeout": 30,
    }


@cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


def begin(session: Session, *, writes: bool) -> None:
    """Say how the session's next transaction begins: as one that may write (on SQLite it takes
    the write lock at once) or one that only reads (it takes no lock; a write in it raises
    WriteInReadTransaction). Call it before the transaction's first statement. A session bound
    to a connection (a test's) is left as it is.
    """
    if isinstance(session.bind, Engine) and not session.in_transaction():
        session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE" if writes else "DEFERRED"})


def get_session(request: Request) -> Iterator[Session]:
    engine = get_engine()
    if request.method in ("GET", "HEAD"):  # a read never waits for SQLite's writer
        engine = engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# "function" scope: the transaction commits before the answer is sent, so a 201 means stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


class SessionRoute(APIRoute):
    """A route whose handler's transaction commits as the handler returns.

    FastAPI validates the answer of a plain (sync) handler in the thread pool and only then ends
    the session dependency. A transaction still open while its answer waits for a free thread
    keeps SQLite's write lock, or a pooled connection, from the very threads it waits for: under
    a burst every thread ended up waiting and nothing moved until the lock or pool timed out.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _committing(endpoint), **kwargs)


def connection_lost(error: BaseException) -> bool:
    """Whether a database error means the connection died (a PostgreSQL backend terminated, the
    server restarted), not that the statement was wrong."""
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    def handler(*args: Any, **kwargs: Any) -> Any:
        sessions = [value for value in kwargs.values() if isinstance(value, Session)]
        try:
            answer = endpoint(*args, **kwargs)
        except DBAPIError as error:
            if not connection_lost(error):
                raise
            # Nothing was committed yet, so running the handler once more on a new connection is
            # safe; a connection lost during the commit is not retried (it may have committed).
            for session in sessions:
                session.rollback()
            answer = endpoint(*args, **kwargs)
        for session in sessions:
            session.commit()
        return answer

    return handler

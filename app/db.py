"""The engine, and one session per request that commits or rolls back at the boundary."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends
from fastapi.routing import APIRoute
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

from app.config import get_settings


def normalise_url(url: str) -> str:
    """postgresql:// means psycopg 3 here; the driver is installed with the service."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


# Under a burst, every writer of a process waits its turn here; a Python thread holding the lock
# shares the interpreter with all the others, so a turn can take long.
SQLITE_BUSY_SECONDS = 120


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # No pool limit: a connection is a file handle; writers queue in SQLite's busy timeout.
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS}, poolclass=NullPool
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            # Let SQLAlchemy, not the driver, open transactions, so savepoints and rollbacks work.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(connection) -> None:  # type: ignore[no-untyped-def]
            # Take the write lock up front: a read that later upgrades to a write could fail with
            # "database is locked" instead of waiting for the busy timeout.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # Every thread that may hold a connection at once has one: the request threads and the batch
    # workers of this process; the overflow covers a request between its handler and its clean-up.
    settings = get_settings()
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=settings.request_threads + settings.worker_threads,
        max_overflow=10,
        pool_timeout=30,
    )


@cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


def get_session() -> Iterator[Session]:
    with Session(get_engine()) as session:
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


def _committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    def handler(*args: Any, **kwargs: Any) -> Any:
        answer = endpoint(*args, **kwargs)
        for value in kwargs.values():
            if isinstance(value, Session):
                value.commit()
        return answer

    return handler

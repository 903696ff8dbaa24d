"""The engine, and one session per request that commits or rolls back at the boundary."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Annotated

from fastapi import Depends
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
    # As many connections as the threads that may ask for one (40 by default), waiting rather
    # than failing when a burst outruns them.
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=30, pool_timeout=120)


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

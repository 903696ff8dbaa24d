"""A live application over a committed database (not a rolled-back test transaction), for what
spans transactions or processes: workers, idempotency records, concurrent writers."""

from __future__ import annotations

import itertools
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic import command
from conftest import DATABASES, PG_ADMIN_URL, seed_names, seed_report_json
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from app import config, db
from app.main import create_app
from app.services import reading
from app.services.health import alembic_config

ROOT = Path(__file__).resolve().parents[1]
_counter = itertools.count()


@dataclass
class Live:
    url: str
    files: str
    client: TestClient
    engine: Engine

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "DATABASE_URL": self.url, "NIANBAO_FILE_STORE": self.files}

    def scalar(self, sql: str) -> int:
        """A plain read, which never waits for a writer's lock (even one held by a stopped process)."""
        engine = create_engine(db.normalise_url(self.url))
        try:
            with engine.connect() as connection:
                return connection.execute(text(sql)).scalar_one()
        finally:
            engine.dispose()


def _admin() -> Engine:
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _new_database(kind: str, workdir: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir}/live.db"
    name = f"nianbao_live_{os.getpid()}_{next(_counter)}"
    with _admin().connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop(url: str) -> None:
    if url.startswith("postgresql"):
        with _admin().connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)"))


def reconfigure() -> None:
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()


def open_live(kind: str, **settings: str) -> Iterator[Live]:
    """Point the settings at a fresh migrated database and file store; restore them afterwards."""
    workdir = tempfile.mkdtemp(prefix="nianbao-live-")
    url = _new_database(kind, workdir)
    env = {"DATABASE_URL": url, "NIANBAO_FILE_STORE": f"{workdir}/files", **settings}
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    reconfigure()
    try:
        command.upgrade(alembic_config(url), "head")
        with TestClient(create_app()) as client:
            yield Live(url, f"{workdir}/files", client, db.get_engine())
    finally:
        db.get_engine().dispose()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        reconfigure()
        _drop(url)


@pytest.fixture(scope="module", params=DATABASES)
def live(request: pytest.FixtureRequest) -> Iterator[Live]:
    yield from open_live(request.param)


def distinct_report(n: int, tag: str = "") -> dict:
    """A valid report of its own body, so each one is stored as a report of its own."""
    report = seed_report_json(seed_names()[n % len(seed_names())])
    report["organ"] = f"测试{tag}县第{n}局"
    return report


def hold_reading(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Make every read of an upload wait: (set when a read has started, set to let reads go on)."""
    started, go_on = threading.Event(), threading.Event()
    read = reading.read

    def held_read(**kwargs):  # type: ignore[no-untyped-def]
        started.set()
        assert go_on.wait(30)
        return read(**kwargs)

    monkeypatch.setattr(reading, "read", held_read)
    return started, go_on

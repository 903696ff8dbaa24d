"""Readiness: the database answers and its schema is at the newest migration."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.db import SQLITE_BEGIN, get_engine

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def readiness() -> dict:
    head = head_revision()
    try:
        reading = get_engine().execution_options(**{SQLITE_BEGIN: "DEFERRED"})  # takes no lock
        with reading.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError:
        return {"ready": False, "database": "unreachable", "migration": None, "head": head}
    return {"ready": current == head, "database": "ok", "migration": current, "head": head}

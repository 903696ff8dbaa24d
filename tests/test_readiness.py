"""/readyz says no while the database is behind its migrations or out of reach."""

from __future__ import annotations

from alembic import command
from fastapi.testclient import TestClient

from app import db
from app.config import get_settings
from app.main import create_app
from app.services.health import alembic_config


def _readyz(monkeypatch, url: str) -> tuple[int, dict]:
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    try:
        response = TestClient(create_app()).get("/readyz")
        return response.status_code, response.json()
    finally:
        get_settings.cache_clear()
        db.get_engine.cache_clear()


def test_ready_only_at_head(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    status, body = _readyz(monkeypatch, url)
    assert status == 503 and body["migration"] is None and body["database"] == "ok"
    command.upgrade(alembic_config(url), "head")
    status, body = _readyz(monkeypatch, url)
    assert status == 200 and body["ready"] is True and body["migration"] == body["head"]


def test_not_ready_when_the_database_is_unreachable(monkeypatch):
    status, body = _readyz(monkeypatch, "postgresql://nobody@127.0.0.1:1/none")
    assert status == 503 and body["database"] == "unreachable"

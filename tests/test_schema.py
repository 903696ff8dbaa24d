"""The committed OpenAPI document and the migrations both match the code."""

from __future__ import annotations

import json
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import app.models.tables  # noqa: F401
from app.main import create_app

ROOT = Path(__file__).resolve().parents[1]


def test_committed_openapi_matches_the_app():
    committed = json.loads((ROOT / "openapi" / "openapi.json").read_text(encoding="utf-8"))
    assert committed == create_app().openapi(), "run `nianbao openapi` and commit openapi/openapi.json"


def test_migrations_leave_nothing_for_autogenerate(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    rules = client.get("/api/v1/rules").json()
    assert {r["id"] for r in rules} >= {
        "T3-ROW-TOTAL",
        "T3-RESULT-SUM",
        "T3-BALANCE",
        "T4-TOTAL",
        "VALUE",
        "COMPLETE",
        "FORMAT",
        "YEAR-CARRY",
        "YEAR-IN-FORCE",
    }

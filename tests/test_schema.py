"""The committed OpenAPI document and the migrations both match the code."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    JSON,
    Float,
    Integer,
    Numeric,
    String,
    Text,
    column,
    create_engine,
    insert,
    inspect,
    select,
    table,
    text,
)
from sqlmodel import SQLModel

import app.models.tables  # noqa: F401
from app.db import make_engine
from app.main import create_app
from app.rules.cells import CELLS
from app.services.health import alembic_config
from tests.conftest import DATABASES, PG_ADMIN_URL

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


def test_cell_numbers_stored_are_the_code_s(session):
    stored = session.connection().execute(
        text("SELECT table_code, row_code, column_code FROM cell ORDER BY id")
    )
    assert [tuple(row) for row in stored] == list(CELLS)


@pytest.fixture(params=DATABASES)
def blank_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    name = f"nianbao_migrate_{os.getpid()}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_numbering_the_cells_keeps_every_stored_figure(blank_database):
    """Figures stored under text codes (before 0006) come through the upgrade and back unchanged."""
    config = alembic_config(blank_database)
    command.upgrade(config, "0005_confidence")
    engine = make_engine(blank_database)

    def codes() -> list:
        return [column(name, String) for name in ("table_code", "row_code", "column_code")]

    def provenance() -> list:
        return [
            column("value", Numeric(20, 6)),
            column("status", String),
            column("raw", Text),
            column("page", Integer),
            column("line", Integer),
            column("candidates", JSON),
            column("confidence", Float),
        ]

    old_figure = table("figure", column("report_id", Integer), *codes(), *provenance())
    figures = [
        ("table3", "result.total", "natural_person", Decimal("164"), "read", "164", 1, 92, None, None),
        ("table2", "fees", "amount_10k_yuan", Decimal("1941.7065"), "read", "1941.7065", 2, 7, None, None),
        ("table3", "new_received", "total", None, "ambiguous", "2 9", 1, 40, ["29", "2"], 0.5),
    ]
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO source_document (sha256, media_type, size, created_at) "
                "VALUES ('00', 'text/plain', 1, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO report (organ, organ_key, year, format, single_other_row, narrative, version, "
                "is_latest, source_id, valid, errors, warnings, infos, created_at) VALUES "
                "('某局', '某局', 2024, '2021', false, '', 1, true, 1, true, 0, 0, 0, CURRENT_TIMESTAMP)"
            )
        )
        names = [c.name for c in old_figure.c][1:]
        connection.execute(
            insert(old_figure), [{"report_id": 1, **dict(zip(names, f, strict=True))} for f in figures]
        )

    def stored() -> list[tuple]:
        with engine.connect() as connection:
            if "cell_id" not in {c["name"] for c in inspect(connection).get_columns("figure")}:
                return [tuple(r) for r in connection.execute(select(*old_figure.c[1:]))]
            cell = table("cell", column("id", Integer), *codes())
            new_figure = table("figure", column("cell_id", Integer), *provenance())
            query = select(*cell.c[1:], *new_figure.c[1:]).join_from(
                new_figure, cell, cell.c.id == new_figure.c.cell_id
            )
            return [tuple(r) for r in connection.execute(query)]

    command.upgrade(config, "head")
    assert sorted(stored(), key=lambda f: f[7]) == sorted(figures, key=lambda f: f[7])
    command.downgrade(config, "0005_confidence")
    assert sorted(stored(), key=lambda f: f[7]) == sorted(figures, key=lambda f: f[7])
    engine.dispose()

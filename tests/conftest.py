"""Fixtures: every database test runs on SQLite and on PostgreSQL, each test in a rolled-back
transaction over a schema built by `alembic upgrade head`."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from _pytest.mark.expression import Expression

_store = tempfile.mkdtemp(prefix="nianbao-files-")
os.environ["NIANBAO_FILE_STORE"] = _store
os.environ.setdefault("NIANBAO_WORKER_THREADS", "0")  # tests start the workers they need
# Tests make accounts and sign in a few hundred times: argon2id at its lightest cost here (as
# Django's test settings choose their hasher); the service keeps the library's defaults.
os.environ.update(
    NIANBAO_PASSWORD_TIME_COST="1",
    NIANBAO_PASSWORD_MEMORY_KIB=str(8 * 1024),
    NIANBAO_PASSWORD_PARALLELISM="1",
)

from alembic import command  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.db import get_session, make_engine  # noqa: E402
from app.main import create_app  # noqa: E402
from app.services.health import alembic_config  # noqa: E402

DATA = Path(__file__).parent / "data"
SEEDS = DATA / "seeds"
PG_ADMIN_URL = os.environ.get("NIANBAO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_TEST_DB = f"nianbao_test_{os.getpid()}"  # one per run, so runs side by side never collide
# The databases every database test runs on; `-m "not pg"` leaves PostgreSQL out.
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)]


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The API fuzz test (slow) builds its cases from the OpenAPI document while it is collected,
    seconds in every worker: a run that deselects slow tests does not read it."""
    markexpr = config.getoption("markexpr")
    if collection_path.name != "test_schemathesis.py" or not markexpr:
        return None
    return not Expression.compile(markexpr).evaluate(lambda mark, **_: mark == "slow") or None


def seed_names() -> list[str]:
    return sorted(p.stem for p in SEEDS.glob("*.txt"))


def expected(name: str) -> dict:
    return json.loads((SEEDS / "expected" / f"{name}.json").read_text(encoding="utf-8"))


def seed_report_json(name: str) -> dict:
    """A seed's hand-read figures as the JSON report the API accepts."""
    data = expected(name)
    return {key: data[key] for key in ("organ", "year", "format", "table2", "table3", "table4")}


def _postgres_url() -> str:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {PG_TEST_DB} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {PG_TEST_DB}"))
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_TEST_DB}"


def _drop_postgres() -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {PG_TEST_DB} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture(scope="session", params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    yield _postgres_url()
    _drop_postgres()


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    command.upgrade(alembic_config(db_url), "head")
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose every commit is a savepoint inside one transaction rolled back at the end."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def client(session: Session) -> Iterator[TestClient]:
    app = create_app()

    def _session() -> Iterator[Session]:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

    app.dependency_overrides[get_session] = _session
    with TestClient(app) as test_client:
        yield test_client


def form_token(client: TestClient, path: str = "/") -> str:
    """The CSRF token a page's forms carry for this client's session."""
    import re

    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, f"no form token on {path} ({page.status_code})"
    return found.group(1)

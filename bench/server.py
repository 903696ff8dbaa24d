"""A uvicorn server of the service on a fresh database, for the bench scripts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("NIANBAO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def database(kind: str, workdir: str, name: str) -> str:
    """A fresh database: a file under `workdir`, or a PostgreSQL database called `name`."""
    if kind == "sqlite":
        return f"sqlite:///{workdir}/{name}.db"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop(url: str) -> None:
    if url.startswith("postgresql"):
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)"))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    base: str
    process: subprocess.Popen
    log: Path
    env: dict[str, str]


@contextmanager
def serve(url: str, workdir: str, **settings: str) -> Iterator[Server]:
    """Migrate, then run one uvicorn process until the block ends; its log in `workdir`."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "NIANBAO_FILE_STORE": f"{workdir}/files",
        "NIANBAO_WORKER_THREADS": "0",
        **settings,
    }
    subprocess.run([sys.executable, "-m", "app.cli", "migrate"], cwd=ROOT, env=env, check=True)
    port = free_port()
    log = Path(workdir) / "server.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port), "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=handle,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        yield Server(base, process, log, env)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(30)


def unexpected_errors(log: Path) -> int:
    """Answers the server logged as its own fault (500 internal_error), whatever status reached the
    caller (the /gov/v1 envelope answers them with HTTP 200)."""
    return sum('"unexpected error"' in line for line in log.read_text("utf-8", "replace").splitlines())


def admin_token(env: dict[str, str]) -> str:
    """A new admin key's token, so the server enforces keys as in production."""
    created = subprocess.run(
        [sys.executable, "-m", "app.cli", "keys", "create", "--name", "bench", "--scopes", "admin"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return next(word for word in created.split() if word.startswith("nb_"))

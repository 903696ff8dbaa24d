"""How fast reports are validated in process and ingested through the API, beside a baseline.

1. Validation: reports per second through `app.rules.engine.validate` on drafts built from the
   five seeds' hand-read JSON, beside one plain pass over every figure of the same drafts.
2. Ingest: JSON reports per second through `POST /api/v1/reports/bulk` on a real uvicorn server,
   on SQLite (a temporary file) and on PostgreSQL (a database created for the run and dropped
   after it), beside a bare INSERT of the very rows the API stored (SQLAlchemy Core executemany;
   COPY for figures on PostgreSQL) into the same schema.

    .venv/bin/python bench/validate.py [--reports 1000] [--batch 250] [--no-postgres]

CPU seconds are printed beside wall seconds: on a shared machine the wall clock also counts
time spent waiting for a core.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from alembic import command  # noqa: E402
from sqlalchemy import create_engine, insert, select, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from app.db import make_engine  # noqa: E402
from app.extract.json_report import parse_report  # noqa: E402
from app.models.tables import FigureFlag, FigureRow, FindingRow, Report, SourceDocument  # noqa: E402
from app.rules.engine import validate  # noqa: E402
from app.services.health import alembic_config  # noqa: E402

SEEDS = ROOT / "tests" / "data" / "seeds" / "expected"
PG_ADMIN_URL = os.environ.get("NIANBAO_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PG_DB = f"nianbao_bench_ingest_{os.getpid()}"


def seed_reports() -> list[dict]:
    """The seeds' hand-read figures as the JSON reports the API accepts (as tests/conftest.py)."""
    keys = ("organ", "year", "format", "table2", "table3", "table4")
    return [
        {key: data[key] for key in keys}
        for data in (json.loads(p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.json")))
    ]


# ---- 1. validation in process --------------------------------------------------------------------


def _rate(run: Callable[[], int], seconds: float) -> tuple[float, float]:
    """(items per wall second, items per CPU second) of `run` repeated for about `seconds`."""
    done, wall, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - wall < seconds:
        done += run()
    return done / (time.perf_counter() - wall), done / (time.process_time() - cpu)


def bench_validation(seconds: float) -> None:
    drafts = [parse_report(report) for report in seed_reports()]
    for draft in drafts:
        validate(draft)  # layouts and relations are computed once, outside the measurement

    def validate_all() -> int:
        for draft in drafts:
            validate(draft)
        return len(drafts)

    def touch_all() -> int:
        for draft in drafts:
            for figure in draft.figures.values():
                if figure.value is None:
                    pass
        return len(drafts)

    wall, cpu = _rate(validate_all, seconds)
    base_wall, base_cpu = _rate(touch_all, seconds / 2)
    print("validation in process (app.rules.engine.validate, the five seeds in turn)")
    print(f"  validate                   {wall:10,.0f} reports/s   {cpu:10,.0f} per CPU-second")
    print(f"  baseline: one pass over    {base_wall:10,.0f} reports/s   {base_cpu:10,.0f} per CPU-second")
    print(f"  every figure of the draft  -> validate costs {base_cpu / cpu:.1f} such passes (CPU)")
    print("  target                         10,000 reports/s")


# ---- 2. ingest through the API ---------------------------------------------------------------------


def synthetic_reports(count: int, rng: random.Random) -> list[dict]:
    """Reports made from the seeds: four consecutive years per body, figures varied, none alike."""
    seeds = seed_reports()
    reports = []
    for i in range(count):
        report = copy.deepcopy(seeds[(i // 4) % len(seeds)])
        report["organ"] = f"{report['organ']}（基准{i // 4:05d}）"
        report["year"] = 2021 + i % 4
        row = rng.choice(sorted(report["table3"]))
        extra = rng.randint(1, 9)
        for column in ("natural_person", "total"):
            if report["table3"][row].get(column) is not None:
                report["table3"][row][column] += extra
        report["table2"]["licensing"]["decisions"] = rng.randint(0, 5000)
        reports.append(report)
    return reports


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


QUIET = ("--log-level", "warning", "--no-access-log")


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def server(database_url: str, file_store: Path) -> Iterator[tuple[str, int]]:
    """A uvicorn process serving the app on a free local port: (base URL, process id)."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "NIANBAO_FILE_STORE": str(file_store),
        "NIANBAO_WORKER_THREADS": "0",  # no batch worker polling beside the requests measured
        "NIANBAO_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port), *QUIET],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise RuntimeError("the server did not start")
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def post_batches(base: str, batches: list[bytes]) -> tuple[float, int]:
    """Post pre-serialised batches one after another; (seconds, reports stored)."""
    stored = 0
    with httpx.Client(base_url=base, timeout=120, headers={"content-type": "application/json"}) as client:
        started = time.perf_counter()
        for body in batches:
            response = client.post("/api/v1/reports/bulk", content=body)
            response.raise_for_status()
            stored += response.json()["created"]
        return time.perf_counter() - started, stored


TABLES = (SourceDocument, Report, FigureRow, FindingRow)


def read_back(engine: Engine) -> dict[str, list[dict]]:
    """Every row the API stored, to be inserted again by the baseline."""
    rows = {}
    with engine.connect() as connection:
        for model in TABLES:
            table = model.__table__  # type: ignore[attr-defined]
            columns = [c for c in table.c if not (model in (FigureRow, FindingRow) and c.name == "id")]
            order = table.c.report_id if model in (FigureRow, FindingRow) else table.c.id
            found = connection.execute(select(*columns).order_by(order))
            rows[table.name] = [dict(r._mapping) for r in found]
    return rows


def empty(engine: Engine) -> None:
    """No report left, nor the flags of their figures (report ids start again at 1 on SQLite)."""
    with engine.begin() as connection:
        for model in (FigureFlag, *reversed(TABLES)):
            connection.execute(model.__table__.delete())  # type: ignore[attr-defined]


def bare_insert(engine: Engine, rows: dict[str, list[dict]], batch: int) -> tuple[float, float]:
    """Insert the same rows, `batch` reports per transaction, as fast as Core goes.

    Returns (wall seconds, CPU seconds of this process)."""
    by_report: dict[str, dict[int, list[dict]]] = {"figure": {}, "finding": {}}
    for name in by_report:
        for row in rows[name]:
            by_report[name].setdefault(row["report_id"], []).append(row)
    sources = {row["id"]: row for row in rows["source_document"]}
    reports = rows["report"]
    postgres = engine.dialect.name == "postgresql"
    figure_columns = list(rows["figure"][0])
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(reports), batch):
        chunk = reports[start : start + batch]
        figures = [f for r in chunk for f in by_report["figure"].get(r["id"], [])]
        findings = [f for r in chunk for f in by_report["finding"].get(r["id"], [])]
        with engine.begin() as connection:
            connection.execute(insert(SourceDocument.__table__), [sources[r["source_id"]] for r in chunk])  # type: ignore[attr-defined]
            connection.execute(insert(Report.__table__), chunk)  # type: ignore[attr-defined]
            if postgres:
                driver = connection.connection.driver_connection
                with (
                    driver.cursor() as cursor,  # type: ignore[union-attr]
                    cursor.copy(f"COPY figure ({', '.join(figure_columns)}) FROM STDIN") as copy_in,
                ):
                    for f in figures:
                        copy_in.write_row([f[c] for c in figure_columns])
            else:
                connection.execute(insert(FigureRow.__table__), figures)  # type: ignore[attr-defined]
            if findings:
                connection.execute(insert(FindingRow.__table__), findings)  # type: ignore[attr-defined]
    return time.perf_counter() - started, time.process_time() - cpu


def bench_ingest(name: str, url: str, reports: list[dict], batch: int) -> None:
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    bodies = [
        json.dumps(reports[i : i + batch], ensure_ascii=False).encode() for i in range(0, len(reports), batch)
    ]
    warm = [json.dumps(synthetic_reports(8, random.Random(1)), ensure_ascii=False).encode()]
    with (
        tempfile.TemporaryDirectory(prefix="nianbao-bench-files-") as store,
        server(url, Path(store)) as (base, pid),
    ):
        post_batches(base, warm)
        empty(engine)
        cpu_before = cpu_seconds(pid)
        seconds, stored = post_batches(base, bodies)
        server_cpu = cpu_seconds(pid) - cpu_before
    assert stored == len(reports), f"{stored} of {len(reports)} stored"
    rows = read_back(engine)
    empty(engine)
    bare, bare_cpu = bare_insert(engine, rows, batch)
    engine.dispose()
    n = len(reports)
    each = f"~{len(rows['figure']) / n:.0f} figures, ~{len(rows['finding']) / n:.1f} findings each"
    print(f"ingest on {name}: {n} reports in batches of {batch} ({each})")
    print(f"  API  POST /api/v1/reports/bulk   {n / seconds:8,.0f} reports/s   ({seconds:.2f} s)")
    print(f"  bare INSERT of the same rows     {n / bare:8,.0f} reports/s   ({bare:.2f} s)")
    print(f"  ratio API / bare INSERT          {bare / seconds:8.2f}")
    cpu = f"{n / server_cpu:8,.0f} reports   (bare INSERT: {n / bare_cpu:,.0f})"
    print(f"  per CPU-second of the API server {cpu}")


@contextmanager
def postgres_database() -> Iterator[str]:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {PG_DB}"))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DB}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=1000, help="reports posted per database")
    parser.add_argument("--batch", type=int, default=250, help="reports per request")
    parser.add_argument("--seconds", type=float, default=2.0, help="time spent measuring validation")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args()

    bench_validation(args.seconds)
    reports = synthetic_reports(args.reports, random.Random(2026))
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        bench_ingest("SQLite", f"sqlite:///{tmp}/bench.db", reports, args.batch)
    if not args.no_postgres:
        with postgres_database() as url:
            bench_ingest("PostgreSQL", url, reports, args.batch)


if __name__ == "__main__":
    main()

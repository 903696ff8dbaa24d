"""Aggregates at national scale: load one synthetic year, time typical queries beside hand-written SQL.

    python -m bench.aggregates                       # PostgreSQL (150 000 reports) and SQLite (20 000)
    python -m bench.aggregates --backend sqlite --reports 5000

Bodies are spread over the gazetteer as they are in life: every township government, about twenty
departments and the government of every county, about forty departments of every prefecture and
sixty of every province, sampled down to the number of reports asked for. Every report carries all
200 figures of the 2021 layout; one in twenty leaves table 四 blank, one in ten has errors, each on
three cells of table 三 (`figure_flag`), one in five of those also an impossible value.

Each query runs through `app.services.aggregates.aggregate` and as the same two statements written
by hand in SQL, interleaved, on one connection; p50 and p95 of each and their ratio are printed.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.schema import AddConstraint, DropConstraint
from sqlmodel import Session

from app.db import make_engine
from app.layout import Format, layout
from app.models.tables import FigureRow
from app.rules.cells import CELL_IDS
from app.services.aggregates import aggregate, parse_figures
from app.services.gazetteer import PATH_COLUMNS, gazetteer
from app.services.health import alembic_config
from app.services.scope import NATIONAL

PG_ADMIN_URL = os.environ.get("NIANBAO_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PG_DB = "nianbao_bench_agg"
YEAR = 2024
CELLS = layout(Format.F2021).cells
REPORT_COLUMNS = [
    *("id", "organ", "organ_key", "year", "format", "single_other_row", "scope", "region_code"),
    *PATH_COLUMNS.values(),
    *("narrative", "version", "is_latest", "source_id", "valid", "errors", "warnings", "infos", "created_at"),
]


# ---- synthetic bodies -----------------------------------------------------------------------------


def bodies(count: int, seed: int = 7) -> list[tuple[str, str]]:
    """(organ, region code) for `count` bodies spread over the gazetteer like real publishers."""
    gaz = gazetteer()
    found: list[tuple[str, str]] = []
    for region in gaz.by_code.values():
        if region.source != "nbs":
            continue
        departments = {"province": 70, "prefecture": 50, "county": 30, "township": 0}[region.level]
        found.append((f"{region.name}人民政府", region.code))
        found += [(f"{region.name}第{i}局", region.code) for i in range(1, departments + 1)]
    random.Random(seed).shuffle(found)
    return found[:count]


def report_rows(count: int) -> Iterator[tuple]:
    gaz = gazetteer()
    rng = random.Random(11)
    for i, (organ, code) in enumerate(bodies(count), start=1):
        path = gaz.path_columns(code)
        errors = 1 if rng.random() < 0.1 else 0
        yield (
            i,
            organ,
            f"{organ}#{code}",  # names repeat across the country; the key must not
            YEAR,
            "2021",
            False,
            "本机关",
            code,
            *(path[c] for c in PATH_COLUMNS.values()),
            "",
            1,
            True,
            i,
            errors == 0,
            errors,
            0,
            0,
            "2025-01-20 00:00:00+00",
        )


def flag_rows(count: int) -> Iterator[tuple[int, int, bool]]:
    """(report, cell, invalid): the reports `report_rows` gives errors, three table 三 cells each."""
    rng = random.Random(11)  # the same draws as report_rows
    numbers = [CELL_IDS[cell] for cell in CELLS if cell[0] == "table3"]
    for report_id in range(1, count + 1):
        if rng.random() < 0.1:
            for n, cell in enumerate(sorted(random.Random(report_id).sample(numbers, 3))):
                yield report_id, cell, report_id % 5 == 0 and n == 0


def _figures(count: int) -> Iterator[tuple[int, list[int | None]]]:
    """(report id, a value or None per cell of CELLS): counts 0–40, table 四 blank in one in twenty."""
    rng = random.Random(13)
    table4 = [i for i, cell in enumerate(CELLS) if cell[0] == "table4"]
    for report_id in range(1, count + 1):
        values: list[int | None] = list(rng.choices(range(41), k=len(CELLS)))
        if rng.random() < 0.05:
            for i in table4:
                values[i] = None
        yield report_id, values


def figure_rows(count: int) -> Iterator[tuple]:
    for report_id, values in _figures(count):
        for cell, value in zip(CELLS, values, strict=True):
            yield (report_id, CELL_IDS[cell], value, "read" if value is not None else "blank")


def figure_copy_text(count: int, batch: int = 2_000) -> Iterator[str]:
    """The same rows as `figure_rows`, as COPY text, `batch` reports at a time."""
    numbers = [CELL_IDS[cell] for cell in CELLS]
    lines: list[str] = []
    for report_id, values in _figures(count):
        for number, value in zip(numbers, values, strict=True):
            if value is None:
                lines.append(f"{report_id}\t{number}\t\\N\tblank\n")
            else:
                lines.append(f"{report_id}\t{number}\t{value}\tread\n")
        if report_id % batch == 0:
            yield "".join(lines)
            lines = []
    yield "".join(lines)


# ---- loading --------------------------------------------------------------------------------------


def _copy(cursor, table: str, columns: list[str], rows: Iterator[tuple], batch: int = 200_000) -> None:
    """COPY in text format, built in batches of lines."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with cursor.copy(statement) as copy:
        buffer = io.StringIO()
        for n, row in enumerate(rows, start=1):
            buffer.write("\t".join(r"\N" if v is None else str(v) for v in row))
            buffer.write("\n")
            if n % batch == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


FIGURE_COLUMNS = ["report_id", "cell_id", "value", "status"]


def load_postgres(count: int) -> tuple[str, float]:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {PG_DB}"))
    admin.dispose()
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DB}"
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(url)
    started = time.perf_counter()
    figure = FigureRow.__table__  # type: ignore[attr-defined]
    indexes = list(figure.indexes)
    with engine.begin() as connection:  # the rows first, then the key and the index
        for index in indexes:
            index.drop(connection)
        connection.execute(DropConstraint(figure.primary_key))
        raw = connection.connection.dbapi_connection
        assert raw is not None
        with raw.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")  # no FK trigger per row
            _copy(
                cursor,
                "source_document",
                ["id", "sha256", "media_type", "size", "created_at"],
                (
                    (i, f"{i:064x}", "application/json", 1, "2025-01-20 00:00:00+00")
                    for i in range(1, count + 1)
                ),
            )
            _copy(cursor, "report", REPORT_COLUMNS, report_rows(count))
            _copy(
                cursor,
                "figure_flag",
                ["report_id", "cell_id", "invalid"],
                ((r, c, "t" if v else "f") for r, c, v in flag_rows(count)),
            )
            with cursor.copy(f"COPY figure ({', '.join(FIGURE_COLUMNS)}) FROM STDIN") as copy:
                for block in figure_copy_text(count):
                    copy.write(block)
            cursor.execute("SET session_replication_role = origin")
        connection.execute(AddConstraint(figure.primary_key))
        for index in indexes:
            index.create(connection)
        for table in ("source_document", "report"):
            connection.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
            )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return url, time.perf_counter() - started


def load_sqlite(count: int, path: Path) -> tuple[str, float]:
    url = f"sqlite:///{path}"
    command.upgrade(alembic_config(url), "head")
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = OFF")
    marks = lambda n: ", ".join("?" * n)  # noqa: E731
    with connection:
        connection.executemany(
            f"INSERT INTO source_document (id, sha256, media_type, size, created_at) VALUES ({marks(5)})",
            ((i, f"{i:064x}", "application/json", 1, "2025-01-20 00:00:00") for i in range(1, count + 1)),
        )
        connection.executemany(
            f"INSERT INTO report ({', '.join(REPORT_COLUMNS)}) VALUES ({marks(len(REPORT_COLUMNS))})",
            ((*row[:-1], "2025-01-20 00:00:00") for row in report_rows(count)),
        )
        connection.executemany(
            f"INSERT INTO figure ({', '.join(FIGURE_COLUMNS)}) VALUES ({marks(len(FIGURE_COLUMNS))})",
            figure_rows(count),
        )
        connection.executemany(
            "INSERT INTO figure_flag (report_id, cell_id, invalid) VALUES (?, ?, ?)", flag_rows(count)
        )
    connection.execute("ANALYZE")
    connection.close()
    return url, time.perf_counter() - started


# ---- the queries ----------------------------------------------------------------------------------


@dataclass
class Query:
    name: str
    params: dict
    sql: tuple[str, ...]  # the report counts, the figure sums and the flags, by hand


def _cells(codes: list[str]) -> str:
    """The figure rows of these cells, the numbers looked up in the table `cell` by their codes."""
    cells = [(code.split(".")[0], ".".join(code.split(".")[1:-1]), code.split(".")[-1]) for code in codes]
    listed = ", ".join(f"('{t}', '{r}', '{c}')" for t, r, c in cells)
    return f"f.cell_id IN (SELECT id FROM cell WHERE (table_code, row_code, column_code) IN ({listed}))"


def _flags(keys: str, where: str, codes: list[str]) -> str:
    """The flags of the figures asked for, and the impossible values to take out of the sums."""
    return (
        f"SELECT {keys}, g.cell_id, count(*), sum(CASE WHEN g.invalid THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN g.invalid THEN f.value END), count(CASE WHEN g.invalid THEN f.value END) "
        f"FROM figure_flag g JOIN report r ON r.id = g.report_id "
        f"LEFT JOIN figure f ON f.report_id = g.report_id AND f.cell_id = g.cell_id "
        f"WHERE {where} AND {_cells(codes).replace('f.cell_id', 'g.cell_id')} GROUP BY {keys}, g.cell_id"
    )


def queries(busiest_province: str, division: str) -> list[Query]:
    twenty = ",".join([f"{t}.{r}.{c}" for t, r, c in CELLS if t == "table3"][:20])
    whole = "table3"
    latest = "r.is_latest AND (r.scope IS NULL OR r.scope <> '汇总')"
    return [
        Query(
            "one figure by prefecture, one year",
            {
                "figures": "table3.new_received.total",
                "group_by": ["region"],
                "region_level": "prefecture",
                "year": YEAR,
            },
            (
                f"SELECT r.region_prefecture, count(*), sum(CASE WHEN r.errors > 0 THEN 1 ELSE 0 END) "
                f"FROM report r WHERE {latest} AND r.year = {YEAR} AND r.region_prefecture IS NOT NULL "
                f"GROUP BY r.region_prefecture",
                f"SELECT r.region_prefecture, sum(f.value), count(f.value) FROM figure f "
                f"JOIN report r ON r.id = f.report_id WHERE {latest} AND r.year = {YEAR} "
                f"AND r.region_prefecture IS NOT NULL AND {_cells(['table3.new_received.total'])} "
                f"GROUP BY r.region_prefecture",
                _flags(
                    "r.region_prefecture",
                    f"{latest} AND r.year = {YEAR} AND r.region_prefecture IS NOT NULL",
                    ["table3.new_received.total"],
                ),
            ),
        ),
        Query(
            "20 figures by county under one province",
            {
                "figures": twenty,
                "group_by": ["region"],
                "region_level": "county",
                "region": busiest_province,
                "year": YEAR,
            },
            (
                f"SELECT r.region_county, count(*), sum(CASE WHEN r.errors > 0 THEN 1 ELSE 0 END) "
                f"FROM report r WHERE {latest} AND r.year = {YEAR} "
                f"AND r.region_province = '{busiest_province}' "
                f"AND r.region_county IS NOT NULL GROUP BY r.region_county",
                f"SELECT r.region_county, f.cell_id, sum(f.value), count(f.value) "
                f"FROM figure f JOIN report r ON r.id = f.report_id WHERE {latest} AND r.year = {YEAR} "
                f"AND r.region_province = '{busiest_province}' AND r.region_county IS NOT NULL "
                f"AND {_cells(twenty.split(','))} GROUP BY r.region_county, f.cell_id",
                _flags(
                    "r.region_county",
                    f"{latest} AND r.year = {YEAR} AND r.region_province = '{busiest_province}' "
                    f"AND r.region_county IS NOT NULL",
                    twenty.split(","),
                ),
            ),
        ),
        Query(
            "whole table 三 by year for one 师",
            {"figures": whole, "group_by": ["year"], "tree": "xpcc", "region": division},
            (
                f"SELECT r.year, count(*), sum(CASE WHEN r.errors > 0 THEN 1 ELSE 0 END) FROM report r "
                f"WHERE {latest} AND r.xpcc_division = '{division}' GROUP BY r.year",
                f"SELECT r.year, f.cell_id, sum(f.value), count(f.value) "
                f"FROM figure f JOIN report r ON r.id = f.report_id "
                f"WHERE {latest} AND r.xpcc_division = '{division}' "
                f"AND {_cells([f'{t}.{r}.{c}' for t, r, c in CELLS if t == 'table3'])} "
                f"GROUP BY r.year, f.cell_id",
                _flags(
                    "r.year",
                    f"{latest} AND r.xpcc_division = '{division}'",
                    [f"{t}.{r}.{c}" for t, r, c in CELLS if t == "table3"],
                ),
            ),
        ),
    ]


def _timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def _p(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]
    )


def run(url: str, label: str, count: int, load_seconds: float, repeat: int) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        province = session.exec(  # type: ignore[call-overload]
            text("SELECT region_province FROM report GROUP BY region_province ORDER BY count(*) DESC LIMIT 1")
        ).scalar_one()
        division = session.exec(  # type: ignore[call-overload]
            text(
                "SELECT xpcc_division FROM report WHERE xpcc_division IS NOT NULL "
                "GROUP BY xpcc_division ORDER BY count(*) DESC LIMIT 1"
            )
        ).scalar_one()
        figures = session.exec(text("SELECT count(*) FROM figure")).scalar_one()  # type: ignore[call-overload]
        print(f"\n{label}: {count} reports, {figures} figure rows, loaded in {load_seconds:.1f} s")
        print(f"  (province {province}, 师 {division}; {repeat} runs each, after 2 warm-up runs)")
        heads = f"{'service p50':>11} {'p95':>8} {'SQL p50':>9} {'p95':>8} {'ratio p50':>9} {'p95':>6}"
        print(f"  {'query':42} {heads}")
        for query in queries(province, division):
            params = dict(query.params)
            cells = parse_figures(params.pop("figures"))

            def service(params: dict = params, cells: list = cells) -> object:
                return aggregate(session=session, figures=cells, within=NATIONAL, **params)

            def by_hand(sql: tuple[str, ...] = query.sql) -> object:
                return [session.exec(text(statement)).all() for statement in sql]  # type: ignore[call-overload]

            for _ in range(2):
                service(), by_hand()
            ours, theirs = [], []
            for _ in range(repeat):
                ours.append(_timed(service))
                theirs.append(_timed(by_hand))
            p50, p95 = _p(ours, 50), _p(ours, 95)
            s50, s95 = _p(theirs, 50), _p(theirs, 95)
            print(
                f"  {query.name:42} {p50:9.1f}ms {p95:6.1f}ms {s50:7.1f}ms {s95:6.1f}ms "
                f"{p50 / s50:9.2f} {p95 / s95:6.2f}"
            )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description="aggregates at national scale")
    parser.add_argument("--backend", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument(
        "--reports", type=int, help="reports to load (150 000 on PostgreSQL, 20 000 on SQLite)"
    )
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    parser.add_argument("--reuse", action="store_true", help="time the PostgreSQL database a --keep run left")
    args = parser.parse_args()
    if args.backend in ("postgresql", "both"):
        count = args.reports or 150_000
        if args.reuse:
            url, seconds = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DB}", float("nan")
        else:
            url, seconds = load_postgres(count)
        run(url, "PostgreSQL", count, seconds, args.repeat)
        if not (args.keep or args.reuse):
            admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"))
            admin.dispose()
    if args.backend in ("sqlite", "both"):
        count = args.reports or 20_000
        with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
            url, seconds = load_sqlite(count, Path(tmp) / "bench.db")
            run(url, "SQLite", count, seconds, args.repeat)


if __name__ == "__main__":
    main()

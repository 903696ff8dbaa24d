"""The set-based statements that write reports: a handful of queries whatever the count.

Rows are inserted with their ids handed back in order, figures through COPY on PostgreSQL and
the driver's executemany on SQLite, and the cross-year findings of stored reports replaced with
their counts and flags recomputed in SQL.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.types.json import Json
from sqlalchemy import Connection, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.draft import Draft, Finding, Severity
from app.layout import MAX_COUNT
from app.models.api import Counts
from app.rules.cells import CELL_IDS
from app.rules.engine import CROSS_YEAR_RULES
from app.services.report_store import FIGURE, FINDING, FLAG, REPORT, finding_rows, flag_rows, stored_figure


def supersede(session: Session, report_ids: list[int]) -> None:
    """These reports are no longer their body's latest for the year."""
    if report_ids:
        session.execute(update(REPORT).where(REPORT.c.id.in_(report_ids)).values(is_latest=False))


def _param(value: Any) -> Any:
    """A JSON column's value as psycopg takes it (a list would become an array)."""
    return Json(value) if isinstance(value, list | dict) else value


@contextmanager
def _driver_cursor(connection: Connection) -> Iterator[psycopg.Cursor]:
    """psycopg's own cursor, used where SQLAlchemy's statements cost too much. A connection lost
    under it (a backend terminated in the middle of a pipeline) is reported as SQLAlchemy reports
    one: invalidated, so the request runs again on a new connection instead of failing with 500."""
    driver = connection.connection.driver_connection
    try:
        with driver.cursor() as cursor:  # type: ignore[union-attr]
            yield cursor
    except psycopg.OperationalError as error:
        if not driver.broken:  # type: ignore[union-attr]
            raise
        connection.invalidate(error)
        raise OperationalError(None, None, error, connection_invalidated=True) from error


def insert_returning_ids(session: Session, table: Table, rows: list[dict]) -> list[int]:
    """Insert rows and hand back their new ids in the order of the rows.

    On PostgreSQL, psycopg's pipelined executemany runs one prepared statement per row; a
    multi-row INSERT of hundreds of rows costs more to build and parse than to run.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        result = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
        return list(result.scalars())
    columns = list(rows[0])
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) RETURNING id"
    )
    ids = []
    with _driver_cursor(connection) as cursor:
        values = [tuple(_param(row[c]) for c in columns) for row in rows]
        cursor.executemany(sql, values, returning=True)
        while True:
            row = cursor.fetchone()
            assert row is not None  # every statement returns its id
            ids.append(row[0])
            if not cursor.nextset():
                break
    return ids


_FIGURE_COLUMNS = (
    "report_id",
    "cell_id",
    "value",
    "status",
    "raw",
    "note",
    "page",
    "line",
    "candidates",
    "confidence",
)


def insert_figures(session: Session, reports: list[tuple[int, Draft]]) -> None:
    """Figures are most of the rows, so they skip per-row statement building: PostgreSQL takes
    them through COPY, SQLite through the driver's own executemany."""
    connection = session.connection()
    columns = ", ".join(_FIGURE_COLUMNS)
    if connection.dialect.name == "postgresql":
        with (
            _driver_cursor(connection) as cursor,
            cursor.copy(f"COPY figure ({columns}) FROM STDIN") as copy,
        ):
            for report_id, draft in reports:
                for row in _figure_tuples(report_id, draft, bind_value=None):  # COPY keeps decimals exact
                    copy.write_row(row)
        return
    bind_value = FIGURE.c.value.type.bind_processor(connection.dialect)
    rows = [
        row for report_id, draft in reports for row in _figure_tuples(report_id, draft, bind_value=bind_value)
    ]
    if rows:  # an empty list would be taken for no parameters at all
        connection.exec_driver_sql(
            f"INSERT INTO figure ({columns}) VALUES ({', '.join('?' for _ in _FIGURE_COLUMNS)})", rows
        )


def _figure_tuples(report_id: int, draft: Draft, *, bind_value: Callable | None) -> Iterator[tuple]:
    """A report's figures as the driver takes them: JSON as text, the value as its column binds it."""
    kinds = draft.layout.kinds
    for key, given in draft.figures.items():
        # a plain count is the common case: only other values are checked against the column
        plain = type(given.value) is int and 0 <= given.value < MAX_COUNT
        figure = given if plain else stored_figure(given, kinds[key])
        value, candidates, raw = figure.value, figure.candidates, figure.raw
        yield (
            report_id,
            CELL_IDS[key],
            bind_value(value) if bind_value is not None and value is not None else value,
            str(figure.status),  # the plain text of a StrEnum, cheaper than .value
            raw,
            figure.note,
            figure.page,
            figure.line,
            json.dumps([str(v) for v in candidates]) if candidates else None,
            figure.confidence,
        )


def insert_findings(session: Session, reports: list[tuple[int, list[Finding]]]) -> None:
    """New reports' findings, and the flags of the figures their errors read."""
    findings = [row for report_id, found in reports for row in finding_rows(report_id, found)]
    if findings:
        session.execute(insert(FINDING), findings)
    flags = [row for report_id, found in reports for row in flag_rows(report_id, found)]
    if flags:
        session.execute(insert(FLAG), flags)


def _reflag(session: Session, ids: list[int]) -> None:
    """The flags of these reports again, from all their error findings as now stored."""
    session.execute(delete(FLAG).where(FLAG.c.report_id.in_(ids)))
    by_report: dict[int, list[Finding]] = defaultdict(list)
    for report_id, rule, cells in session.execute(
        select(FINDING.c.report_id, FINDING.c.rule, FINDING.c.cells).where(
            FINDING.c.report_id.in_(ids), FINDING.c.severity == Severity.ERROR.value
        )
    ):
        by_report[report_id].append(Finding(rule=rule, severity=Severity.ERROR, message="", cells=cells))
    flags = [row for report_id, found in by_report.items() for row in flag_rows(report_id, found)]
    if flags:
        session.execute(insert(FLAG), flags)


def replace_cross_year(session: Session, rechecked: list[tuple[int, list[Finding]]]) -> None:
    """Stored reports whose previous year arrived: new cross-year findings, counts from SQL."""
    ids = [report_id for report_id, _ in rechecked]
    session.execute(delete(FINDING).where(FINDING.c.report_id.in_(ids), FINDING.c.rule.in_(CROSS_YEAR_RULES)))
    fresh = [row for report_id, found in rechecked for row in finding_rows(report_id, found)]
    if fresh:
        session.execute(insert(FINDING), fresh)
    _reflag(session, [i for i in ids if i is not None])
    tally: dict[int, Counts] = defaultdict(Counts)
    for report_id, severity, n in session.execute(
        select(FINDING.c.report_id, FINDING.c.severity, func.count())
        .where(FINDING.c.report_id.in_(ids))
        .group_by(FINDING.c.report_id, FINDING.c.severity)
    ):
        setattr(tally[report_id], severity, n)
    session.execute(
        update(REPORT)
        .where(REPORT.c.id == bindparam("report_id"))
        .values(
            errors=bindparam("n_error"),
            warnings=bindparam("n_warning"),
            infos=bindparam("n_info"),
            valid=bindparam("no_error"),
        ),
        [
            {
                "report_id": i,
                "n_error": tally[i].error,  # type: ignore[index]
                "n_warning": tally[i].warning,  # type: ignore[index]
                "n_info": tally[i].info,  # type: ignore[index]
                "no_error": tally[i].error == 0,  # type: ignore[index]
            }
            for i in ids
        ],
    )

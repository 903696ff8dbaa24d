"""The report repository: the rows a report is stored as, and the queries that read them back.

Between rows and drafts (a stored report and its figure rows become a draft again; a draft's
findings and flags become rows), and every read of the report tables the services share.
`app.services.report_writes` holds the set-based statements that write them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from sqlalchemy import Row, Table, func, tuple_
from sqlalchemy import select as select_rows
from sqlalchemy.engine import Dialect
from sqlmodel import Session, col, select

from app.draft import REPORT_FIELDS, Draft, Figure, Finding, Location, Scope, Severity, Status, Value
from app.layout import Format, Kind, storable
from app.models.tables import FigureFlag, FigureRow, FindingRow, Report, SourceDocument
from app.rules.cells import CELL_NUMBERS, Key, cell_of
from app.rules.naming import fmt_value, organ_key
from app.services import files, scope
from app.services.bodies import identity
from app.services.scope import RegionScope

JSON_MEDIA_TYPE = "application/json"

REPORT: Table = Report.__table__  # type: ignore[attr-defined]
SOURCE: Table = SourceDocument.__table__  # type: ignore[attr-defined]
FIGURE: Table = FigureRow.__table__  # type: ignore[attr-defined]
FINDING: Table = FindingRow.__table__  # type: ignore[attr-defined]
FLAG: Table = FigureFlag.__table__  # type: ignore[attr-defined]


@dataclass
class Upload:
    """The bytes a report came from: an uploaded file, or the canonical form of a JSON report."""

    data: bytes
    media_type: str
    filename: str | None = None

    @cached_property
    def sha256(self) -> str:
        return files.sha256(self.data)

    @property
    def is_json(self) -> bool:
        """A JSON report, kept in its database row rather than the file store."""
        return self.media_type == JSON_MEDIA_TYPE


# ---- the keys a body's reports are stored under ---------------------------------------------------


def report_body_key(draft: Draft, region_code: str | None) -> str:
    """The body's identity; a 汇总 report (a whole area's figures) is apart from the body's own."""
    key = identity(draft.organ, region_code)[1]
    return f"{key}#{Scope.AREA.value}" if draft.scope is Scope.AREA else key


def move_body(
    *,
    session: Session,
    from_key: str,
    to_key: str,
    only: Callable[[str, str | None], bool] | None = None,
) -> int:
    """Count a body's stored reports (its own and its 汇总 ones) with another body of the registry;
    `only` picks them by printed name and region. How many moved."""
    pairs = {from_key: to_key, f"{from_key}#{Scope.AREA.value}": f"{to_key}#{Scope.AREA.value}"}
    moved = 0
    for report in session.exec(select(Report).where(col(Report.body_key).in_(list(pairs)))):
        if only is not None and not only(report.organ, report.region_code):
            continue
        report.body_key = pairs[report.body_key or ""]
        session.add(report)
        moved += 1
    return moved


def organ_keys(session: Session, body_keys: Iterable[str]) -> dict[str, str]:
    """The organ_key of the first report stored under each of these body keys that has one."""
    known: dict[str, str] = {}
    wanted = sorted(set(body_keys))
    for start in range(0, len(wanted), 500):
        for body_key, key in session.execute(
            select_rows(REPORT.c.body_key, REPORT.c.organ_key)
            .where(REPORT.c.body_key.in_(wanted[start : start + 500]))
            .order_by(REPORT.c.id)
        ):
            known[body_key] = key
    return known


# ---- between rows and drafts -------------------------------------------------------------------


def _fit(text: str | None, size: int = 200) -> str | None:
    """A finding's reported or expected value within its column (a 4,000-digit count is not)."""
    return text if text is None or len(text) <= size else text[: size - 1] + "…"


def stored_figure(figure: Figure, kind: Kind | None) -> Figure:
    """A figure as the figure column holds it: a value beyond it (a VALUE error) is stored blank
    and unreadable with the text it was given, never rounded, Infinity or overflowing."""
    value = figure.value
    if value is None or kind is None or storable(kind, value):
        return figure
    raw = figure.raw if figure.raw is not None else fmt_value(value)
    return replace(figure, value=None, status=Status.UNREADABLE, raw=_fit(raw, 100))


def finding_rows(report_id: int, findings: list[Finding]) -> list[dict]:
    return [
        {
            "report_id": report_id,
            "rule": f.rule,
            "severity": f.severity.value,
            "table_code": f.location.table,
            "row_code": f.location.row,
            "column_code": f.location.column,
            "page": f.location.page,
            "cells": f.cells,
            "reported": _fit(f.reported),
            "expected": _fit(f.expected),
            "message": f.message,
            "message_en": f.message_en,
            "hint": f.hint,
        }
        for f in findings
    ]


def flag_rows(report_id: int, findings: list[Finding]) -> list[dict]:
    """The figures the error findings read, once each; `invalid` where VALUE found the value
    impossible, so sums leave it out."""
    flags: dict[int, bool] = {}
    for finding in findings:
        if finding.severity != Severity.ERROR:
            continue
        for code in finding.cells:
            number = CELL_NUMBERS.get(code)
            if number is not None:
                flags[number] = flags.get(number, False) or finding.rule == "VALUE"
    return [{"report_id": report_id, "cell_id": n, "invalid": v} for n, v in flags.items()]


def finding_of(row: FindingRow) -> Finding:
    return Finding(
        rule=row.rule,
        severity=Severity(row.severity),
        message=row.message,
        message_en=row.message_en,
        location=Location(row.table_code, row.row_code, row.column_code, row.page),
        cells=list(row.cells),
        reported=row.reported,
        expected=row.expected,
        hint=row.hint,
    )


def _loaded_value(draft: Draft, key: Key, value: Decimal | None) -> int | Decimal | None:
    if value is None:
        return None
    return value.normalize() if draft.layout.kind(*key) is Kind.MONEY else int(value)


def draft_of(report: Report | Row, rows: Iterable[Any]) -> Draft:
    """A stored report and its figure rows back into a draft."""
    fields = {name: getattr(report, name) for name in REPORT_FIELDS}
    fields |= {"format": Format(report.format), "scope": Scope(report.scope) if report.scope else None}
    draft = Draft(**fields, narrative=report.narrative)
    for row in rows:
        key = cell_of(row.cell_id)
        draft.figures[key] = Figure(
            _loaded_value(draft, key, row.value),
            Status(row.status),
            raw=row.raw,
            note=row.note,
            page=row.page,
            line=row.line,
            candidates=[Decimal(v) if "." in v else int(v) for v in row.candidates]
            if row.candidates
            else None,
            confidence=row.confidence,
        )
    return draft


def _stored_money(value: Value, dialect: Dialect) -> Decimal:
    """A money figure as the value column gives it back: on PostgreSQL rounded half away from zero
    to the column's scale, on SQLite through the float it is stored as."""
    column = FigureRow.__table__.c.value.type  # type: ignore[attr-defined]
    typed = column.dialect_impl(dialect)
    to_column = typed.bind_processor(dialect)
    if to_column is not None:
        return typed.result_processor(dialect, None)(to_column(value)).normalize()
    money = Decimal(value)
    if money.as_tuple().exponent < -column.scale:  # type: ignore[operator]  # finite: checked on input
        money = money.quantize(Decimal(1).scaleb(-column.scale), ROUND_HALF_UP)
    return money.normalize()


def as_stored(draft: Draft, region_code: str | None, dialect: Dialect) -> Draft:
    """The draft as `get` reads it back once stored: the region it is counted under, money as the
    value column keeps it, counts as integers, candidates as their stored text reads."""
    figures = {}
    for key, given in draft.figures.items():
        kind = draft.layout.kind(*key)
        figure = stored_figure(given, kind)
        value = figure.value
        if value is not None:
            value = _stored_money(value, dialect) if kind is Kind.MONEY else int(value)
        candidates = figure.candidates
        if candidates:
            candidates = [Decimal(v) if "." in v else int(v) for v in map(str, candidates)]
        figures[key] = replace(figure, value=value, candidates=candidates or None)
    return replace(draft, region_code=region_code, figures=figures)


# ---- reading -------------------------------------------------------------------------------------


def load_draft(session: Session, report: Report) -> Draft:
    return draft_of(report, session.exec(select(FigureRow).where(FigureRow.report_id == report.id)))


def findings_of(session: Session, report_id: int) -> list[FindingRow]:
    """A stored report's finding rows in the order they were written."""
    return list(
        session.exec(select(FindingRow).where(FindingRow.report_id == report_id).order_by(col(FindingRow.id)))
    )


def finding_ids(session: Session, report_id: int) -> list[int | None]:
    """The ids a report's findings were stored with, in the order they were written."""
    return list(
        session.exec(
            select(FindingRow.id).where(FindingRow.report_id == report_id).order_by(col(FindingRow.id))
        ).all()
    )


def stored(*, session: Session, report_id: int, within: RegionScope) -> Report:
    """A stored report the caller may see; 404 alike for none and for one out of their scope."""
    return scope.require_visible(within, session.get(Report, report_id), f"编号为 {report_id} 的报告")


def latest_of_body(
    session: Session, draft: Draft, region_code: str | None, year: int | None
) -> Report | None:
    """The latest version of the body's report of a year, whichever way the body printed its name
    (its reports are stored under the organ_key of the newest report with its body key): one
    query, and none without a year."""
    if year is None:
        return None
    stored = (
        select_rows(REPORT.c.organ_key)
        .where(REPORT.c.body_key == report_body_key(draft, region_code))
        .order_by(REPORT.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    key = func.coalesce(func.nullif(stored, ""), organ_key(draft.organ or ""))
    return session.exec(
        select(Report).where(Report.organ_key == key, Report.year == year, Report.is_latest)
    ).first()


def stored_by_digest(session: Session, digests: set[str]) -> dict[str, Row]:
    """The newest report stored from each of these contents."""
    rows = session.execute(
        select_rows(SOURCE.c.sha256, REPORT)
        .join(REPORT, REPORT.c.source_id == SOURCE.c.id)
        .where(SOURCE.c.sha256.in_(digests))
        .order_by(REPORT.c.id)
    )
    return {row.sha256: row for row in rows}


def latest_around(session: Session, years: set[tuple[str, int]]) -> list[tuple[Row, Draft]]:
    """The stored latest reports of these bodies for each year, the year before and the year
    after, each with its draft."""
    if not years:
        return []
    wanted = {(key, year + step) for key, year in years for step in (-1, 0, 1)}
    reports = session.execute(
        select_rows(REPORT).where(REPORT.c.is_latest, tuple_(REPORT.c.organ_key, REPORT.c.year).in_(wanted))
    ).all()
    if not reports:
        return []
    figures: dict[Any, list[Row]] = defaultdict(list)
    for row in session.execute(select_rows(FIGURE).where(FIGURE.c.report_id.in_([r.id for r in reports]))):
        figures[row.report_id].append(row)
    return [(r, draft_of(r, figures[r.id])) for r in reports]

"""Storing many reports in one transaction, with a handful of set-based queries whatever the count.

The outcome is the one of sending the reports one by one, in their order: identical content
returns the stored report; a body and year seen before (stored, or earlier in the batch) gets the
next version; the cross-year rules read the previous year wherever it is, and an earlier year
re-checks the following year's report. The single-report path is a batch of one.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Json
from sqlalchemy import Row, Table, bindparam, delete, func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.draft import Draft, Finding, Scope, Severity
from app.errors import ProblemError
from app.layout import MAX_COUNT
from app.models.api import Counts, Problem
from app.models.base import utcnow
from app.models.bulk import BulkItem, BulkResult
from app.models.people import AuditEntry
from app.models.tables import FigureFlag, FigureRow, FindingRow, Report, SourceDocument
from app.rules.cells import CELL_IDS
from app.rules.engine import CROSS_YEAR_RULES, check_cross_year, validate
from app.rules.naming import organ_key
from app.services import files, regions, scope, telemetry
from app.services.access import Caller
from app.services.bodies import identity
from app.services.present import counts
from app.services.reports import Upload, draft_of, finding_rows, flag_rows, stored_figure

REPORT: Table = Report.__table__  # type: ignore[attr-defined]
SOURCE: Table = SourceDocument.__table__  # type: ignore[attr-defined]
FIGURE: Table = FigureRow.__table__  # type: ignore[attr-defined]
FINDING: Table = FindingRow.__table__  # type: ignore[attr-defined]
AUDIT: Table = AuditEntry.__table__  # type: ignore[attr-defined]
# a new version of a report sent back for correction is its resubmission
_NEXT_STATE = {"returned": "resubmitted", "resubmitted": "resubmitted"}
FLAG: Table = FigureFlag.__table__  # type: ignore[attr-defined]


@dataclass
class Outcome:
    """What became of one report of a batch."""

    report_id: int
    version: int
    created: bool  # False: the same content was stored before, or came earlier in the batch
    valid: bool
    counts: Counts
    organ: str
    year: int | None
    # of a report stored by this call: what it was stored with, so the caller can answer without
    # reading it back
    findings: list[Finding] | None = None
    is_latest: bool | None = None
    created_at: datetime | None = None


@dataclass
class Correction:
    """A version made by correcting cells of a stored one."""

    cells: list[str]  # table.row.column
    of_report: int


@dataclass
class Item:
    """A report ready to store: its draft, the bytes it came from, and where it is counted."""

    draft: Draft
    upload: Upload
    placement: regions.Placement
    correction: Correction | None = None


def prepare(draft: Draft, upload: Upload) -> Item:
    """Place a report in the region tree; an unknown region code is the caller's error (422)."""
    assert draft.organ, "a report is stored only with its body (reports.ingest checks)"
    document = f"{draft.title or ''}\n{draft.narrative}"
    return Item(
        draft, upload, regions.place(organ=draft.organ, region_code=draft.region_code, document=document)
    )


@dataclass
class _Entry:
    """The latest report of a body and year as the batch sees it: stored before, or new in it."""

    key: str
    year: int | None
    version: int
    draft: Draft
    id: int | None = None  # a new report gets one when it is inserted
    upload: Upload | None = None  # set for a new report
    placement: regions.Placement | None = None  # set for a new report
    digest: str = ""  # the upload's SHA-256
    findings: list[Finding] = field(default_factory=list)  # of a new report
    is_latest: bool = True
    rechecked: list[Finding] | None = None  # a stored report's cross-year findings, computed anew
    created_at: datetime | None = None  # a new report's, set when it is inserted
    state: str = "submitted"
    state_note: str | None = None
    correction: Correction | None = None

    @property
    def is_new(self) -> bool:
        return self.upload is not None

    def recheck(self, previous: Draft) -> None:
        """The year before has just arrived: the cross-year findings are computed against it."""
        fresh = check_cross_year(self.draft, previous)
        if self.is_new:
            self.findings = [f for f in self.findings if f.rule not in CROSS_YEAR_RULES] + fresh
        else:
            self.rechecked = fresh


CONFLICT_RETRY_SECONDS = 2  # the other writer has committed by then


def in_scope(caller: Caller, item: Item) -> bool:
    return scope.covers(
        caller.region_scope, organ_key=organ_key(item.draft.organ or ""), columns=item.placement.columns
    )


def ingest(*, session: Session, items: list[Item], caller: Caller) -> list[Outcome]:
    """Store reports in one transaction; one outcome per item, in order. Each new report is
    recorded as the caller's; a body outside the caller's scope stores nothing (403).

    A concurrent writer that wins a race for the same bytes or the same version number makes
    the batch run again once that writer has committed.
    """
    outside = [item.draft.organ or "" for item in items if not in_scope(caller, item)]
    if outside:
        raise scope.out_of_scope(caller.region_scope, outside)
    for _ in range(3):
        try:
            with session.begin_nested():
                outcomes = _ingest(session, items, caller.label)
                _audit(session, outcomes, caller.label)
                return outcomes
        except (IntegrityError, psycopg.IntegrityError):  # the latter from psycopg used directly
            session.expire_all()
    raise ProblemError(
        409, "conflict", "同一报告正在被同时提交，请稍后重试", retry_after=CONFLICT_RETRY_SECONDS
    )


def _audit(session: Session, outcomes: list[Outcome], actor: str) -> None:
    now = utcnow()
    rows = [
        {
            "at": now,
            "actor": actor[:120],
            "action": "report.create",
            "report_id": o.report_id,
            "target": f"{o.organ} {o.year}"[:200],
            "detail": {"version": o.version, "valid": o.valid},
        }
        for o in outcomes
        if o.created
    ]
    if rows:
        session.execute(insert(AUDIT), rows)


def _ingest(session: Session, items: list[Item], actor: str) -> list[Outcome]:
    digests = [item.upload.sha256 for item in items]
    stored = _stored_by_digest(session, set(digests))
    keys = _keys(session, items)
    years = {
        (key, item.draft.year)
        for key, item, digest in zip(keys, items, digests, strict=True)
        if digest not in stored and item.draft.year is not None
    }
    before = _latest_stored(session, years)
    latest = dict(before)

    placed: list[tuple[Row | _Entry, bool]] = []  # what each item became, and whether it is new
    new: dict[str, _Entry] = {}
    for item, key, digest in zip(items, keys, digests, strict=True):
        if digest in stored:
            placed.append((stored[digest], False))
        elif digest in new:
            placed.append((new[digest], False))
        else:
            new[digest] = _place(latest, key, item, digest)
            placed.append((new[digest], True))
    _write(session, list(new.values()), list(before.values()), actor)
    for entry in new.values():
        telemetry.count_findings(entry.findings)
    return [_outcome(what, created) for what, created in placed]


def report_body_key(draft: Draft, region_code: str | None) -> str:
    """The body's identity; a 汇总 report (a whole area's figures) is apart from the body's own."""
    key = identity(draft.organ, region_code)[1]
    return f"{key}#{Scope.AREA.value}" if draft.scope is Scope.AREA else key


def _keys(session: Session, items: list[Item]) -> list[str]:
    """The organ_key each report is stored under: that of a report of the same body stored
    before or earlier in the batch (阿什里乡 after 昌吉市阿什里乡), else its own name's."""
    bodies_of = [report_body_key(item.draft, item.placement.code) for item in items]
    known: dict[str, str] = {}
    wanted = sorted(set(bodies_of))
    for start in range(0, len(wanted), 500):
        for body_key, key in session.execute(
            select(REPORT.c.body_key, REPORT.c.organ_key)
            .where(REPORT.c.body_key.in_(wanted[start : start + 500]))
            .order_by(REPORT.c.id)
        ):
            known[body_key] = key
    keys = []
    for item, body_key in zip(items, bodies_of, strict=True):
        keys.append(known.setdefault(body_key, organ_key(item.draft.organ or "")))
    return keys


def _place(latest: dict[tuple[str, int], _Entry], key: str, item: Item, digest: str) -> _Entry:
    """Validate a new report against the years around it as they stand at its turn."""
    draft, year = item.draft, item.draft.year
    new: dict[str, Any] = {
        "upload": item.upload,
        "placement": item.placement,
        "digest": digest,
        "correction": item.correction,
    }
    if year is None:  # no year, no neighbours: a report of its own
        return _Entry(key, year, 1, draft, findings=validate(draft) + item.placement.findings, **new)
    previous = latest.get((key, year - 1))
    current = latest.get((key, year))
    findings = validate(draft, previous.draft if previous else None) + item.placement.findings
    entry = _Entry(key, year, current.version + 1 if current else 1, draft, findings=findings, **new)
    if current is not None:
        current.is_latest = False
        entry.state = _NEXT_STATE.get(current.state, "submitted")
        entry.state_note = current.state_note if entry.state == "resubmitted" else None
    latest[(key, year)] = entry
    following = latest.get((key, year + 1))
    if following is not None:
        following.recheck(draft)
    return entry


# ---- reading what is stored --------------------------------------------------------------------


def _stored_by_digest(session: Session, digests: set[str]) -> dict[str, Row]:
    """The newest report stored from each of these contents."""
    rows = session.execute(
        select(SOURCE.c.sha256, REPORT)
        .join(REPORT, REPORT.c.source_id == SOURCE.c.id)
        .where(SOURCE.c.sha256.in_(digests))
        .order_by(REPORT.c.id)
    )
    return {row.sha256: row for row in rows}


def _latest_stored(session: Session, years: set[tuple[str, int]]) -> dict[tuple[str, int], _Entry]:
    """The stored latest reports of these bodies for each year, the year before and the year after."""
    if not years:
        return {}
    wanted = {(key, year + step) for key, year in years for step in (-1, 0, 1)}
    reports = session.execute(
        select(REPORT).where(REPORT.c.is_latest, tuple_(REPORT.c.organ_key, REPORT.c.year).in_(wanted))
    ).all()
    if not reports:
        return {}
    figures: dict[int, list[Row]] = defaultdict(list)
    for row in session.execute(select(FIGURE).where(FIGURE.c.report_id.in_([r.id for r in reports]))):
        figures[row.report_id].append(row)
    return {
        (r.organ_key, r.year): _Entry(
            r.organ_key,  # type: ignore[arg-type]
            r.year,  # type: ignore[arg-type]
            r.version,  # type: ignore[arg-type]
            draft_of(r, figures[r.id]),  # type: ignore[arg-type]
            id=r.id,  # type: ignore[arg-type]
            state=r.state,  # type: ignore[arg-type]
            state_note=r.state_note,  # type: ignore[arg-type]
        )
        for r in reports
    }


# ---- writing -------------------------------------------------------------------------------------


def _write(session: Session, new: list[_Entry], stored: list[_Entry], actor: str) -> None:
    now = utcnow()
    superseded = [e.id for e in stored if not e.is_latest]
    if superseded:
        session.execute(update(REPORT).where(REPORT.c.id.in_(superseded)).values(is_latest=False))
    if new:
        source_ids = _insert_returning_ids(session, SOURCE, [_source_row(e, now) for e in new])
        report_ids = _insert_returning_ids(
            session,
            REPORT,
            [_report_row(e, source_id, now, actor) for e, source_id in zip(new, source_ids, strict=True)],
        )
        for entry, report_id in zip(new, report_ids, strict=True):
            entry.created_at = now
            entry.id = report_id
        _insert_figures(session, new)
        findings = [row for e in new for row in finding_rows(e.id, e.findings)]  # type: ignore[arg-type]
        if findings:
            session.execute(insert(FINDING), findings)
        flags = [row for e in new for row in flag_rows(e.id, e.findings)]  # type: ignore[arg-type]
        if flags:
            session.execute(insert(FLAG), flags)
    rechecked = [e for e in stored if e.rechecked is not None]
    if rechecked:
        _replace_cross_year(session, rechecked)
    for entry in new:
        assert entry.upload is not None
        if not entry.upload.is_json:
            files.keep(entry.upload.data, entry.digest)


def _source_row(entry: _Entry, now: Any) -> dict:
    upload = entry.upload
    assert upload is not None
    return {
        "sha256": entry.digest,
        "media_type": upload.media_type,
        "filename": upload.filename,
        "size": len(upload.data),
        "content": upload.data if upload.is_json else None,
        "created_at": now,
    }


def _report_row(entry: _Entry, source_id: int, now: Any, actor: str) -> dict:
    draft, tally, placement = entry.draft, counts(entry.findings), entry.placement
    assert placement is not None
    return {
        "organ": draft.organ,
        "organ_key": entry.key,
        "body_key": report_body_key(draft, placement.code),
        "year": draft.year,
        "format": draft.format.value,
        "single_other_row": draft.single_other_row,
        "scope": draft.scope.value if draft.scope else None,
        "region_code": placement.code,
        **placement.columns,
        "published_on": draft.published_on,
        "signed_on": draft.signed_on,
        "period_start": draft.period_start,
        "period_end": draft.period_end,
        "title": draft.title,
        "narrative": draft.narrative,
        "version": entry.version,
        "is_latest": entry.is_latest,
        "source_id": source_id,
        "valid": tally.error == 0,
        "errors": tally.error,
        "warnings": tally.warning,
        "infos": tally.info,
        "created_at": now,
        "state": entry.state,
        "state_note": entry.state_note,
        "created_by": actor[:120],
        "corrected_cells": entry.correction.cells if entry.correction else None,
        "corrected_from": entry.correction.of_report if entry.correction else None,
    }


def _param(value: Any) -> Any:
    """A JSON column's value as psycopg takes it (a list would become an array)."""
    return Json(value) if isinstance(value, list | dict) else value


def _insert_returning_ids(session: Session, table: Table, rows: list[dict]) -> list[int]:
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
    with connection.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
        values = [tuple(_param(row[c]) for c in columns) for row in rows]
        cursor.executemany(sql, values, returning=True)
        while True:
            ids.append(cursor.fetchone()[0])
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


def _insert_figures(session: Session, new: list[_Entry]) -> None:
    """Figures are most of the rows, so they skip per-row statement building: PostgreSQL takes
    them through COPY, SQLite through the driver's own executemany."""
    connection = session.connection()
    driver = connection.connection.driver_connection
    assert driver is not None
    columns = ", ".join(_FIGURE_COLUMNS)
    if connection.dialect.name == "postgresql":
        with (
            driver.cursor() as cursor,  # type: ignore[attr-defined]
            cursor.copy(f"COPY figure ({columns}) FROM STDIN") as copy,
        ):
            for entry in new:
                for row in _figure_tuples(entry, bind_value=None):  # COPY keeps decimals exact
                    copy.write_row(row)
        return
    bind_value = FIGURE.c.value.type.bind_processor(connection.dialect)
    rows = [row for entry in new for row in _figure_tuples(entry, bind_value=bind_value)]
    if rows:  # an empty list would be taken for no parameters at all
        connection.exec_driver_sql(
            f"INSERT INTO figure ({columns}) VALUES ({', '.join('?' for _ in _FIGURE_COLUMNS)})", rows
        )


def _figure_tuples(entry: _Entry, *, bind_value: Callable | None) -> Iterator[tuple]:
    """A report's figures as the driver takes them: JSON as text, the value as its column binds it."""
    kinds = entry.draft.layout.kinds
    for key, given in entry.draft.figures.items():
        # a plain count is the common case: only other values are checked against the column
        plain = type(given.value) is int and 0 <= given.value < MAX_COUNT
        figure = given if plain else stored_figure(given, kinds[key])
        value, candidates, raw = figure.value, figure.candidates, figure.raw
        yield (
            entry.id,
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


def _replace_cross_year(session: Session, rechecked: list[_Entry]) -> None:
    """Stored reports whose previous year arrived: new cross-year findings, counts from SQL."""
    ids = [e.id for e in rechecked]
    session.execute(delete(FINDING).where(FINDING.c.report_id.in_(ids), FINDING.c.rule.in_(CROSS_YEAR_RULES)))
    fresh = [row for e in rechecked for row in finding_rows(e.id, e.rechecked or [])]  # type: ignore[arg-type]
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


def _outcome(what: Row | _Entry, created: bool) -> Outcome:
    if isinstance(what, _Entry):
        tally = counts(what.findings)
        assert what.id is not None
        draft = what.draft
        outcome = Outcome(
            what.id, what.version, created, tally.error == 0, tally, draft.organ or "", what.year
        )
        if created:
            outcome.findings, outcome.is_latest = what.findings, what.is_latest
            outcome.created_at = what.created_at
        return outcome
    return Outcome(
        what.id,
        what.version,
        created,
        what.valid,
        Counts(error=what.errors, warning=what.warnings, info=what.infos),
        what.organ,
        what.year,
    )


def ingest_items(
    *, session: Session, items: list[tuple[Draft, Upload] | ProblemError], caller: Caller
) -> BulkResult:
    """Store the valid reports of a batch and say, item by item, what became of each.

    An item that is not a valid report, or is a body outside the caller's scope, is answered with
    its problem and does not stop the rest.
    """
    prepared: list[Item | ProblemError] = []
    for given in items:
        try:
            item = given if isinstance(given, ProblemError) else prepare(*given)
            if isinstance(item, Item) and not in_scope(caller, item):
                item = scope.out_of_scope(caller.region_scope, [item.draft.organ or ""])
            prepared.append(item)
        except ProblemError as refused:
            prepared.append(refused)
    reports = [item for item in prepared if isinstance(item, Item)]
    outcomes = iter(ingest(session=session, items=reports, caller=caller) if reports else [])
    results = []
    for index, item in enumerate(prepared):
        if isinstance(item, ProblemError):
            problem = Problem(
                title=item.code,
                status=item.status,
                code=item.code,
                detail=item.detail,
                errors=item.errors or None,
            )
            results.append(BulkItem(index=index, status=item.status, problem=problem))
            continue
        outcome = next(outcomes)
        results.append(
            BulkItem(
                index=index,
                status=201 if outcome.created else 200,
                id=outcome.report_id,
                version=outcome.version,
                created=outcome.created,
                organ=outcome.organ,
                year=outcome.year,
                valid=outcome.valid,
                counts=outcome.counts,
            )
        )
    return BulkResult(
        created=sum(r.status == 201 for r in results),
        existing=sum(r.status == 200 for r in results),
        rejected=sum(r.problem is not None for r in results),
        items=results,
    )

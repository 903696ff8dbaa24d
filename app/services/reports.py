"""Reading reports, and the rows a report is stored as; `app.services.bulk` writes them (one or many)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from sqlalchemy.engine import Dialect
from sqlmodel import Session, col, func, select

from app.draft import Draft, Figure, Finding, Location, Scope, Severity, Status, Value
from app.errors import not_found
from app.models.api import ReportList, ReportPublic, ReportSummary, SourcePublic, ValidationPublic
from app.models.tables import FigureRow, FindingRow, Report, SourceDocument
from app.rules.cells import CELL_NUMBERS, Key, cell_of
from app.rules.engine import validate
from app.rules.layout import Format, Kind
from app.rules.naming import normalise_organ
from app.services import files, regions
from app.services.present import report_public, validation_public

JSON_MEDIA_TYPE = "application/json"


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


def stored_key(session: Session, draft: Draft, region_code: str | None) -> str:
    """The organ_key the body's reports are stored under, whichever way it printed its name."""
    from app.services.bulk import report_body_key

    body_key = report_body_key(draft, region_code)
    found = session.exec(
        select(Report.organ_key).where(Report.body_key == body_key).order_by(col(Report.id).desc())
    ).first()
    return found or organ_key(draft.organ)


def organ_key(name: str) -> str:
    """The identity of a body across years and versions: its name normalised (width, invisible
    characters) with no spaces."""
    return "".join(normalise_organ(name).split())


# ---- between rows and drafts -------------------------------------------------------------------


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
            "reported": f.reported,
            "expected": f.expected,
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


def _finding(row: FindingRow) -> Finding:
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


def draft_of(report: Report, rows: Iterable[FigureRow]) -> Draft:
    """A stored report and its figure rows back into a draft."""
    draft = Draft(
        organ=report.organ,
        year=report.year,
        format=Format(report.format),
        single_other_row=report.single_other_row,
        scope=Scope(report.scope) if report.scope else None,
        region_code=report.region_code,
        published_on=report.published_on,
        signed_on=report.signed_on,
        period_start=report.period_start,
        period_end=report.period_end,
        title=report.title,
        narrative=report.narrative,
    )
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


def load_draft(session: Session, report: Report) -> Draft:
    return draft_of(report, session.exec(select(FigureRow).where(FigureRow.report_id == report.id)))


def _source_public(source: SourceDocument) -> SourcePublic:
    return SourcePublic(
        filename=source.filename, sha256=source.sha256, media_type=source.media_type, size=source.size
    )


# ---- reading ------------------------------------------------------------------------------------


def _findings_of(session: Session, report_id: int) -> list[Finding]:
    rows = session.exec(
        select(FindingRow).where(FindingRow.report_id == report_id).order_by(col(FindingRow.id))
    )
    return [_finding(row) for row in rows]


def _get_report(session: Session, report_id: int) -> Report:
    report = session.get(Report, report_id)
    if report is None:
        raise not_found(f"编号为 {report_id} 的报告")
    return report


def get(*, session: Session, report_id: int) -> ReportPublic:
    """One stored report with its figures and findings."""
    report = _get_report(session, report_id)
    source = session.get(SourceDocument, report.source_id)
    assert source is not None
    return report_public(
        load_draft(session, report),
        _findings_of(session, report_id),
        report_id=report.id,
        version=report.version,
        is_latest=report.is_latest,
        source=_source_public(source),
        created_at=report.created_at,
    )


def get_validation(*, session: Session, report_id: int) -> ValidationPublic:
    _get_report(session, report_id)
    return validation_public(_findings_of(session, report_id))


def list_reports(
    *,
    session: Session,
    year: int | None,
    organ: str | None,
    valid: bool | None,
    region_code: str | None,
    all_versions: bool,
    limit: int,
    offset: int,
    unplaced: bool = False,
) -> ReportList:
    """Latest versions unless all are asked for, newest first; `unplaced`: only reports counted
    under no region (未定), for a supervisor to place."""
    query = select(Report)
    if not all_versions:
        query = query.where(Report.is_latest)
    if year is not None:
        query = query.where(Report.year == year)
    if organ:
        query = query.where(Report.organ_key.contains(organ_key(organ)))  # type: ignore[attr-defined]
    if valid is not None:
        query = query.where(Report.valid == valid)
    if region_code:
        query = query.where(Report.region_code.startswith(region_code))  # type: ignore[union-attr]
    if unplaced:
        query = query.where(col(Report.region_code).is_(None))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(Report.id.desc()).limit(limit).offset(offset)  # type: ignore[union-attr]
    )
    return ReportList(total=total, limit=limit, offset=offset, items=[_summary(r) for r in rows])


def _summary(report: Report) -> ReportSummary:
    return ReportSummary(
        id=report.id,  # type: ignore[arg-type]
        organ=report.organ,
        year=report.year,
        format=report.format,
        version=report.version,
        is_latest=report.is_latest,
        scope=report.scope,
        region_code=report.region_code,
        valid=report.valid,
        counts={"error": report.errors, "warning": report.warnings, "info": report.infos},  # type: ignore[arg-type]
        created_at=report.created_at,
    )


# ---- writing ------------------------------------------------------------------------------------


def _latest(session: Session, key: str, year: int | None) -> Report | None:
    if year is None:
        return None
    return session.exec(
        select(Report).where(Report.organ_key == key, Report.year == year, Report.is_latest)
    ).first()


def ingest(*, session: Session, draft: Draft, upload: Upload) -> tuple[ReportPublic, bool]:
    """Store a report (a new version when the body and year exist); (report, created).

    The same bytes sent again return the stored report. One report is a batch of one.
    """
    from app.services import bulk  # bulk builds on this module's rows and drafts

    item = bulk.prepare(draft, upload)
    [outcome] = bulk.ingest(session=session, items=[item])
    if not outcome.created:  # stored before: the answer is that report, as it is stored
        return get(session=session, report_id=outcome.report_id), False
    assert outcome.findings is not None
    # Built from what was just written rather than read back: the same answer as `get`.
    return report_public(
        as_stored(draft, item.placement.code, session.get_bind().dialect),
        outcome.findings,
        report_id=outcome.report_id,
        version=outcome.version,
        is_latest=outcome.is_latest,
        source=SourcePublic(
            filename=upload.filename,
            sha256=upload.sha256,
            media_type=upload.media_type,
            size=len(upload.data),
        ),
        created_at=outcome.created_at,
    ), True


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
    for key, figure in draft.figures.items():
        value = figure.value
        if value is not None:
            value = _stored_money(value, dialect) if draft.layout.kind(*key) is Kind.MONEY else int(value)
        candidates = figure.candidates
        if candidates:
            candidates = [Decimal(v) if "." in v else int(v) for v in map(str, candidates)]
        figures[key] = replace(figure, value=value, candidates=candidates or None)
    return replace(draft, region_code=region_code, figures=figures)


def check(*, session: Session, draft: Draft) -> ReportPublic:
    """Validate without storing; cross-year rules use the stored previous year when there is one."""
    document = f"{draft.title or ''}\n{draft.narrative}"
    placement = regions.place(organ=draft.organ, region_code=draft.region_code, document=document)
    previous_report = _latest(
        session, stored_key(session, draft, placement.code), draft.year - 1 if draft.year else None
    )
    previous = load_draft(session, previous_report) if previous_report else None
    return report_public(draft, validate(draft, previous) + placement.findings)

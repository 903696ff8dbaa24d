"""Storing, versioning and reading reports: the one place that writes reports to the database."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from app.draft import Draft, Figure, Finding, Location, Scope, Severity, Status
from app.errors import ProblemError, not_found
from app.models.api import ReportList, ReportPublic, ReportSummary, SourcePublic, ValidationPublic
from app.models.tables import FigureRow, FindingRow, Report, SourceDocument
from app.rules.engine import CROSS_YEAR_RULES, check_cross_year, validate
from app.rules.layout import Format, Kind
from app.services import files, regions, telemetry
from app.services.present import counts, report_public, validation_public


@dataclass
class Upload:
    """The bytes a report came from: an uploaded file, or the canonical form of a JSON report."""

    data: bytes
    media_type: str
    filename: str | None = None

    @property
    def sha256(self) -> str:
        return files.sha256(self.data)


def organ_key(name: str) -> str:
    """The identity of a body across years and versions: its name, width- and space-normalised."""
    return "".join(unicodedata.normalize("NFKC", name).split())


# ---- between rows and drafts -------------------------------------------------------------------


def _stored_value(figure: Figure) -> Decimal | None:
    return None if figure.value is None else Decimal(figure.value)


def figure_rows(report_id: int, draft: Draft) -> list[dict]:
    return [
        {
            "report_id": report_id,
            "table_code": key[0],
            "row_code": key[1],
            "column_code": key[2],
            "value": _stored_value(figure),
            "status": figure.status.value,
            "raw": figure.raw,
            "note": figure.note,
            "page": figure.page,
            "line": figure.line,
            "candidates": [str(v) for v in figure.candidates] if figure.candidates else None,
        }
        for key, figure in draft.figures.items()
    ]


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


def _loaded_value(draft: Draft, row: FigureRow) -> int | Decimal | None:
    if row.value is None:
        return None
    kind = draft.layout.kind(row.table_code, row.row_code, row.column_code)
    return row.value.normalize() if kind is Kind.MONEY else int(row.value)


def load_draft(session: Session, report: Report) -> Draft:
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
    rows = session.exec(select(FigureRow).where(FigureRow.report_id == report.id))
    for row in rows:
        draft.figures[(row.table_code, row.row_code, row.column_code)] = Figure(
            _loaded_value(draft, row),
            Status(row.status),
            raw=row.raw,
            note=row.note,
            page=row.page,
            line=row.line,
            candidates=[Decimal(v) if "." in v else int(v) for v in row.candidates]
            if row.candidates
            else None,
        )
    return draft


def _source_public(source: SourceDocument) -> SourcePublic:
    return SourcePublic(
        filename=source.filename, sha256=source.sha256, media_type=source.media_type, size=source.size
    )


# ---- reading ------------------------------------------------------------------------------------


def _findings_of(session: Session, report_id: int) -> list[Finding]:
    rows = session.exec(select(FindingRow).where(FindingRow.report_id == report_id).order_by(FindingRow.id))
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
) -> ReportList:
    """Latest versions unless all are asked for, newest first."""
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


def _apply_counts(report: Report, findings: list[Finding]) -> None:
    tally = counts(findings)
    report.errors, report.warnings, report.infos = tally.error, tally.warning, tally.info
    report.valid = tally.error == 0


def _recheck_following_year(session: Session, draft: Draft, key: str) -> None:
    """An earlier year arrived: the following year's cross-year findings are computed anew."""
    following = _latest(session, key, draft.year + 1 if draft.year is not None else None)
    if following is None:
        return
    session.exec(
        delete(FindingRow).where(
            FindingRow.report_id == following.id,
            FindingRow.rule.in_(CROSS_YEAR_RULES),  # type: ignore[attr-defined]
        )
    )
    fresh = check_cross_year(load_draft(session, following), draft)
    if fresh:
        session.exec(insert(FindingRow), params=finding_rows(following.id, fresh))  # type: ignore[arg-type]
    _apply_counts(following, _findings_of(session, following.id))  # type: ignore[arg-type]
    session.add(following)


def _stored_answer(session: Session, digest: str) -> ReportPublic | None:
    source_id = session.exec(select(SourceDocument.id).where(SourceDocument.sha256 == digest)).one_or_none()
    if source_id is None:
        return None
    report_id = session.exec(
        select(Report.id).where(Report.source_id == source_id).order_by(Report.id.desc())
    ).first()
    return None if report_id is None else get(session=session, report_id=report_id)


def _store(session: Session, draft: Draft, upload: Upload, digest: str) -> int:
    key = organ_key(draft.organ)
    source = SourceDocument(
        sha256=digest, media_type=upload.media_type, filename=upload.filename, size=len(upload.data)
    )
    session.add(source)
    session.flush()
    previous_report = _latest(session, key, draft.year - 1 if draft.year is not None else None)
    previous = load_draft(session, previous_report) if previous_report else None
    placement = regions.place(organ=draft.organ, region_code=draft.region_code)
    findings = validate(draft, previous) + placement.findings
    current = _latest(session, key, draft.year)
    if current is not None:
        current.is_latest = False
        session.add(current)
        session.flush()
    report = Report(
        organ=draft.organ,
        organ_key=key,
        year=draft.year,
        format=draft.format.value,
        single_other_row=draft.single_other_row,
        scope=draft.scope.value if draft.scope else None,
        region_code=placement.code,
        **placement.columns,
        published_on=draft.published_on,
        signed_on=draft.signed_on,
        period_start=draft.period_start,
        period_end=draft.period_end,
        title=draft.title,
        narrative=draft.narrative,
        version=(current.version + 1) if current else 1,
        source_id=source.id,  # type: ignore[arg-type]
    )
    _apply_counts(report, findings)
    session.add(report)
    session.flush()
    assert report.id is not None
    session.exec(insert(FigureRow), params=figure_rows(report.id, draft))
    if findings:
        session.exec(insert(FindingRow), params=finding_rows(report.id, findings))
    _recheck_following_year(session, draft, key)
    files.keep(upload.data, digest)
    return report.id


def ingest(*, session: Session, draft: Draft, upload: Upload) -> tuple[ReportPublic, bool]:
    """Store a report (a new version when the body and year exist); (report, created).

    The same bytes sent again return the stored report. A concurrent writer that wins the race
    for the same bytes or the same version number makes this call retry once it has committed.
    """
    digest = upload.sha256
    for _ in range(3):
        stored = _stored_answer(session, digest)
        if stored is not None:
            return stored, False
        try:
            with session.begin_nested():
                report_id = _store(session, draft, upload, digest)
        except IntegrityError:
            session.expire_all()
            continue
        stored = get(session=session, report_id=report_id)
        telemetry.count_findings(stored.validation.findings)
        return stored, True
    raise ProblemError(409, "conflict", "同一报告正在被同时提交，请稍后重试")


def check(*, session: Session, draft: Draft) -> ReportPublic:
    """Validate without storing; cross-year rules use the stored previous year when there is one."""
    previous_report = _latest(session, organ_key(draft.organ), draft.year - 1 if draft.year else None)
    previous = load_draft(session, previous_report) if previous_report else None
    placement = regions.place(organ=draft.organ, region_code=draft.region_code)
    return report_public(draft, validate(draft, previous) + placement.findings)

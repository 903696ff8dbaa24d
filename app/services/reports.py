"""Reports as the API answers them: one stored report, a list, a check; storing goes through
`app.services.bulk` (one report is a batch of one), the rows through `app.services.report_store`."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, select

from app.draft import Draft, Finding
from app.errors import ProblemError
from app.models.api import ReportList, ReportPublic, ReportSummary, SourcePublic, ValidationPublic
from app.models.tables import FindingRow, Report, SourceDocument
from app.rules.engine import validate
from app.rules.naming import organ_key
from app.services import bulk, regions, reviews, scope
from app.services.access import Caller
from app.services.present import report_public, validation_public
from app.services.report_store import (
    Upload,
    as_stored,
    finding_ids,
    finding_of,
    findings_of,
    latest_of_body,
    load_draft,
    stored,
)
from app.services.scope import RegionScope


def _source_public(source: SourceDocument) -> SourcePublic:
    return SourcePublic(
        filename=source.filename, sha256=source.sha256, media_type=source.media_type, size=source.size
    )


# ---- reading ------------------------------------------------------------------------------------


def _people_fields(report: Report) -> dict:
    """What people did with a stored report: its state, who stored it, what was corrected."""
    return {
        "state": report.state,
        "state_note": report.state_note,
        "created_by": report.created_by,
        "corrected_from": report.corrected_from,
        "corrected_cells": report.corrected_cells,
    }


def get(*, session: Session, report_id: int, within: RegionScope) -> ReportPublic:
    """One stored report with its figures and findings."""
    report = stored(session=session, report_id=report_id, within=within)
    source = session.get(SourceDocument, report.source_id)
    assert source is not None
    rows = findings_of(session, report_id)
    return report_public(
        load_draft(session, report),
        [finding_of(row) for row in rows],
        report_id=report.id,
        version=report.version,
        is_latest=report.is_latest,
        source=_source_public(source),
        created_at=report.created_at,
        marks=reviews.marks(session, report, rows),
    ).model_copy(update=_people_fields(report))


def get_validation(*, session: Session, report_id: int, within: RegionScope) -> ValidationPublic:
    report = stored(session=session, report_id=report_id, within=within)
    rows = findings_of(session, report_id)
    return validation_public([finding_of(row) for row in rows], reviews.marks(session, report, rows))


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
    within: RegionScope,
    state: str | None = None,
    unplaced: bool = False,
) -> ReportList:
    """Latest versions unless all are asked for, newest first; only what the caller may see;
    `unplaced`: only reports counted under no region (未定), for a supervisor to place."""
    query = select(Report)
    visible = scope.clause(within)
    if visible is not None:
        query = query.where(visible)
    if state:
        query = query.where(Report.state == state)
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


# the overview's report list: its orders by name, as the page's form sends them
LIST_ORDERS: dict[str, tuple[Any, ...]] = {
    "newest": (col(Report.id).desc(),),
    "errors": (col(Report.errors).desc(), col(Report.warnings).desc(), col(Report.id).desc()),
    "organ": (col(Report.organ), col(Report.year).desc()),
    "year": (col(Report.year).desc(), col(Report.organ)),
    "published": (col(Report.published_on).desc().nulls_last(), col(Report.id).desc()),
}


def filtered(
    *,
    session: Session,
    where: list[Any],
    rule: str | None = None,
    severity: str | None = None,
    state: str | None = None,
    ids: set[int] | None = None,
    unplaced: bool = False,
    order: str = "newest",
    limit: int = 200,
) -> tuple[int, list[ReportSummary]]:
    """(how many, the first `limit`) of the reports `where` picks (the caller's scope is in it)
    that have a finding of `rule` and/or `severity`, are in `state`, among `ids` if given, and
    counted under no region when `unplaced` (未定)."""
    query = select(Report).where(*where)
    if rule or severity:
        found = select(FindingRow.report_id)
        if rule:
            found = found.where(FindingRow.rule == rule)
        if severity:
            found = found.where(FindingRow.severity == severity)
        query = query.where(col(Report.id).in_(found))
    if state:
        query = query.where(Report.state == state)
    if ids is not None:
        query = query.where(col(Report.id).in_(sorted(ids) or [0]))
    if unplaced:
        query = query.where(col(Report.region_code).is_(None))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(*LIST_ORDERS.get(order, LIST_ORDERS["newest"])).limit(limit))
    return total, [_summary(r) for r in rows]


def _summary(report: Report) -> ReportSummary:
    return ReportSummary.model_validate(report, from_attributes=True)


# ---- storing ------------------------------------------------------------------------------------


def ingest(*, session: Session, draft: Draft, upload: Upload, caller: Caller) -> tuple[ReportPublic, bool]:
    """Store a report (a new version when the body and year exist); (report, created).

    The same bytes sent again return the stored report. One report is a batch of one.
    """
    _require_identity(session, draft, caller.region_scope)
    item = bulk.prepare(draft, upload)
    [outcome] = bulk.ingest(session=session, items=[item], caller=caller)
    if not outcome.created:  # stored before: the answer is that report, as it is stored
        return get(session=session, report_id=outcome.report_id, within=caller.region_scope), False
    assert outcome.findings is not None
    row = session.get(Report, outcome.report_id)
    assert row is not None
    # the ids the findings were stored with, in the order they were written
    ids = finding_ids(session, outcome.report_id)
    carried = reviews.effective(session, row)
    marks = [
        (i, reviews.review_public(carried[key]) if (key := _identity(f)) in carried else None)
        for i, f in zip(ids, outcome.findings, strict=True)
    ]
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
        marks=marks,  # type: ignore[arg-type]
    ).model_copy(update=_people_fields(row)), True


def _identity(finding: Finding) -> reviews.Identity:
    loc = finding.location
    return (finding.rule, loc.table, loc.row, loc.column)


_UNKNOWN = {
    "organ": (
        "organ_unknown",
        "未能从文件中识别发布机关：请在 organ（机关）字段填写后重新提交；已读出的数字和发现的问题见 report",
    ),
    "year": (
        "year_unknown",
        "未能从文件中识别报告年度：请在 year（年度）字段填写后重新提交；已读出的数字和发现的问题见 report",
    ),
}


def _require_identity(session: Session, draft: Draft, within: RegionScope) -> None:
    """A stored report needs its body and year; without them, 422 that still carries the reading."""
    missing = "organ" if not draft.organ else "year" if draft.year is None else None
    if missing is None:
        return
    code, detail = _UNKNOWN[missing]
    read = check(session=session, draft=draft, within=within)
    raise ProblemError(422, code, detail, report=read.model_dump(mode="json"))


def check(*, session: Session, draft: Draft, within: RegionScope) -> ReportPublic:
    """Validate without storing; cross-year rules use the stored previous year when there is one
    that the caller may see (its figures show in the findings)."""
    if not draft.organ:  # no body: nothing to place or compare with (META-ORGAN says so)
        return report_public(draft, validate(draft))
    document = f"{draft.title or ''}\n{draft.narrative}"
    placement = regions.place(organ=draft.organ, region_code=draft.region_code, document=document)
    previous_report = latest_of_body(session, draft, placement.code, draft.year - 1 if draft.year else None)
    if previous_report is not None and not scope.covers(
        within, organ_key=previous_report.organ_key, columns=scope.report_columns(previous_report)
    ):
        previous_report = None
    previous = load_draft(session, previous_report) if previous_report else None
    return report_public(draft, validate(draft, previous) + placement.findings)

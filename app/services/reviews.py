"""Reviews of findings: explained (the figure is right, and why), accepted (it will be corrected),
or reopened. A review names its finding by rule and cell, so it carries to every later version of
the body's report for that year where the same finding recurs; one that is gone is shown fixed.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.errors import ProblemError, not_found
from app.models.api import FindingPublic, FixedFinding, LocationPublic, ReviewPublic, ReviewsPublic
from app.models.people import FindingReview
from app.models.tables import FindingRow, Report
from app.services import audit, scope
from app.services.access import Caller
from app.services.present import SEVERITY_RANK, Mark

STATUS_OF = {"explain": "explained", "accept": "accepted", "reopen": "open"}
Identity = tuple[str, str | None, str | None, str | None]


def identity(row: FindingRow | FindingReview) -> Identity:
    """What makes a finding the same one in another version: its rule and its cell."""
    return (row.rule, row.table_code, row.row_code, row.column_code)


def _same_body_year(model: type[FindingReview] | type[Report], report: Report) -> list:
    year = col(model.year)
    return [
        model.organ_key == report.organ_key,
        year.is_(None) if report.year is None else year == report.year,
    ]


def effective(session: Session, report: Report) -> dict[Identity, FindingReview]:
    """The newest review of each finding made on this version or an earlier one."""
    rows = session.exec(
        select(FindingReview)
        .where(*_same_body_year(FindingReview, report), FindingReview.version <= report.version)
        .order_by(col(FindingReview.id))
    )
    return {identity(row): row for row in rows}


def review_public(row: FindingReview) -> ReviewPublic:
    return ReviewPublic(
        status=row.status, note=row.note, by=row.actor, at=row.created_at, version=row.version
    )


def marks(session: Session, report: Report, rows: list[FindingRow]) -> list[Mark]:
    """Each stored finding's id and current review, in the order of the rows."""
    found = effective(session, report)
    return [(row.id, review_public(found[identity(row)]) if identity(row) in found else None) for row in rows]  # type: ignore[misc]


def _location(row: FindingRow) -> LocationPublic:
    return LocationPublic(table=row.table_code, row=row.row_code, column=row.column_code, page=row.page)


def _rows(session: Session, report_id: int) -> list[FindingRow]:
    return list(
        session.exec(select(FindingRow).where(FindingRow.report_id == report_id).order_by(col(FindingRow.id)))
    )


def overview(*, session: Session, report: Report) -> ReviewsPublic:
    """This version's findings with their reviews, and those of the version before that are gone."""
    assert report.id is not None
    rows = _rows(session, report.id)
    found = effective(session, report)
    findings = [
        FindingPublic(
            id=row.id,
            review=review_public(found[identity(row)]) if identity(row) in found else None,
            rule=row.rule,
            severity=row.severity,
            location=_location(row),
            cells=list(row.cells),
            reported=row.reported,
            expected=row.expected,
            message=row.message,
            message_en=row.message_en,
            hint=row.hint,
        )
        for row in sorted(rows, key=lambda r: SEVERITY_RANK.get(r.severity, 3))
    ]
    fixed: list[FixedFinding] = []
    previous = session.exec(
        select(Report).where(*_same_body_year(Report, report), Report.version == report.version - 1)
    ).first()
    if previous is not None and previous.id is not None:
        now = {identity(row) for row in rows}
        for row in _rows(session, previous.id):
            if identity(row) not in now:
                review = found.get(identity(row))
                fixed.append(
                    FixedFinding(
                        rule=row.rule,
                        location=_location(row),
                        message=row.message,
                        review=review_public(review) if review else None,
                        version=previous.version,
                    )
                )
    return ReviewsPublic(report_id=report.id, version=report.version, findings=findings, fixed=fixed)


def review(
    *, session: Session, report: Report, finding_id: int, action: str, note: str, caller: Caller
) -> FindingReview:
    """Record a review of one finding of this version (the report is already in the caller's scope)."""
    finding = session.get(FindingRow, finding_id)
    if finding is None or finding.report_id != report.id:
        raise not_found(f"该报告中编号为 {finding_id} 的问题")
    note = note.strip()
    if action == "explain" and not note:
        raise ProblemError(422, "note_required", "说明为何该数字无误（如：含上年结转）")
    if action not in STATUS_OF:
        raise ProblemError(422, "invalid_review", "action 只能是 explain、accept 或 reopen")
    row = FindingReview(
        **finding.model_dump(include={"rule", "table_code", "row_code", "column_code"}),  # its identity
        report_id=report.id,
        organ_key=report.organ_key,
        year=report.year,
        version=report.version,
        status=STATUS_OF[action],
        note=note,
        actor=caller.label[:120],
    )
    session.add(row)
    cell = ".".join(p for p in (finding.table_code, finding.row_code, finding.column_code) if p)
    audit.record(
        session=session,
        actor=caller.label,
        action=f"review.{action}",
        report_id=report.id,
        target=f"{finding.rule} {cell}".strip(),
        detail={"finding": finding_id, "status": row.status, "note": note},
    )
    session.flush()
    return row


def stored_report(*, session: Session, report_id: int, caller: Caller) -> Report:
    return scope.require_visible(
        caller.region_scope, session.get(Report, report_id), f"编号为 {report_id} 的报告"
    )


def versions_of(*, session: Session, report: Report, visible: object = None) -> list[int]:
    """The ids of every version of this body's report for the year."""
    query = select(Report.id).where(*_same_body_year(Report, report))
    if visible is not None:
        query = query.where(visible)  # type: ignore[arg-type]
    return [i for i in session.exec(query) if i is not None]

"""Every finding across the latest reports under a region and years: the rows of a 通报."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.errors import ProblemError
from app.models.findings import FindingInScope, FindingsResult
from app.models.tables import FindingRow, Report
from app.rules.catalogue import RULES_BY_ID
from app.services.aggregates import Selection, region_ref, report_filters

MAX_FINDINGS = 100_000  # a province's year with many errors still fits; past it `truncated` says so
SEVERITIES = ("error", "warning", "info")


def in_scope(
    *,
    session: Session,
    selection: Selection,
    rule: str | None = None,
    severity: str | None = None,
    limit: int = MAX_FINDINGS,
) -> FindingsResult:
    """One row per finding of the latest version of each body's report in the caller's scope,
    region and rule in order."""
    where, _ = report_filters(selection)
    if rule and rule not in RULES_BY_ID:
        raise ProblemError(422, "unknown_rule", f"没有代码为 {rule} 的规则，规则见 /api/v1/rules")
    if rule:
        where.append(col(FindingRow.rule) == rule)
    if severity:
        where.append(col(FindingRow.severity) == severity)
    query = (
        select(  # type: ignore[call-overload]
            col(Report.id),
            col(Report.organ),
            col(Report.year),
            col(Report.region_code),
            col(FindingRow.rule),
            col(FindingRow.severity),
            col(FindingRow.table_code),
            col(FindingRow.row_code),
            col(FindingRow.column_code),
            col(FindingRow.page),
            col(FindingRow.reported),
            col(FindingRow.expected),
            col(FindingRow.message),
            col(FindingRow.hint),
        )
        .join(Report, Report.id == FindingRow.report_id)
        .where(*where)
        .order_by(col(Report.region_code), col(Report.organ), col(Report.year), col(FindingRow.id))
        .limit(limit + 1)
    )
    rows = session.connection().execute(query).all()
    items = []
    for row in rows[:limit]:
        found = RULES_BY_ID.get(row[4])
        items.append(
            FindingInScope(
                report_id=row[0],
                organ=row[1],
                year=row[2],
                region=region_ref(row[3], selection.tree) if row[3] else None,
                rule=row[4],
                rule_title=found.title if found else row[4],
                severity=row[5],
                table=row[6],
                row=row[7],
                column=row[8],
                page=row[9],
                reported=row[10],
                expected=row[11],
                message=row[12],
                hint=row[13],
            )
        )
    return FindingsResult(tree=selection.tree, total=len(items), truncated=len(rows) > limit, items=items)

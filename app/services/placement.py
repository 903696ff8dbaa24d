"""A supervisor places a report the name could not: the region is set by hand, the REGION
finding that said it was unplaced goes, and the counts follow."""

from __future__ import annotations

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.draft import Scope
from app.errors import ProblemError
from app.models.api import ReportPublic
from app.models.regions import RegionPublic
from app.models.tables import FindingRow
from app.services import audit, report_store, reports
from app.services.bodies import identity
from app.services.gazetteer import gazetteer
from app.services.regions import region_public, resolver
from app.services.scope import RegionScope


def candidates(*, session: Session, report_id: int, within: RegionScope) -> list[RegionPublic]:
    """The places the report's name fits equally (城关区: 兰州市城关区, 拉萨市城关区…)."""
    report = report_store.stored(session=session, report_id=report_id, within=within)
    gaz = gazetteer()
    return [region_public(gaz.by_code[c]) for c in resolver().resolve(report.organ).candidates]


def assign(
    *, session: Session, report_id: int, region_code: str, actor: str, within: RegionScope
) -> ReportPublic:
    """Count the report under `region_code`, recorded as `actor`'s; only a report the caller may see."""
    report = report_store.stored(session=session, report_id=report_id, within=within)
    region = gazetteer().get(region_code)
    if region is None:
        raise ProblemError(422, "unknown_region", f"{region_code} 不是已知的统计用区划代码")
    report.region_code = region.code
    for column, value in gazetteer().path_columns(region.code).items():
        setattr(report, column, value)
    key = identity(report.organ, region.code)[1]
    report.body_key = f"{key}#{Scope.AREA.value}" if report.scope == Scope.AREA.value else key
    session.add(report)
    session.execute(
        delete(FindingRow).where(col(FindingRow.report_id) == report_id, col(FindingRow.rule) == "REGION")
    )
    counts = dict(
        session.exec(  # type: ignore[call-overload]
            select(FindingRow.severity, func.count())
            .where(FindingRow.report_id == report_id)
            .group_by(FindingRow.severity)
        ).all()
    )
    report.errors, report.warnings, report.infos = (counts.get(s, 0) for s in ("error", "warning", "info"))
    report.valid = report.errors == 0
    audit.record(
        session=session, actor=actor, action="report.region", report_id=report_id, target=region.code
    )
    session.flush()
    return reports.get(session=session, report_id=report_id, within=within)

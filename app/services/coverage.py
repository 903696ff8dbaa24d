"""Who under a region published a report for a year, who did not, who was late."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from app.models.aggregates import CoverageBody, CoverageResult
from app.models.tables import Report
from app.rules.narrative import BodyKind, body_kind
from app.services.aggregates import region_ref, report_filters
from app.services.gazetteer import full_code
from app.services.scope import RegionScope


def deadline(kind: str, year: int) -> date:
    """Departments publish by 31 January, governments by 31 March of the following year; a body
    whose kind the name does not tell gets the later date, so it is never called late wrongly."""
    return date(year + 1, 1, 31) if kind == BodyKind.DEPARTMENT else date(year + 1, 3, 31)


def coverage(
    *, session: Session, year: int, region: str | None = None, tree: str = "geo", within: RegionScope
) -> CoverageResult:
    """Bodies are known from their reports: any body that published for this year or an earlier one
    (of those in the caller's scope)."""
    where, _ = report_filters(
        tree=tree, region=region, year=None, year_from=None, year_to=year, scope="all", within=within
    )
    query = select(  # type: ignore[call-overload]
        col(Report.id),
        col(Report.organ_key),
        col(Report.organ),
        col(Report.year),
        col(Report.published_on),
        col(Report.region_code),
    )
    rows = session.connection().execute(query.where(*where).order_by(col(Report.organ_key), col(Report.year)))
    bodies: dict[str, dict] = {}
    for report_id, key, organ, report_year, published_on, region_code in rows:
        body = bodies.setdefault(key, {"organ": organ, "this": None, "last": None, "region": region_code})
        body["organ"], body["region"] = organ, region_code or body["region"]
        if report_year == year:
            body["this"] = (report_id, published_on)
        else:
            body["last"] = report_year
    published: list[CoverageBody] = []
    missing: list[CoverageBody] = []
    for body in bodies.values():
        kind = body_kind(body["organ"]).value
        item = CoverageBody(
            organ=body["organ"],
            region=region_ref(body["region"], tree) if body["region"] else None,
            kind=kind,
            deadline=deadline(kind, year),
            last_year=body["last"],
        )
        if body["this"] is None:
            missing.append(item)
            continue
        item.report_id, item.published_on = body["this"]
        item.late = item.published_on is not None and item.published_on > item.deadline
        published.append(item)
    return CoverageResult(
        region=region_ref(full_code(region), tree) if region else None,
        year=year,
        published=published,
        missing=missing,
        late=[b for b in published if b.late],
    )

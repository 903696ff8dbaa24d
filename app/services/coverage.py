"""Who under a region published a report for a year, who did not, who was late.

The bodies are those of the registry (名录) that must publish, and those known from reports; both
are paired by identity (app.services.bodies.identity), so a body printed two ways is one body,
and a registered body that never uploaded anything is 未公开.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from app.models.aggregates import CoverageBody, CoverageResult
from app.models.tables import Report
from app.rules.narrative import BodyKind, body_kind
from app.services.aggregates import Selection, region_ref, report_filters
from app.services.bodies import identity, registered_under
from app.services.gazetteer import full_code
from app.services.scope import RegionScope

# the registry's kinds by the deadline they publish by
_DEPARTMENT_KINDS = {"department"}
_GOVERNMENT_KINDS = {"government", "township", "regiment", "zone"}


def deadline(kind: str, year: int) -> date:
    """Departments publish by 31 January, governments by 31 March of the following year; a body
    whose kind the name does not tell gets the later date, so it is never called late wrongly."""
    return date(year + 1, 1, 31) if kind == BodyKind.DEPARTMENT else date(year + 1, 3, 31)


def _deadline_kind(registry_kind: str | None, organ: str) -> str:
    if registry_kind in _DEPARTMENT_KINDS:
        return BodyKind.DEPARTMENT.value
    if registry_kind in _GOVERNMENT_KINDS:
        return BodyKind.GOVERNMENT.value
    return body_kind(organ).value


def coverage(
    *, session: Session, year: int, region: str | None = None, tree: str = "geo", within: RegionScope
) -> CoverageResult:
    """Every registered body that must publish, and every body that published for this year or an
    earlier one (of those in the caller's scope); 逾期 from the publication date, or else from the
    signing date (a report signed after the deadline cannot have been published before it)."""
    where, _ = report_filters(Selection(within=within, tree=tree, region=region, year_to=year, scope="all"))
    query = select(  # type: ignore[call-overload]
        col(Report.id),
        col(Report.organ),
        col(Report.year),
        col(Report.published_on),
        col(Report.signed_on),
        col(Report.region_code),
    )
    rows = session.connection().execute(query.where(*where).order_by(col(Report.year), col(Report.id)))
    bodies: dict[str, dict] = {}
    merged: dict[str, str] = {}  # the identity of an alias → the body it names (after a merge)
    for registered in registered_under(session=session, region=region, tree=tree, within=within):
        for alias in registered.aliases:
            merged.setdefault(identity(alias, registered.region_code)[1], registered.key)
        bodies[registered.key] = {
            "organ": registered.name,
            "registered": True,
            "kind": registered.kind,
            "region": registered.region_code,
            "this": None,
            "last": None,
            "names": [],
        }
    keys: dict[tuple[str, str | None], str] = {}
    for report_id, organ, report_year, published_on, signed_on, region_code in rows:
        key = keys.get((organ, region_code))
        if key is None:
            own = identity(organ, region_code)[1]
            key = keys[(organ, region_code)] = own if own in bodies else merged.get(own, own)
        body = bodies.setdefault(
            key,
            {
                "organ": organ,
                "registered": False,
                "kind": None,
                "region": region_code,
                "this": None,
                "last": None,
                "names": [],
            },
        )
        if not body["registered"]:
            body["organ"], body["region"] = organ, region_code or body["region"]
        if organ not in body["names"]:
            body["names"].append(organ)
        if report_year == year:
            body["this"] = (report_id, published_on, signed_on)
        elif report_year is not None:
            body["last"] = report_year
    published: list[CoverageBody] = []
    missing: list[CoverageBody] = []
    for body in bodies.values():
        kind = _deadline_kind(body["kind"], body["organ"])
        item = CoverageBody(
            organ=body["organ"],
            region=region_ref(body["region"], tree) if body["region"] else None,
            kind=kind,
            deadline=deadline(kind, year),
            last_year=body["last"],
            registered=body["registered"],
            names=body["names"],
        )
        if body["this"] is None:
            missing.append(item)
            continue
        item.report_id, item.published_on, item.signed_on = body["this"]
        if item.published_on is not None:
            item.late = item.published_on > item.deadline
            item.late_from = "published_on" if item.late else None
        elif item.signed_on is not None and item.signed_on > item.deadline:
            item.late, item.late_from = True, "signed_on"
        published.append(item)
    return CoverageResult(
        region=region_ref(full_code(region), tree) if region else None,
        year=year,
        published=published,
        missing=missing,
        late=[b for b in published if b.late],
    )

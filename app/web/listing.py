"""The report list's filters, read leniently from a form, and the versions of one body's report."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from sqlmodel import Session

from app.models.api import ReportList, ReportPublic, ReportSummary
from app.rules.naming import organ_key
from app.services import regions, reports
from app.services.corrections import STATE_NAMES
from app.services.gazetteer import gazetteer
from app.services.scope import RegionScope

PAGE_SIZE = 50
UNPLACED = "未定"  # the region filter for reports counted under no region


@dataclass
class Filters:
    year: int | None = None
    region: str = ""
    organ: str = ""
    errors: bool | None = None  # True: only reports with errors; False: only without
    state: str = ""  # submitted | returned | resubmitted | accepted, or any
    page: int = 1
    notes: list[str] = field(default_factory=list)  # filters that could not be used, in words

    @classmethod
    def parse(
        cls,
        *,
        year: str = "",
        region: str = "",
        organ: str = "",
        errors: str = "",
        page: str = "1",
        state: str = "",
    ) -> Filters:
        """A form sends every field, empty ones too; what cannot be used is said, not a 422."""
        found = cls(organ=organ.strip()[:200])
        year = year.strip()
        if year.isascii() and year.isdigit() and len(year) == 4 and 2000 <= int(year) <= 2100:
            found.year = int(year)
        elif year:
            found.notes.append(f"年度“{year}”无法识别，已忽略")
        region = region.strip()[:100]
        if region == UNPLACED:
            found.region = UNPLACED
        elif region.isdigit() and 2 <= len(region) <= 12:
            found.region = region
        elif region:
            found.region = _prefix_of(region, found.notes)
        found.errors = {"1": True, "0": False}.get(errors)
        found.state = state if state in STATE_NAMES else ""
        # a page past what an offset can reach is no page (and a 5,000-digit one no number)
        readable = page.isascii() and page.isdigit() and len(page) <= 7
        found.page = int(page) if readable and int(page) > 0 else 1
        return found

    def query(self, **override: object) -> str:
        errors = "" if self.errors is None else ("1" if self.errors else "0")
        params: dict[str, object] = {
            "year": self.year or "",
            "region": self.region,
            "organ": self.organ,
            "errors": errors,
            "state": self.state,
            "page": self.page,
        }
        params.update(override)
        return urlencode({k: v for k, v in params.items() if v not in ("", None)})


_LEVEL_DIGITS = (2, 4, 6, 9, 12)  # province, prefecture, county, township, village


def code_prefix(code: str) -> str:
    """The digits that name a region and everything under it: 659008000000 → 659008."""
    return next(code[:n] for n in _LEVEL_DIGITS if not code[n:].strip("0"))


def _prefix_of(name: str, notes: list[str]) -> str:
    """A region's name to the prefix of its codes, said in a note; an unknown name is ignored."""
    found = regions.resolve(name=name)
    if found.code is None or not found.code.isdigit():
        notes.append(f"无法确定地区“{name}”，已忽略；也可以填写区划代码的前几位")
        return ""
    prefix = code_prefix(found.code)
    notes.append(f"地区“{name}”按区划代码 {prefix} 开头筛选")
    return prefix


def region_label(code: str | None) -> str:
    """Where a report is counted, in names: the XPCC path for its units, else the geographic one."""
    gaz = gazetteer()
    region = gaz.get(code) if code else None
    if region is None:
        return "未定"
    path = gaz.path(region.code, "xpcc") or gaz.path(region.code, "geo")
    return (
        " › ".join(r.name_in("xpcc") if region.in_tree("xpcc") else r.name for r in path[1:]) or region.name
    )


@dataclass
class Result:
    items: list[ReportSummary]
    total: int
    page: int
    pages: int


def search(*, session: Session, filters: Filters, within: RegionScope) -> Result:
    listed: ReportList = reports.list_reports(
        session=session,
        year=filters.year,
        organ=filters.organ or None,
        valid=None if filters.errors is None else not filters.errors,
        region_code=filters.region if filters.region not in ("", UNPLACED) else None,
        all_versions=False,
        limit=PAGE_SIZE,
        offset=(filters.page - 1) * PAGE_SIZE,
        within=within,
        state=filters.state or None,
        unplaced=filters.region == UNPLACED,
    )
    pages = max(1, -(-listed.total // PAGE_SIZE))
    return Result(listed.items, listed.total, filters.page, pages)


def versions(*, session: Session, report: ReportPublic, within: RegionScope) -> list[ReportSummary]:
    """Every stored version of the same body and year, oldest first."""
    if report.year is None:
        return []
    listed = reports.list_reports(
        session=session,
        year=report.year,
        organ=report.organ,
        valid=None,
        region_code=None,
        all_versions=True,
        limit=200,
        offset=0,
        within=within,
    )
    key = organ_key(report.organ or "")
    same = [item for item in listed.items if organ_key(item.organ) == key]
    return sorted(same, key=lambda item: item.version)

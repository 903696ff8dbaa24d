"""Whose reports a caller may see and write: the one place a region scope becomes SQL.

A scope is a region (a subtree of the geographic or the XPCC tree, by code) and, for a clerk,
the bodies they report for. A region code that is in both trees (第四师 is 可克达拉市) covers its
subtree in each. National callers (no region, no bodies) see everything. A read out of scope is
answered as if the report did not exist (404); a write out of scope is 403 `out_of_scope`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, or_
from sqlmodel import col

from app.errors import ProblemError, not_found
from app.models.tables import Report
from app.services.gazetteer import PATH_COLUMNS, TREES, gazetteer


@dataclass(frozen=True)
class RegionScope:
    region: str | None = None  # a region code; None: every region
    organs: frozenset[str] = frozenset()  # organ keys; empty: every body of the region

    @property
    def national(self) -> bool:
        return self.region is None and not self.organs

    def describe(self) -> str:
        parts = [f"地区 {self.region}"] if self.region else []
        if self.organs:
            parts.append("、".join(sorted(self.organs)))
        return "；".join(parts) or "全国"


NATIONAL = RegionScope()


def _region_columns(region: str) -> list[tuple[str, str]]:
    """(report column, code) pairs a report must match one of to lie under the region."""
    found = gazetteer().get(region)
    if found is None:
        return []
    return [(PATH_COLUMNS[found.level_in(tree)], found.code) for tree in TREES if found.in_tree(tree)]


def valid_region(region: str) -> bool:
    return bool(_region_columns(region))


def clause(scope: RegionScope) -> Any:
    """A WHERE clause on Report for what the scope covers; None for a national scope."""
    if scope.national:
        return None
    parts: list[Any] = []
    if scope.region is not None:
        columns = _region_columns(scope.region)
        parts.append(or_(*(getattr(Report, c) == code for c, code in columns)) if columns else false())
    if scope.organs:
        parts.append(col(Report.organ_key).in_(sorted(scope.organs)))
    return parts[0] if len(parts) == 1 else parts[0] & parts[1]


def covers(scope: RegionScope, *, organ_key: str, columns: Mapping[str, str | None]) -> bool:
    """Whether a report of this body, placed in these path columns, lies in the scope."""
    return covers_body(scope, organ_keys=(organ_key,), columns=columns)


def covers_body(scope: RegionScope, *, organ_keys: Iterable[str], columns: Mapping[str, str | None]) -> bool:
    """Whether a body known by any of these names (organ keys), placed in these path columns,
    lies in the scope."""
    if scope.organs and scope.organs.isdisjoint(organ_keys):
        return False
    if scope.region is not None:
        return any(columns.get(c) == code for c, code in _region_columns(scope.region))
    return True


def report_columns(report: Report) -> dict[str, str | None]:
    return {c: getattr(report, c) for c in PATH_COLUMNS.values()}


def require_visible(scope: RegionScope, report: Report | None, what: str) -> Report:
    """The report when the scope covers it; otherwise 404, the same as for no report at all."""
    if report is None or not covers(scope, organ_key=report.organ_key, columns=report_columns(report)):
        raise not_found(what)
    return report


def out_of_scope(scope: RegionScope, organs: Iterable[str]) -> ProblemError:
    names = "、".join(dict.fromkeys(organs))
    return ProblemError(
        403, "out_of_scope", f"“{names}”不在您的权限范围（{scope.describe()}）内，未保存任何内容"
    )

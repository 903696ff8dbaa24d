"""What the API returns for aggregates and coverage."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from app.models.api import FigureValue
from app.models.regions import RegionLevel, RegionRef, Tree


class GroupBy(StrEnum):
    """What the sums are grouped by: nothing (one row), region, year, or both."""

    NONE = ""
    REGION = "region"
    YEAR = "year"
    REGION_YEAR = "region,year"
    YEAR_REGION = "year,region"


class AggregateScope(StrEnum):
    """body：各机关本级报告（不含汇总报告）；area：只计汇总报告"""

    BODY = "body"
    AREA = "area"


class RegionInRow(BaseModel):
    code: str
    name: str
    path: list[RegionRef]


class FigureInfo(BaseModel):
    code: str
    label: str
    kind: str


class AggregateRow(BaseModel):
    region: RegionInRow | None = Field(None, description="present when grouped by region")
    year: int | None = Field(None, description="present when grouped by year")
    reports: int = Field(description="latest reports counted in this group")
    reports_with_errors: int
    values: dict[str, FigureValue] = Field(description="sum per figure; null when every report left it blank")
    blanks: dict[str, int] = Field(description="per figure, how many of the reports left it blank")
    invalid: dict[str, int] = Field(
        default_factory=dict,
        description="per figure, how many reports gave a value the VALUE rule found impossible "
        "(negative, not a whole number, an impossible amount): left out of the sum",
    )
    flagged: dict[str, int] = Field(
        default_factory=dict,
        description="per figure, how many of the reports carry an error finding that reads it",
    )


class AggregateResult(BaseModel):
    tree: Tree
    region_level: RegionLevel | None
    scope: AggregateScope
    figures: list[FigureInfo]
    rows: list[AggregateRow]
    total: AggregateRow | None = Field(
        None,
        description="with total=true (and in every download): the sums over the whole scope, "
        "including reports placed at the region itself rather than in one of the rows",
    )


class CoverageBody(BaseModel):
    organ: str
    region: RegionInRow | None
    kind: str = Field(description="government | department | unknown：决定公布期限（unknown 按 3 月 31 日）")
    report_id: int | None = None
    published_on: date | None = None
    deadline: date
    signed_on: date | None = None
    late: bool = False
    late_from: str | None = Field(
        None,
        description="published_on: published after the deadline; signed_on: no publication date, "
        "but signed after the deadline",
    )
    last_year: int | None = Field(None, description="the latest year the body published before")
    registered: bool = Field(False, description="in the registry (名录) of bodies that must publish")
    names: list[str] = Field(default_factory=list, description="the names its reports were printed under")


class CoverageResult(BaseModel):
    region: RegionInRow | None
    year: int
    published: list[CoverageBody]
    missing: list[CoverageBody] = Field(
        description="bodies of the registry, or known from earlier years, with no report this year"
    )
    late: list[CoverageBody] = Field(
        description="published after 31 January (departments) or 31 March (governments)"
    )

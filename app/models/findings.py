"""What the API returns for the findings across many reports."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.models.aggregates import RegionInRow


class FindingInScope(BaseModel):
    report_id: int
    organ: str
    year: int | None
    region: RegionInRow | None
    rule: str
    rule_title: str = Field(description="规则名称（中文）")
    severity: str = Field(description="error | warning | info")
    table: str | None = Field(
        None, description="table2 | table3 | table4; null for the narrative and metadata"
    )
    row: str | None = None
    column: str | None = None
    page: int | None = None
    reported: str | None = Field(None, description="what the report gives")
    expected: str | None = Field(None, description="what the rule requires")
    message: str = Field(description="中文说明")
    hint: str | None = None


class FindingsResult(BaseModel):
    tree: str
    total: int = Field(description="findings listed")
    truncated: bool = Field(description="true when more findings matched than were listed")
    items: list[FindingInScope]

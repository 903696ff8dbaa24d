"""What the API returns for regions and name resolution."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class Tree(StrEnum):
    """The statistical division tree, or the XPCC's (兵团 → 师 → 团场)."""

    GEO = "geo"
    XPCC = "xpcc"


class RegionLevel(StrEnum):
    """Levels of the geographic tree, then of the XPCC tree."""

    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"
    TOWNSHIP = "township"
    CORPS = "corps"
    DIVISION = "division"
    REGIMENT = "regiment"


class RegionRef(BaseModel):
    code: str
    name: str
    level: RegionLevel


class RegionPublic(BaseModel):
    code: str = Field(description="十二位统计用区划代码；兵团为 XPCC，未设市的师为 XPCC<师号>")
    name: str
    level: RegionLevel = Field(
        description="province | prefecture | county | township；兵团树：corps | division | regiment"
    )
    kind: str = Field(description="admin | functional（开发区、农场、团场等）")
    parent: str | None
    has_children: bool
    source: str = Field(description="nbs（统计用区划代码）| xpcc | local（本地补充）")
    path: list[RegionRef]


class RegionList(BaseModel):
    tree: Tree
    total: int
    items: list[RegionPublic]


class Resolution(BaseModel):
    name: str
    code: str | None = Field(description="null when the name fits no region, or more than one")
    region: RegionPublic | None
    path: list[RegionRef] = Field(description="地理树上的路径（省 → 地 → 县 → 乡）")
    xpcc_path: list[RegionRef] = Field(description="兵团树上的路径（兵团 → 师 → 团场），不在兵团树上时为空")
    confidence: float
    rest: str | None = Field(description="名称中地区以下的部分（部门名、未收录的团场等）")
    candidates: list[RegionPublic] = Field(description="名称同样符合的多个地区")

"""HTTP for the region tree and name resolution."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.models.api import Problem
from app.models.regions import RegionLevel, RegionList, Resolution, Tree
from app.services import regions

router = APIRouter(prefix="/api/v1", tags=["regions"])


@router.get(
    "/regions",
    operation_id="listRegions",
    response_model=RegionList,
    responses={404: {"model": Problem}},
    summary="The region tree: children of a region, a level, or a search by name",
)
def list_regions(
    tree: Tree = Tree.GEO,
    parent: Annotated[str | None, Query(pattern=r"^(\d{2,12}|XPCC(\d{2}(R\d{3})?)?)$")] = None,
    level: RegionLevel | None = None,
    q: Annotated[str | None, Query(min_length=1, max_length=50, description="名称包含")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> RegionList:
    return regions.list_regions(tree=tree, parent=parent, level=level, q=q, limit=limit)


@router.get(
    "/regions/resolve",
    operation_id="resolveRegion",
    response_model=Resolution,
    summary="The region a body's name places it in",
)
def resolve_region(name: Annotated[str, Query(min_length=1, max_length=200)]) -> Resolution:
    return regions.resolve(name=name)

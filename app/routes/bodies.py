"""HTTP for the registry (名录) of bodies that must publish."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from app.db import SessionDep, SessionRoute
from app.extract import registry
from app.models.api import Problem
from app.models.registry import BodyChange, BodyList, BodyPublic, RegistryImport
from app.routes.access import CallerDep
from app.routes.aggregates import _MEDIA, RegionCode, _download
from app.routes.inputs import read_registry_input
from app.routes.regions import Tree
from app.services import bodies, tabular

router = APIRouter(prefix="/api/v1", tags=["registry"], route_class=SessionRoute)

_BODY = {
    "required": True,
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        _MEDIA["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
        "application/json": {
            "schema": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "aliases": {"type": "array", "items": {"type": "string"}},
                        "region_code": {"type": "string"},
                        "kind": {"type": "string"},
                        "must_publish": {"type": "boolean"},
                    },
                    "required": ["name"],
                },
            }
        },
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
    },
}


@router.post(
    "/bodies",
    response_model=RegistryImport,
    responses={422: {"model": Problem}, 413: {"model": Problem}, 415: {"model": Problem}},
    openapi_extra={"requestBody": _BODY},
    summary="Add or update bodies of the registry from CSV, XLSX or JSON (all rows or none)",
)
def post_bodies(
    upload: Annotated[tuple[bytes, str], Depends(read_registry_input)], session: SessionDep, caller: CallerDep
) -> RegistryImport:
    data, fmt = upload
    rows, problems = registry.parse(data, fmt)
    return bodies.import_bodies(session=session, rows=rows, problems=problems, actor=caller.name)


@router.get(
    "/bodies",
    response_model=BodyList,
    responses={200: {"content": {_MEDIA["csv"]: {}, _MEDIA["xlsx"]: {}}}, 422: {"model": Problem}},
    summary="The bodies of the registry under a region",
)
def get_bodies(
    session: SessionDep,
    region: RegionCode = None,
    tree: Tree = "geo",
    q: Annotated[str | None, Query(max_length=100, description="名称包含")] = None,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> BodyList | Response:
    result = bodies.list_bodies(session=session, region=region, tree=tree, q=q)
    if format == "json":
        return result
    return _download(tabular.bodies_sheet(result), format, "bodies")


@router.patch(
    "/bodies/{body_id}",
    response_model=BodyPublic,
    responses={400: {"model": Problem}, 404: {"model": Problem}, 422: {"model": Problem}},
    summary="Change a registered body's name, aliases, kind or whether it must publish",
)
def patch_body(body_id: int, change: BodyChange, session: SessionDep, caller: CallerDep) -> BodyPublic:
    return bodies.change(session=session, body_id=body_id, changes=change, actor=caller.name)

"""HTTP for the registry (名录) of bodies that must publish."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.db import SessionDep, SessionRoute
from app.extract import registry
from app.models.api import Problem
from app.models.regions import Tree
from app.models.registry import (
    BodyChange,
    BodyEdit,
    BodyList,
    BodyMerge,
    BodyPublic,
    BodySplit,
    RegistryImport,
)
from app.routes import downloads
from app.routes.access import CallerDep
from app.routes.aggregates import RegionCode
from app.routes.inputs import read_registry_input
from app.routes.params import Id
from app.services import bodies, body_edits, tabular

router = APIRouter(prefix="/api/v1", tags=["registry"], route_class=SessionRoute)

# A CSV or XLSX file is also taken as the raw body (text/csv, the XLSX type); the document names
# the two forms every generated client can send.
_BODY = {
    "required": True,
    "description": "名录：JSON 数组，或以 multipart 的 file 字段上传 CSV、XLSX、JSON 文件"
    "（亦可直接以 text/csv 或 XLSX 类型发送文件本身）",
    "content": {
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


_PROBLEMS: dict[int | str, dict] = {422: {"model": Problem}}
_LIST = "The bodies of the registry under a region (of those in the caller's scope)"


@router.post(
    "/bodies",
    operation_id="importBodies",
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
    return bodies.import_bodies(session=session, rows=rows, problems=problems, actor=caller.label)


def _list(
    session: SessionDep,
    caller: CallerDep,
    region: RegionCode = None,
    tree: Tree = Tree.GEO,
    q: Annotated[str | None, Query(max_length=100, description="名称包含")] = None,
) -> BodyList:
    return bodies.list_bodies(session=session, region=region, tree=tree, q=q, within=caller.region_scope)


downloads.add_list_routes(
    router,
    "/bodies",
    source=_list,
    response_model=BodyList,
    sheet=tabular.bodies_sheet,
    name=lambda _: "bodies",
    operation_id="listBodies",
    summary=_LIST,
    label="名录",
    problems=_PROBLEMS,
)


@router.patch(
    "/bodies/{body_id}",
    operation_id="updateBody",
    response_model=BodyPublic,
    responses={400: {"model": Problem}, 404: {"model": Problem}, 422: {"model": Problem}},
    summary="Change a registered body's name, aliases, kind or whether it must publish",
)
def patch_body(body_id: Id, change: BodyChange, session: SessionDep, caller: CallerDep) -> BodyPublic:
    return bodies.change(
        session=session, body_id=body_id, changes=change, actor=caller.label, within=caller.region_scope
    )


_EDIT_PROBLEMS: dict[int | str, dict] = {
    400: {"model": Problem},
    404: {"model": Problem},
    409: {"model": Problem},
    422: {"model": Problem},
}


@router.post(
    "/bodies/{body_id}/merge",
    operation_id="mergeBody",
    response_model=BodyEdit,
    responses=_EDIT_PROBLEMS,
    summary="Merge a registered body into another of the same region (its names become aliases)",
)
def post_merge(body_id: Id, merge: BodyMerge, session: SessionDep, caller: CallerDep) -> BodyEdit:
    return body_edits.merge(
        session=session, body_id=body_id, into=merge.into, actor=caller.label, within=caller.region_scope
    )


@router.post(
    "/bodies/{body_id}/split",
    operation_id="splitBody",
    response_model=BodyEdit,
    responses=_EDIT_PROBLEMS,
    summary="Make an alias of a registered body a body of its own, in the same region",
)
def post_split(body_id: Id, split: BodySplit, session: SessionDep, caller: CallerDep) -> BodyEdit:
    return body_edits.split(
        session=session, body_id=body_id, alias=split.alias, actor=caller.label, within=caller.region_scope
    )

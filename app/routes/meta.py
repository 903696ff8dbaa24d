"""The rule catalogue, liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.models.api import RulePublic
from app.rules.catalogue import RULES
from app.services import health

router = APIRouter()


@router.get(
    "/api/v1/rules",
    operation_id="listRules",
    response_model=list[RulePublic],
    tags=["rules"],
    summary="The 勾稽 rule catalogue",
)
def list_rules() -> list[RulePublic]:
    return [
        RulePublic(
            id=rule.id,
            severity=rule.severity.value,
            title=rule.title,
            title_en=rule.title_en,
            reads=rule.reads,
            message=rule.message,
            message_en=rule.message_en,
        )
        for rule in RULES
    ]


@router.get("/healthz", operation_id="getHealth", tags=["health"], summary="Liveness")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    operation_id="getReadiness",
    tags=["health"],
    summary="Readiness: database reachable, migrations at head",
)
def readyz() -> JSONResponse:
    state = health.readiness()
    return JSONResponse(state, status_code=200 if state["ready"] else 503)

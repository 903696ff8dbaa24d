"""Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST

from app.services import telemetry

router = APIRouter()
TEXT = {"type": "string"}


@router.get(
    "/metrics",
    operation_id="getMetrics",
    tags=["health"],
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"description": "Prometheus 文本格式", "content": {"text/plain": {"schema": TEXT}}}},
)
def metrics() -> Response:
    return Response(telemetry.exposition(), media_type=CONTENT_TYPE_LATEST)

"""Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST

from app.services import telemetry

router = APIRouter()


@router.get("/metrics", tags=["health"], summary="Prometheus metrics", response_class=Response)
def metrics() -> Response:
    return Response(telemetry.exposition(), media_type=CONTENT_TYPE_LATEST)

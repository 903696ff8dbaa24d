"""Metrics and JSON logs: what operators watch. No HTTP here, so workers use it too."""

from __future__ import annotations

import contextvars
import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

REQUESTS = Counter("nianbao_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "nianbao_http_request_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
EXTRACTION = Histogram(
    "nianbao_extraction_seconds",
    "Time to read a report from its bytes, by format",
    ["format", "outcome"],
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60),
)
FINDINGS = Counter(
    "nianbao_findings_total", "Findings of newly stored reports, by rule", ["rule", "severity"]
)
JOBS = Counter("nianbao_batch_jobs_total", "Batch jobs finished", ["outcome"])
BUSY = Counter(
    "nianbao_busy_rejections_total",
    "Requests answered 503 busy: too many submissions waiting, extraction full, database locked",
    ["reason"],
)

_FORMATS = {
    "application/json": "json",
    "application/pdf": "pdf",
    "text/html": "html",
    "text/plain": "text",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}


METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def request_labels(method: str, route: object) -> tuple[str, str]:
    """The labels of a request's metrics: a method the service knows and a route template, never
    what the caller wrote (each new label value is a series kept for the life of the process)."""
    template = getattr(route, "path", None)
    return (method if method in METHODS else "other", template if isinstance(template, str) else "unmatched")


def format_of(media_type: str | None) -> str:
    return _FORMATS.get((media_type or "").split(";")[0].strip(), "other")


@contextmanager
def extraction_timer() -> Iterator[dict]:
    """Times one extraction; the caller puts the media type it found into the yielded dict."""
    found: dict = {"media_type": None}
    started = time.perf_counter()
    outcome = "error"
    try:
        yield found
        outcome = "ok"
    finally:
        EXTRACTION.labels(format_of(found["media_type"]), outcome).observe(time.perf_counter() - started)


def count_findings(findings: list) -> None:
    for finding in findings:
        FINDINGS.labels(finding.rule, finding.severity).inc()


def exposition() -> bytes:
    """All metrics; with PROMETHEUS_MULTIPROC_DIR set, those of every process of this host."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(DEFAULT_REGISTRY)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request id when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            entry["request_id"] = rid
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(*, json_logs: bool, level: str) -> None:
    """The service's loggers write JSON lines to stderr (uvicorn's access log is replaced by ours)."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter() if json_logs else logging.Formatter("%(levelname)s %(name)s %(message)s")
    )
    for name in ("nianbao", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
    logging.getLogger("uvicorn.access").disabled = True

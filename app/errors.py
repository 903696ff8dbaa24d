"""Errors the caller made, each with an HTTP status, a stable code and a Chinese detail."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ProblemError(Exception):
    status: int
    code: str
    detail: str  # zh, tells the caller what to do
    errors: list[dict] = field(default_factory=list)  # per-path details, e.g. for invalid JSON
    retry_after: int | None = None  # seconds, for 503 when the service is busy
    headers: dict[str, str] = field(default_factory=dict)  # e.g. Retry-After, WWW-Authenticate
    report: dict | None = None  # what was read when the report cannot be stored: figures and findings

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.detail}"


def not_found(what: str) -> ProblemError:
    return ProblemError(404, "not_found", f"未找到{what}")

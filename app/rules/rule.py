"""A rule of the catalogue, and the one place its findings are built."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.draft import Finding, Location, Severity


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str  # zh
    title_en: str
    reads: str  # which cells, in words
    message: str  # zh template, as GET /api/v1/rules lists it
    message_en: str
    check: str  # its evaluator in app.rules.registry.EVALUATORS
    params: dict = field(default_factory=dict)
    # case -> (zh, en): the whole message of a finding in that case, in place of message/message_en
    cases: dict[str, tuple[str, str]] = field(default_factory=dict)
    case_severity: dict[str, Severity] = field(default_factory=dict)  # where a case's is not the rule's
    hints: dict[str, str] = field(default_factory=dict)  # name -> a hint its findings may carry

    def finding(
        self,
        case: str | None = None,
        fields: Mapping[str, object] | None = None,
        *,
        severity: Severity | None = None,
        location: Location | None = None,
        cells: list[str] | None = None,
        hint: str | None = None,
    ) -> Finding:
        """A finding of this rule: its (case's) templates filled from `fields`, which also give
        the finding's `reported` and `expected` when they name them; `severity` only where the
        finding's own figures decide it."""
        zh, en = self.cases[case] if case else (self.message, self.message_en)
        fields = fields or {}
        reported, expected = fields.get("reported"), fields.get("expected")
        return Finding(
            rule=self.id,
            severity=severity or self.case_severity.get(case or "", self.severity),
            message=zh.format_map(fields),
            message_en=en.format_map(fields),
            location=location or Location(),
            cells=cells or [],
            reported=None if reported is None else str(reported),
            expected=None if expected is None else str(expected),
            hint=hint,
        )

"""The evaluators of the catalogue, by the name a rule gives in `Rule.check`.

An evaluator registers itself with `@evaluates("name")` where it is defined, in the layer that has
what it reads:

- on a draft, `(draft, reading) -> findings`: run by `app.rules.engine.validate` in the order of
  `engine.ON_DRAFT`, which is the order of a report's findings;
- on a draft and the same body's report of the year before, `(draft, previous) -> findings`: run
  by `engine.check_cross_year` in the order of `engine.ON_PAIR`;
- `ocr` (`app.extract.ocr_review.review`) while a scan is read, and `region`
  (`app.services.regions.place`) as a report is placed in the region tree.

A finding is built by `Rule.finding` from its rule's templates, never by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from app.rules.catalogue import RULES

Evaluator = TypeVar("Evaluator", bound=Callable[..., Any])

CHECKS = frozenset(rule.check for rule in RULES)
EVALUATORS: dict[str, Callable[..., Any]] = {}


def evaluates(check: str) -> Callable[[Evaluator], Evaluator]:
    """Register the decorated function as the evaluator of the catalogue's rules whose `check`
    is `check`."""
    if check not in CHECKS:
        raise ValueError(f"no rule of the catalogue is checked by {check!r}")

    def register(evaluator: Evaluator) -> Evaluator:
        if EVALUATORS.get(check, evaluator) is not evaluator:
            raise ValueError(f"{check!r} has an evaluator already")
        EVALUATORS[check] = evaluator
        return evaluator

    return register

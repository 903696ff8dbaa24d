"""Settle figures the text does not place by itself, using the 勾稽 relations — or say it can't.

A row whose figures ran together ("640020470") or lost a cell has several readings. Each reading
leaves some cells unknown; the relations solve an unknown when it is the only one left in a
relation. A reading survives when no relation it completes is broken. If every surviving reading
gives a cell the same value, that value is the figure (status inferred); otherwise the cell is
ambiguous and keeps the values it could have. Blank cells of the document stay blank.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from app.draft import CellKey, Value
from app.rules.relations import Relation

MAX_COMBINATIONS = 20_000

Reading = tuple[Value | None, ...]  # one value per cell of a unit; None where the reading leaves it open


@dataclass
class Unit:
    """Cells read together (a table row, or table 四) and the readings their text allows."""

    keys: tuple[CellKey, ...]
    readings: list[Reading]


@dataclass
class Outcome:
    values: dict[CellKey, Value | None]  # settled values (None: still unknown)
    options: dict[CellKey, list[Value]]  # the values of cells left ambiguous


def placements(numbers: list[Value], width: int) -> list[Reading]:
    """Every order-keeping way to put `numbers` into `width` cells, the rest unknown."""
    if len(numbers) > width:
        return []
    found = []
    for slots in itertools.combinations(range(width), len(numbers)):
        reading: list[Value | None] = [None] * width
        for slot, number in zip(slots, numbers, strict=True):
            reading[slot] = number
        found.append(tuple(reading))
    return found


def splits(digits: str, parts: int) -> Iterator[tuple[int, ...]]:
    """Ways to cut a run of digits into `parts` numbers without leading zeros ("0" stands alone)."""
    if parts == 1:
        if digits and (digits == "0" or not digits.startswith("0")):
            yield (int(digits),)
        return
    limit = 1 if digits.startswith("0") else len(digits) - parts + 1
    for cut in range(1, limit + 1):
        head = digits[:cut]
        for tail in splits(digits[cut:], parts - 1):
            yield (int(head), *tail)


def run_together(tokens: list[str], width: int) -> list[Reading]:
    """Readings of tokens some of which hold several figures written without separators."""
    if not all(t.isdigit() for t in tokens) or len(tokens) >= width:
        return []
    extra = width - len(tokens)
    found: set[Reading] = set()
    for shares in _shares(extra, len(tokens)):
        pieces = [list(splits(token, share + 1)) for token, share in zip(tokens, shares, strict=True)]
        for combo in itertools.product(*pieces):
            found.add(tuple(v for part in combo for v in part))
            if len(found) > MAX_COMBINATIONS:
                return []
    return sorted(found)  # type: ignore[arg-type]


def _shares(total: int, slots: int) -> Iterable[tuple[int, ...]]:
    if slots == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in _shares(total - first, slots - 1):
            yield (first, *rest)


def _propagate(
    values: dict[CellKey, Value | None], open_keys: set[CellKey], relations: list[Relation]
) -> bool:
    """Solve unknown open cells one relation at a time; False when a relation is broken."""
    changed = True
    while changed:
        changed = False
        for rel in relations:
            unknown = [k for k in rel.left + rel.right if values.get(k) is None]
            if not unknown:
                if sum(values[k] for k in rel.left) != sum(values[k] for k in rel.right):  # type: ignore[misc]
                    return False
                continue
            if len(unknown) != 1 or unknown[0] not in open_keys:
                continue
            key = unknown[0]
            left = sum(values[k] for k in rel.left if k != key)  # type: ignore[misc]
            right = sum(values[k] for k in rel.right if k != key)  # type: ignore[misc]
            solved = right - left if key in rel.left else left - right
            if solved < 0:
                return False
            values[key] = solved
            changed = True
    return True


def _solutions(
    units: list[Unit],
    candidates: list[list[Reading]],
    known: dict[CellKey, Value | None],
    relations: list[Relation],
) -> list[dict[CellKey, Value | None]] | None:
    """Every combination of readings that no relation contradicts; None when there are too many."""
    total = 1
    for options in candidates:
        total *= max(len(options), 1)
    if total > MAX_COMBINATIONS:
        return None
    open_keys = {k for unit in units for k in unit.keys}
    found = []
    for combo in itertools.product(*candidates):
        values = dict(known)
        for unit, reading in zip(units, combo, strict=True):
            values.update(zip(unit.keys, reading, strict=True))
        if _propagate(values, open_keys, relations):
            found.append({k: values.get(k) for k in open_keys})
    return found


def _local_relations(unit: Unit, relations: list[Relation]) -> list[Relation]:
    keys = set(unit.keys)
    return [rel for rel in relations if set(rel.left + rel.right) <= keys]


def _agree(solutions: list[dict[CellKey, Value | None]], keys: Iterable[CellKey], outcome: Outcome) -> None:
    for key in keys:
        seen = {s[key] for s in solutions}
        if len(seen) == 1:
            outcome.values[key] = next(iter(seen))
        else:
            outcome.values[key] = None
            options = sorted(v for v in seen if v is not None)
            if options:
                outcome.options[key] = options


def resolve(units: list[Unit], known: dict[CellKey, Value | None], relations: list[Relation]) -> Outcome:
    """Settle the units' cells: one consistent value each where the relations allow it."""
    outcome = Outcome({}, {})
    if not units:
        return outcome
    local: list[list[Reading]] = []
    for unit in units:
        solved = _solutions([unit], [unit.readings], known, _local_relations(unit, relations)) or []
        local.append(sorted({tuple(s[k] for k in unit.keys) for s in solved}, key=repr))
    together = _solutions(units, local, known, relations)
    if together:
        _agree(together, [k for unit in units for k in unit.keys], outcome)
        return outcome
    # No combination fits every relation: the document has errors elsewhere. Settle what each row
    # alone determines, and leave the rest for the rules to report.
    for unit, readings in zip(units, local, strict=True):
        if readings:
            _agree([dict(zip(unit.keys, r, strict=True)) for r in readings], unit.keys, outcome)
        else:
            outcome.values.update(dict.fromkeys(unit.keys))
    return outcome

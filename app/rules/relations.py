"""The sum relations of a layout: each rule of the catalogue expanded once per layout into
concrete relations between cells, with everything that depends only on the layout worked out
then (the engine, the hints and the readers that infer lost cells share them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from operator import itemgetter

from app.draft import CellKey, Location, Value
from app.layout import (
    APPLICANT_PART_CODES,
    T4_PART_CODES,
    Format,
    Layout,
    cell_code,
    layout,
    result_item_rows,
)
from app.rules.catalogue import RULES, Rule
from app.rules.naming import short_label


@dataclass(frozen=True, eq=False)
class Relation:
    """sum(left) == sum(right), one instance of a sum rule.

    Built once per layout by `relations`, with everything that depends only on the layout worked
    out then: validating a draft only picks its values and adds them up. Each relation is one
    object, equal only to itself."""

    rule: Rule
    where: str
    where_en: str
    left: tuple[CellKey, ...]
    right: tuple[CellKey, ...]
    column: str | None  # set when the relation runs down one column
    row: str | None  # set when the relation runs along one row
    # The same cells as positions in the layout's reading order (`Layout.cells`), so a draft's
    # figures are looked up once per validation and every relation reads them by index.
    left_at: tuple[int, ...]
    right_at: tuple[int, ...]
    at: tuple[int, ...]  # left_at + right_at
    cell_codes: tuple[str, ...]  # "table3.new_received.total", left then right
    # The values at left_at (right_at), from values in reading order.
    pick_left: Callable[[Sequence], Sequence]
    pick_right: Callable[[Sequence], Sequence]

    def location(self) -> Location:
        """The cell the relation reports on: a row's 总计, a column's (七)总计; a column or row
        alone when its reported side is several cells."""
        row = self.row or _single_cell(self.left, 1)
        return Location(self.rule.params["table"], row, self.column or _single_cell(self.left, 2))


def _relation(
    rule: Rule,
    where: str,
    where_en: str,
    left: tuple[CellKey, ...],
    right: tuple[CellKey, ...],
    column: str | None,
    row: str | None,
    position: dict[CellKey, int],
) -> Relation:
    left_at, right_at = tuple(position[k] for k in left), tuple(position[k] for k in right)
    return Relation(
        rule,
        where,
        where_en,
        left,
        right,
        column,
        row,
        left_at,
        right_at,
        left_at + right_at,
        tuple(cell_code(*k) for k in left + right),
        _picker(left_at),
        _picker(right_at),
    )


def _picker(positions: tuple[int, ...]) -> Callable[[Sequence], Sequence]:
    """The values at these positions, picked in C: a slice when they are evenly spaced (one
    cell, a run along a row, a column down a table), else an itemgetter."""
    first, last = positions[0], positions[-1]
    step = positions[1] - first if len(positions) > 1 else 1
    if step > 0 and positions == tuple(range(first, last + 1, step)):
        return itemgetter(slice(first, last + 1, step))
    return itemgetter(*positions)


def _tokens(token: str, lay: Layout) -> tuple[str, ...]:
    if token == "@applicant_parts":
        return APPLICANT_PART_CODES
    if token == "@t4_parts":
        return T4_PART_CODES
    if token == "@result_items":
        return result_item_rows(lay.table("table3"))
    return (token,)


def _expand(codes: list[str], lay: Layout) -> tuple[str, ...]:
    return tuple(code for token in codes for code in _tokens(token, lay))


@cache
def relations(fmt: Format, single_other_row: bool = False) -> tuple[Relation, ...]:
    """Every concrete sum relation of a layout (computed once per layout)."""
    lay = layout(fmt, single_other_row)
    position = lay.positions
    found: list[Relation] = []
    for rule in RULES:
        if rule.check != "sum":
            continue
        table = lay.table(rule.params["table"])
        left, right = _expand(rule.params["left"], lay), _expand(rule.params["right"], lay)
        if rule.params["over"] == "rows":
            for row in table.rows:
                lefts = tuple((table.code, row.code, c) for c in left)
                rights = tuple((table.code, row.code, c) for c in right)
                found.append(
                    _relation(rule, short_label(row.label), row.code, lefts, rights, None, row.code, position)
                )
        else:
            for code, label, _ in table.rows[0].columns:
                lefts = tuple((table.code, r, code) for r in left)
                rights = tuple((table.code, r, code) for r in right)
                found.append(_relation(rule, label, code, lefts, rights, code, None, position))
    return tuple(found)


@cache
def relations_at(fmt: Format, single_other_row: bool = False) -> tuple[tuple[Relation, ...], ...]:
    """The relations reading each position: a hint re-checks only those a correction touches."""
    index: list[list[Relation]] = [[] for _ in layout(fmt, single_other_row).cells]
    for rel in relations(fmt, single_other_row):
        for i in rel.at:
            index[i].append(rel)
    return tuple(tuple(found) for found in index)


def bound(rel: Relation, values: Sequence[Value | None], blank_at: set[int]) -> tuple[Value, Value] | None:
    """(the filled cells' sum, the other side's sum) when the blanks of one side cannot be filled
    with non-negative values to make the relation hold: the filled cells already exceed the
    other side. None when some filling can (or both sides have blanks)."""
    left_blank = not blank_at.isdisjoint(rel.left_at)
    if left_blank and not blank_at.isdisjoint(rel.right_at):
        return None
    side, other = (rel.left_at, rel.right_at) if left_blank else (rel.right_at, rel.left_at)
    filled = sum(values[i] for i in side if i not in blank_at)  # type: ignore[misc]
    total = sum(values[i] for i in other)  # type: ignore[misc]
    return (filled, total) if filled > total else None


def _single_cell(keys: tuple[CellKey, ...], part: int) -> str | None:
    return keys[0][part] if len(keys) == 1 else None

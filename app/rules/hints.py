"""Hints: where one wrong row of totals, or one wrong cell, explains several violations."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING

from app.draft import Finding, Location, Value
from app.layout import Layout
from app.rules.naming import cell_label, fmt_value, short_label

if TYPE_CHECKING:
    from app.rules.relations import Relation


@dataclass
class Violation:
    relation: Relation
    reported: Value
    expected: Value
    finding: Finding
    # blanks keep the relation from holding: reported is the filled cells' sum, expected the
    # bound it exceeds; a correction that brings it within the bound fixes it
    bounded: bool = False


def add_hints(
    violations: list[Violation],
    values: list[Value | None],
    blank_at: set[int],
    lay: Layout,
    touched_by: tuple[tuple[Relation, ...], ...],
) -> None:
    """Say where one wrong row of totals, or one wrong cell, explains several violations.

    Cells are positions in the layout's reading order, as in `Relation.left_at`; `blank_at` holds
    those whose value is blank.
    """
    by_relation = {v.relation: v.finding for v in violations}
    bounded = {v.relation for v in violations if v.bounded}

    def explains(fix: dict[int, Value]) -> list[Relation]:
        """The violated relations a correction fixes, if it breaks none that held.

        Only the relations reading a corrected cell can change: the correction must make each of
        them hold (bar those a blank keeps from being checked), and fixes the violated ones."""
        corrected = list(values)
        for i, value in fix.items():
            corrected[i] = value
        touching = {r for i in fix for r in touched_by[i]}
        for r in touching:
            if blank_at.isdisjoint(r.at) and sum(r.pick_left(corrected)) != sum(r.pick_right(corrected)):
                return []
        return [v.relation for v in violations if v.relation in touching]

    # A row of totals that disagrees with its items: replace each by its items' sum.
    totals: dict[tuple[str, str], dict[int, Value]] = defaultdict(dict)
    doubled: set[int] = set()
    for v in violations:
        rel, reported, expected = v.relation, v.reported, v.expected
        if v.bounded:
            continue
        if len(rel.left) == 1 and rel.rule.params.get("over") == "columns":
            totals[rel.left[0][:2]][rel.left_at[0]] = expected
            if expected != 0 and reported == 2 * expected:
                doubled.add(rel.left_at[0])
    for (table, row), fix in totals.items():
        fixed = explains(fix)
        if len(fixed) < 2:
            continue
        label = short_label(lay.table(table).row(row).label)  # type: ignore[union-attr]
        if set(fix) <= doubled:
            cause = f"“{label}”行有 {len(fix)} 个数恰为其各项之和的两倍，很可能把小计重复相加"
        else:
            cause = f"“{label}”行有 {len(fix)} 个数与其各项之和不符，很可能是合计行填错"
        changes = "、".join(f"{cell_label(lay, lay.cells[i])}应为 {fmt_value(v)}" for i, v in fix.items())
        hint = f"{cause}：{changes}；改正后{_outcome(fixed, bounded)}"
        for rel in fixed:
            by_relation[rel].hint = hint
            _point_at(by_relation[rel], [i for i in rel.at if i in fix], lay)

    # One cell whose correction satisfies every violated relation it takes part in. Only a cell
    # read by two or more violated relations can explain two of them, and only relations without
    # a hint yet are worth explaining.
    if all(v.finding.hint for v in violations):
        return
    readers = Counter(chain.from_iterable(v.relation.at for v in violations if not v.bounded))
    for i, count in readers.items():
        if count < 2 or i in blank_at:
            continue
        reading_it = [v for v in violations if i in v.relation.at and not v.bounded]
        if all(v.finding.hint for v in reading_it):
            continue  # the relations this cell could fix are explained already
        options = {_needed(v, i, values[i]) for v in reading_it}
        if len(options) != 1:
            continue
        value = next(iter(options))
        fixed = explains({i: value})
        if len(fixed) < 2:
            continue
        hint = (
            f"若“{cell_label(lay, lay.cells[i])}”应为 {fmt_value(value)}，"
            f"则 {len(fixed)} 条关系均成立：很可能是此格填错"
        )
        for rel in fixed:
            finding = by_relation[rel]
            if not finding.hint:
                finding.hint = hint
                _point_at(finding, [i], lay)


def _point_at(finding: Finding, blamed: list[int], lay: Layout) -> None:
    """Put the finding on the one cell its hint blames, the cell the clerk is to correct, rather
    than on the total its relation compares (the relation's cells stay in `cells`)."""
    if len(blamed) == 1:
        table, row, column = lay.cells[blamed[0]]
        finding.location = Location(table, row, column, finding.location.page)


def _outcome(fixed: list[Relation], bounded: set[Relation]) -> str:
    """What a correction achieves: relations with blanks only become possible to satisfy."""
    open_ = sum(rel in bounded for rel in fixed)
    if not open_:
        return f" {len(fixed)} 条关系均成立"
    if open_ < len(fixed):
        return f" {len(fixed) - open_} 条关系成立，另 {open_} 条在填写空格后即可成立"
    return f" {open_} 条关系在填写空格后即可成立"


def _needed(v: Violation, i: int, value: Value | None) -> Value:
    """The value the cell at position i needs for v's relation to hold."""
    gap = v.expected - v.reported  # type: ignore[operator]
    return value + gap if i in v.relation.left_at else value - gap  # type: ignore[operator]

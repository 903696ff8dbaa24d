"""One small engine that evaluates the catalogue against a draft.

Pure functions: a draft (and, for the cross-year rules, the same body's previous report) in,
findings out. Sum rules are expanded once per layout into concrete relations.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from app.draft import CellKey, Draft, Figure, Finding, Location, Severity, Status, Value
from app.layout import (
    MAX_COUNT,
    Format,
    Kind,
    Layout,
    cell_code,
    storable,
)
from app.rules.catalogue import RULES_BY_ID, SUM_IMPOSSIBLE, Rule
from app.rules.hints import Violation, add_hints
from app.rules.meta import check_metadata
from app.rules.naming import cell_label, fmt_value, short_label
from app.rules.narrative import check_narrative, check_repeat
from app.rules.relations import Relation, bound, relations, relations_at


def _finding(rule: Rule, severity: Severity | None = None, case: str | None = None, **fields) -> Finding:
    zh, en = rule.cases[case] if case else (rule.message, rule.message_en)
    if case and rule.check == "format":
        fields["detail"], fields["detail_en"] = zh.format(**fields), en.format(**fields)
        zh, en = rule.message, rule.message_en
    elif case:
        fields["state"], fields["state_en"] = zh, en
        zh, en = rule.message, rule.message_en
    location: Location = fields.pop("location", Location())
    cells: list[str] = fields.pop("cells", [])
    return Finding(
        rule=rule.id,
        severity=severity or rule.severity,
        message=zh.format(**fields),
        message_en=en.format(**fields),
        location=location,
        cells=cells,
        reported=fields.get("reported"),
        expected=fields.get("expected"),
    )


# ---- the evaluators ---------------------------------------------------------------------------


def _valid_value(kind: Kind, value: Value | None) -> bool:
    if value is None:
        return True  # a blank is COMPLETE's concern
    if not storable(kind, value):
        return False  # not a whole count, or beyond what the figure column keeps exactly
    return kind is Kind.SIGNED or value >= 0


def _kind_words(kind: Kind, value: Value) -> tuple[str, str]:
    """What the cell should hold, in words: the bounds too when the value is beyond them."""
    if kind is Kind.MONEY:
        if value >= 0 and not storable(kind, value):
            return "数额（整数部分至多 14 位，小数至多 6 位）", "amount (at most 14 digits, 6 decimals)"
        return "非负数额", "non-negative amount"
    if isinstance(value, int) and abs(value) >= MAX_COUNT:
        return "件数（应小于 10 的 15 次方）", "count (below 10^15)"
    return ("整数" if kind is Kind.SIGNED else "非负整数"), (
        "integer" if kind is Kind.SIGNED else "non-negative integer"
    )


@dataclass
class Reading:
    """A draft's figures looked up once, in its layout's reading order, for the checks to share."""

    layout: Layout
    figures: list[Figure]  # a missing figure where the draft has none
    values: list[Value | None]
    # Where a figure is not simply read as a non-negative integer: not read (missing, blank,
    # unreadable…), without a value, an amount, negative. Any other figure is complete, valid
    # in every kind of cell and can be summed, so only these need a second look.
    irregular: list[int]


_ABSENT = Figure(None, Status.MISSING)  # read for a cell the draft does not have


def read(draft: Draft) -> Reading:
    """The draft's figures at the positions of its layout's cells, with their values and the
    positions that need a second look."""
    lay = draft.layout
    cells = lay.cells
    if tuple(draft.figures) == cells:  # every figure, in reading order: no need to look them up
        figures = list(draft.figures.values())
    else:
        get = draft.figures.get
        figures = [get(key, _ABSENT) for key in cells]
    read_ = Status.READ  # a local: an enum member looked up for every cell is measurable
    irregular = [
        i
        for i, figure in enumerate(figures)
        if figure.status is not read_
        or type(figure.value) is not int
        or figure.value < 0
        or figure.value >= MAX_COUNT
    ]
    return Reading(lay, figures, [figure.value for figure in figures], irregular)


def check_values(draft: Draft, reading: Reading | None = None) -> list[Finding]:
    """VALUE, in the order the draft gives its figures."""
    rule = RULES_BY_ID["VALUE"]
    reading = reading or read(draft)
    lay = reading.layout
    values, kinds = reading.values, lay.cell_kinds
    wrong = [i for i in reading.irregular if not _valid_value(kinds[i], values[i])]
    if len(wrong) > 1:
        given = {key: n for n, key in enumerate(draft.figures)}
        wrong.sort(key=lambda i: given[lay.cells[i]])
    found = []
    for i in wrong:
        key, value = lay.cells[i], values[i]
        kind, kind_en = _kind_words(kinds[i], value)  # type: ignore[arg-type]
        found.append(
            _finding(
                rule,
                where=cell_label(lay, key),
                reported=fmt_value(value),
                kind=kind,
                kind_en=kind_en,
                location=Location(*key, reading.figures[i].page),
                cells=[cell_code(*key)],
            )
        )
    return found


_TABLE_NAMES = {"table2": "表二", "table3": "表三", "table4": "表四"}
_NUMBERING = re.compile(r"^(?:（[一二三四五六七八九十]+）\s*|[一二三四五六七八九十]+、|\d+\.)")


def check_complete(draft: Draft, reading: Reading | None = None) -> list[Finding]:
    """One finding per row and state: blank, missing, unreadable, ambiguous, inferred, placed cells; it
    says how many relations its blanks keep from being checked, so they are not listed one by one."""
    rule = RULES_BY_ID["COMPLETE"]
    reading = reading or read(draft)
    lay = reading.layout
    values = reading.values
    blank_at = {i for i in reading.irregular if values[i] is None}
    touched_by = relations_at(draft.format, draft.single_other_row)
    by_row: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i in reading.irregular:
        status = reading.figures[i].status
        if status is Status.READ or status is Status.OCR:  # OCR with confidence: as good as read
            continue
        table, row, _ = lay.cells[i]
        by_row[(table, row, status.value)].append(i)
    found = []
    for (table, row, state), at in by_row.items():
        keys = [lay.cells[i] for i in at]
        row_layout = lay.table(table).row(row)
        assert row_layout is not None
        labels = row_layout.column_labels
        severity = Severity.INFO if state in (Status.INFERRED, Status.PLACED) else rule.severity
        figure = reading.figures[at[0]]
        whole = len(keys) == len(row_layout.columns) > 1
        unchecked = {
            rel for i in at if i in blank_at for rel in touched_by[i] if bound(rel, values, blank_at) is None
        }
        found.append(
            _finding(
                rule,
                severity,
                state,
                where=f"{_TABLE_NAMES[table]}“{short_label(row_layout.label)}”",
                columns=(
                    "整行"
                    if whole
                    else "的" + "、".join(labels[k[2]] for k in keys)
                    if len(row_layout.columns) > 1
                    else ""
                ),
                columns_en="the whole row" if whole else ", ".join(k[2] for k in keys),
                unchecked=f"，涉及的 {len(unchecked)} 条勾稽关系因此未能核对" if unchecked else "",
                unchecked_en=f"; {len(unchecked)} relations could not be checked" if unchecked else "",
                location=Location(table, row, keys[0][2] if len(keys) == 1 else None, figure.page),
                cells=[cell_code(*k) for k in keys],
            )
        )
        if figure.raw not in (None, ""):
            found[-1].reported = figure.raw
    return found


def check_sums(draft: Draft, reading: Reading | None = None) -> list[Finding]:
    """Every sum relation: an error where it fails, or where its blanks cannot make it hold.
    One with blanks that could hold is left to the blanks' COMPLETE finding."""
    reading = reading or read(draft)
    lay = reading.layout
    values = reading.values
    blank_at = {i for i in reading.irregular if values[i] is None}
    touched_by = relations_at(draft.format, draft.single_other_row)
    unchecked = {rel for i in blank_at for rel in touched_by[i]}  # a blank is never taken as 0
    violations: list[Violation] = []
    found: list[Finding] = []
    for rel in relations(draft.format, draft.single_other_row):
        if unchecked and rel in unchecked:
            limit = bound(rel, values, blank_at)
            if limit is not None:
                finding = _impossible(rel, limit, [lay.cells[i] for i in rel.at if i in blank_at], lay)
                violations.append(Violation(rel, limit[0], limit[1], finding, bounded=True))
                found.append(finding)
            continue
        reported, expected = sum(rel.pick_left(values)), sum(rel.pick_right(values))
        if reported != expected:
            finding = _finding(
                rel.rule,
                where=rel.where,
                reported=fmt_value(reported),
                expected=fmt_value(expected),
                location=rel.location(),
                cells=list(rel.cell_codes),
            )
            violations.append(Violation(rel, reported, expected, finding))
            found.append(finding)
    if violations:
        add_hints(violations, values, blank_at, lay, touched_by)
    return found


def _impossible(rel: Relation, bound: tuple[Value, Value], blanks: list[CellKey], lay: Layout) -> Finding:
    """The error of a relation no filling of its blanks can make hold, with the bound."""
    zh, en = SUM_IMPOSSIBLE
    table = rel.rule.params["table"]
    left_blank = any(k in rel.left for k in blanks)
    side, other, side_en, other_en = rel.rule.params["sides"]
    if not left_blank:
        side, other, side_en, other_en = other, side, other_en, side_en
    frame = "列" if rel.column else ("行" if table == "table3" else "")
    filled, total = fmt_value(bound[0]), fmt_value(bound[1])
    return Finding(
        rule=rel.rule.id,
        severity=rel.rule.severity,
        message=zh.format(
            where=f"{_TABLE_NAMES[table]}“{rel.where}”{frame}",
            side=side,
            other=other,
            reported=filled,
            expected=total,
            blanks=_blank_names(rel, blanks, lay),
        ),
        message_en=en.format(
            where_en=f"{table} {rel.where_en}",
            side_en=side_en,
            other_en=other_en,
            reported=filled,
            expected=total,
            blanks_en=", ".join(cell_code(*k) for k in blanks),
        ),
        location=rel.location(),
        cells=list(rel.cell_codes),
        reported=filled,
        expected=total,
    )


def _blank_names(rel: Relation, blanks: list[CellKey], lay: Layout) -> str:
    """The blank cells as the relation's frame names them: down a column by their rows
    (“结转下年度”), along a row by their columns; at most three, then how many more."""
    if rel.column:
        names = [_NUMBERING.sub("", short_label(lay.table(k[0]).row(k[1]).label)) for k in blanks]  # type: ignore[union-attr]
    elif rel.row:
        labels = lay.table(blanks[0][0]).row(blanks[0][1]).column_labels  # type: ignore[union-attr]
        names = [labels[k[2]] for k in blanks]
    else:
        names = [cell_label(lay, k) for k in blanks]
    named = "、".join(names[:3])
    return named if len(names) <= 3 else f"{named}等 {len(names)} 格"


def check_format(draft: Draft) -> list[Finding]:
    rule = RULES_BY_ID["FORMAT"]
    found = []
    year = draft.year
    if year is not None and year >= 2021 and draft.format is Format.F2019:
        found.append(_finding(rule, case="old_layout", year=year))
    if year is not None and year <= 2020 and draft.format is Format.F2021:
        found.append(_finding(rule, case="new_layout_early", year=year))
    if draft.format is Format.F2021 and draft.single_other_row:
        found.append(
            _finding(
                rule,
                case="mixed_other_row",
                location=Location("table3", "result.other"),
                cells=[cell_code("table3", "result.other", "total")],
            )
        )
    period = [d for d in (draft.period_start, draft.period_end) if d is not None]
    if year is not None and any(d.year != year for d in period):
        text = "至".join(d.isoformat() for d in period)
        found.append(_finding(rule, case="period_year", year=year, period=text))
    return found


def check_cross_year(draft: Draft, previous: Draft) -> list[Finding]:
    """YEAR-CARRY, YEAR-IN-FORCE and REPEAT against the same body's report of the year before."""
    found = []
    carry = RULES_BY_ID["YEAR-CARRY"]
    this_table, this_row = carry.params["this"]
    prev_table, prev_row = carry.params["prev"]
    lay = draft.layout
    for code, label, _ in lay.table(this_table).rows[0].columns:
        now = draft.value((this_table, this_row, code))
        before = previous.value((prev_table, prev_row, code))
        if now is not None and before is not None and now != before:
            found.append(
                _finding(
                    carry,
                    where=label,
                    reported=fmt_value(now),
                    expected=fmt_value(before),
                    prev_year=previous.year,
                    location=Location(this_table, this_row, code),
                    cells=[cell_code(this_table, this_row, code)],
                )
            )
    in_force = RULES_BY_ID["YEAR-IN-FORCE"]
    if draft.format is Format.F2021 and previous.format is Format.F2021:
        for row in in_force.params["rows"]:
            now, before, issued, repealed = (
                draft.value(("table2", row, "in_force")),
                previous.value(("table2", row, "in_force")),
                draft.value(("table2", row, "issued")),
                draft.value(("table2", row, "repealed")),
            )
            if None in (now, before, issued, repealed):
                continue
            expected = before + issued - repealed  # type: ignore[operator]
            if now != expected:
                found.append(
                    _finding(
                        in_force,
                        where=short_label(lay.table("table2").row(row).label),  # type: ignore[union-attr]
                        reported=fmt_value(now),
                        expected=fmt_value(expected),
                        location=Location("table2", row, "in_force"),
                        cells=[cell_code("table2", row, c) for c in ("in_force", "issued", "repealed")],
                    )
                )
    return found + check_repeat(draft, previous)


def validate(draft: Draft, previous: Draft | None = None) -> list[Finding]:
    """Every finding for a draft; `previous` is the same body's latest report of the year before."""
    reading = read(draft)  # the figures read once, shared by the checks below
    findings = [
        *draft.extraction_findings,
        *check_values(draft, reading),
        *check_complete(draft, reading),
        *check_sums(draft, reading),
        *check_format(draft),
        *check_narrative(draft),
        *check_metadata(draft),
    ]
    if previous is not None:
        findings += check_cross_year(draft, previous)
    return findings


CROSS_YEAR_RULES = frozenset({"YEAR-CARRY", "YEAR-IN-FORCE", "REPEAT"})

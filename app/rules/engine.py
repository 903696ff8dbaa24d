"""One small engine that evaluates the catalogue against a draft, through the registry.

Pure functions: a draft (and, for the cross-year rules, the same body's previous report) in,
findings out. Sum rules are expanded once per layout into concrete relations. The evaluators of
the table rules are here; those of the narrative (`app.rules.statements`, `app.rules.narrative`)
and of what a document must name (`app.rules.meta`) register themselves where they are defined.
"""

from __future__ import annotations

import re
from collections import defaultdict

from app.draft import CellKey, Draft, Finding, Location, Status, Value
from app.layout import MAX_COUNT, Format, Kind, Layout, cell_code, storable
from app.rules import meta, narrative, statements  # noqa: F401  (their evaluators register)
from app.rules.catalogue import RULES, RULES_BY_ID
from app.rules.hints import Violation, add_hints
from app.rules.naming import cell_label, fmt_value, short_label
from app.rules.reading import Reading, read
from app.rules.registry import EVALUATORS, evaluates
from app.rules.relations import Relation, bound, relations, relations_at

# The evaluators `validate` runs on a draft, in the order of a report's findings.
ON_DRAFT = ("value", "complete", "sum", "format", "text", "structure", "timely", "meta", "unread")
# Those `check_cross_year` runs against the same body's report of the year before.
ON_PAIR = ("carry", "in_force", "repeat")


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


@evaluates("value")
def check_values(draft: Draft, reading: Reading) -> list[Finding]:
    """VALUE, in the order the draft gives its figures."""
    rule = RULES_BY_ID["VALUE"]
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
            rule.finding(
                fields={
                    "where": cell_label(lay, key),
                    "reported": fmt_value(value),
                    "kind": kind,
                    "kind_en": kind_en,
                },
                location=Location(*key, reading.figures[i].page),
                cells=[cell_code(*key)],
            )
        )
    return found


_TABLE_NAMES = {"table2": "表二", "table3": "表三", "table4": "表四"}
_NUMBERING = re.compile(r"^(?:（[一二三四五六七八九十]+）\s*|[一二三四五六七八九十]+、|\d+\.)")


@evaluates("complete")
def check_complete(draft: Draft, reading: Reading) -> list[Finding]:
    """One finding per row and state: blank, missing, unreadable, ambiguous, inferred, placed
    cells; it says how many relations its blanks keep from being checked, not each of them."""
    rule = RULES_BY_ID["COMPLETE"]
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
        figure = reading.figures[at[0]]
        whole = len(keys) == len(row_layout.columns) > 1
        unchecked = {
            rel for i in at if i in blank_at for rel in touched_by[i] if bound(rel, values, blank_at) is None
        }
        fields = {
            "where": f"{_TABLE_NAMES[table]}“{short_label(row_layout.label)}”",
            "columns": (
                "整行"
                if whole
                else "的" + "、".join(labels[k[2]] for k in keys)
                if len(row_layout.columns) > 1
                else ""
            ),
            "columns_en": "the whole row" if whole else ", ".join(k[2] for k in keys),
            "unchecked": f"，涉及的 {len(unchecked)} 条勾稽关系因此未能核对" if unchecked else "",
            "unchecked_en": f"; {len(unchecked)} relations could not be checked" if unchecked else "",
            "reported": figure.raw or None,
        }
        location = Location(table, row, keys[0][2] if len(keys) == 1 else None, figure.page)
        found.append(rule.finding(state, fields, location=location, cells=[cell_code(*k) for k in keys]))
    return found


@evaluates("sum")
def check_sums(draft: Draft, reading: Reading) -> list[Finding]:
    """Every sum relation of every sum rule: an error where it fails, or where its blanks cannot
    make it hold. One with blanks that could hold is left to the blanks' COMPLETE finding."""
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
            finding = rel.rule.finding(
                fields={"where": rel.where, "reported": fmt_value(reported), "expected": fmt_value(expected)},
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
    table = rel.rule.params["table"]
    left_blank = any(k in rel.left for k in blanks)
    side, other, side_en, other_en = rel.rule.params["sides"]
    if not left_blank:
        side, other, side_en, other_en = other, side, other_en, side_en
    frame = "列" if rel.column else ("行" if table == "table3" else "")
    fields = {
        "where": f"{_TABLE_NAMES[table]}“{rel.where}”{frame}",
        "where_en": f"{table} {rel.where_en}",
        "side": side,
        "side_en": side_en,
        "other": other,
        "other_en": other_en,
        "reported": fmt_value(bound[0]),
        "expected": fmt_value(bound[1]),
        "blanks": _blank_names(rel, blanks, lay),
        "blanks_en": ", ".join(cell_code(*k) for k in blanks),
    }
    return rel.rule.finding("impossible", fields, location=rel.location(), cells=list(rel.cell_codes))


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


@evaluates("format")
def check_format(draft: Draft, _: Reading | None = None) -> list[Finding]:
    rule = RULES_BY_ID["FORMAT"]
    found = []
    year = draft.year
    if year is not None and year >= 2021 and draft.format is Format.F2019:
        found.append(rule.finding("old_layout", {"year": year}))
    if year is not None and year <= 2020 and draft.format is Format.F2021:
        found.append(rule.finding("new_layout_early", {"year": year}))
    if draft.format is Format.F2021 and draft.single_other_row:
        found.append(
            rule.finding(
                "mixed_other_row",
                location=Location("table3", "result.other"),
                cells=[cell_code("table3", "result.other", "total")],
            )
        )
    period = [d for d in (draft.period_start, draft.period_end) if d is not None]
    if year is not None and any(d.year != year for d in period):
        text = "至".join(d.isoformat() for d in period)
        found.append(rule.finding("period_year", {"year": year, "period": text}))
    return found


@evaluates("carry")
def check_carry(draft: Draft, previous: Draft) -> list[Finding]:
    """YEAR-CARRY: this year's carried over against last year's carried to next year."""
    found = []
    carry = RULES_BY_ID["YEAR-CARRY"]
    this_table, this_row = carry.params["this"]
    prev_table, prev_row = carry.params["prev"]
    lay = draft.layout
    for code, label, _ in lay.table(this_table).rows[0].columns:
        now = draft.value((this_table, this_row, code))
        before = previous.value((prev_table, prev_row, code))
        if now is not None and before is not None and now != before:
            fields = {
                "where": label,
                "reported": fmt_value(now),
                "expected": fmt_value(before),
                "prev_year": previous.year,
            }
            found.append(
                carry.finding(
                    fields=fields,
                    location=Location(this_table, this_row, code),
                    cells=[cell_code(this_table, this_row, code)],
                )
            )
    return found


@evaluates("in_force")
def check_in_force(draft: Draft, previous: Draft) -> list[Finding]:
    """YEAR-IN-FORCE: in force now against last year's in force, this year's issued and repealed."""
    found: list[Finding] = []
    in_force = RULES_BY_ID["YEAR-IN-FORCE"]
    lay = draft.layout
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
                label = short_label(lay.table("table2").row(row).label)  # type: ignore[union-attr]
                found.append(
                    in_force.finding(
                        fields={"where": label, "reported": fmt_value(now), "expected": fmt_value(expected)},
                        location=Location("table2", row, "in_force"),
                        cells=[cell_code("table2", row, c) for c in ("in_force", "issued", "repealed")],
                    )
                )
    return found


def validate(draft: Draft, previous: Draft | None = None) -> list[Finding]:
    """Every finding for a draft; `previous` is the same body's latest report of the year before."""
    reading = read(draft)  # the figures read once, shared by the evaluators
    findings = list(draft.extraction_findings)
    for check in ON_DRAFT:
        findings += EVALUATORS[check](draft, reading)
    if previous is not None:
        findings += check_cross_year(draft, previous)
    return findings


def check_cross_year(draft: Draft, previous: Draft) -> list[Finding]:
    """YEAR-CARRY, YEAR-IN-FORCE and REPEAT against the same body's report of the year before."""
    return [finding for check in ON_PAIR for finding in EVALUATORS[check](draft, previous)]


CROSS_YEAR_RULES = frozenset(rule.id for rule in RULES if rule.check in ON_PAIR)

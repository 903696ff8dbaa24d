"""One small engine that evaluates the catalogue against a draft.

Pure functions: a draft (and, for the cross-year rules, the same body's previous report) in,
findings out. Sum rules are expanded once per layout into concrete relations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from app.draft import CellKey, Draft, Figure, Finding, Location, Severity, Status, Value
from app.rules.catalogue import RULES, RULES_BY_ID, SUM_NOT_CHECKED, Rule
from app.rules.layout import (
    APPLICANT_PART_CODES,
    T4_PART_CODES,
    Format,
    Kind,
    Layout,
    cell_code,
    layout,
    result_item_rows,
)
from app.rules.narrative import check_narrative, check_repeat


@dataclass(frozen=True)
class Relation:
    """sum(left) == sum(right), one instance of a sum rule."""

    rule: Rule
    where: str
    where_en: str
    left: tuple[CellKey, ...]
    right: tuple[CellKey, ...]
    column: str | None  # set when the relation runs down one column
    row: str | None  # set when the relation runs along one row


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
    found: list[Relation] = []
    for rule in RULES:
        if rule.check != "sum":
            continue
        table = lay.table(rule.params["table"])
        left, right = _expand(rule.params["left"], lay), _expand(rule.params["right"], lay)
        if rule.params["over"] == "rows":
            for row in table.rows:
                found.append(
                    Relation(
                        rule,
                        _short(row.label),
                        row.code,
                        tuple((table.code, row.code, c) for c in left),
                        tuple((table.code, row.code, c) for c in right),
                        None,
                        row.code,
                    )
                )
        else:
            for code, label, _ in table.rows[0].columns:
                found.append(
                    Relation(
                        rule,
                        label,
                        code,
                        tuple((table.code, r, code) for r in left),
                        tuple((table.code, r, code) for r in right),
                        code,
                        None,
                    )
                )
    return tuple(found)


def _short(label: str) -> str:
    return label.split("（区分处理")[0]


def fmt_value(value: Value | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def _label(lay: Layout, key: CellKey) -> str:
    table, row, column = key
    found = lay.table(table).row(row)
    if found is None:
        return cell_code(*key)
    column_label = next((label for code, label, _ in found.columns if code == column), column)
    if len(found.columns) == 1:
        return _short(found.label)
    return f"{_short(found.label)}·{column_label}"


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


def check_values(draft: Draft) -> list[Finding]:
    rule = RULES_BY_ID["VALUE"]
    lay = draft.layout
    found = []
    for key, figure in draft.figures.items():
        if figure.value is None:
            continue
        kind = lay.kind(*key)
        value = figure.value
        ok = {
            Kind.COUNT: isinstance(value, int) and value >= 0,
            Kind.SIGNED: isinstance(value, int),
            Kind.MONEY: value >= 0,
        }.get(kind, True)  # type: ignore[arg-type]
        if not ok:
            found.append(
                _finding(
                    rule,
                    where=_label(lay, key),
                    reported=fmt_value(value),
                    kind="非负数额" if kind is Kind.MONEY else "非负整数",
                    kind_en="non-negative amount" if kind is Kind.MONEY else "non-negative integer",
                    location=_location(key, figure),
                    cells=[cell_code(*key)],
                )
            )
    return found


def _location(key: CellKey, figure: Figure | None = None) -> Location:
    return Location(key[0], key[1], key[2], figure.page if figure else None)


_TABLE_NAMES = {"table2": "表二", "table3": "表三", "table4": "表四"}


def check_complete(draft: Draft) -> list[Finding]:
    """One finding per row and state: blank, missing, unreadable, ambiguous, inferred cells."""
    rule = RULES_BY_ID["COMPLETE"]
    lay = draft.layout
    by_row: dict[tuple[str, str, str], list[CellKey]] = defaultdict(list)
    for key in lay.cells:
        figure = draft.figures.get(key)
        status = Status.MISSING if figure is None else figure.status
        if status in (Status.READ,):
            continue
        by_row[(key[0], key[1], status.value)].append(key)
    found = []
    for (table, row, state), keys in by_row.items():
        row_layout = lay.table(table).row(row)
        assert row_layout is not None
        labels = {code: label for code, label, _ in row_layout.columns}
        severity = Severity.INFO if state == Status.INFERRED else rule.severity
        figure = draft.figures.get(keys[0])
        found.append(
            _finding(
                rule,
                severity,
                state,
                where=f"{_TABLE_NAMES[table]}“{_short(row_layout.label)}”",
                columns="的" + "、".join(labels[k[2]] for k in keys) if len(row_layout.columns) > 1 else "",
                columns_en=", ".join(k[2] for k in keys),
                location=Location(table, row, keys[0][2] if len(keys) == 1 else None, figure and figure.page),
                cells=[cell_code(*k) for k in keys],
            )
        )
        if figure is not None and figure.raw not in (None, ""):
            found[-1].reported = figure.raw
    return found


def check_sums(draft: Draft) -> list[Finding]:
    lay = draft.layout
    values = {key: figure.value for key, figure in draft.figures.items()}
    violations: list[Violation] = []
    found: list[Finding] = []
    all_relations = relations(draft.format, draft.single_other_row)
    for rel in all_relations:
        cells = rel.left + rel.right
        blanks = [key for key in cells if values.get(key) is None]
        location = Location(rel.rule.params["table"], rel.row or _single_row(rel.left), rel.column)
        if blanks:
            zh, en = SUM_NOT_CHECKED
            found.append(
                Finding(
                    rule=rel.rule.id,
                    severity=Severity.INFO,
                    message=zh.format(where=rel.where, blanks=_some(lay, blanks)),
                    message_en=en.format(where=rel.where_en, blanks=", ".join(cell_code(*k) for k in blanks)),
                    location=location,
                    cells=[cell_code(*k) for k in cells],
                )
            )
            continue
        reported = sum(values[k] for k in rel.left)  # type: ignore[misc]
        expected = sum(values[k] for k in rel.right)  # type: ignore[misc]
        if reported != expected:
            finding = _finding(
                rel.rule,
                where=rel.where,
                reported=fmt_value(reported),
                expected=fmt_value(expected),
                location=location,
                cells=[cell_code(*k) for k in cells],
            )
            violations.append(Violation(rel, reported, expected, finding))
            found.append(finding)
    _add_hints(violations, values, lay, all_relations)
    return found


def _some(lay: Layout, keys: list[CellKey]) -> str:
    """At most three cells by name, then how many more."""
    named = "、".join(_label(lay, k) for k in keys[:3])
    return named if len(keys) <= 3 else f"{named}等 {len(keys)} 格"


def _single_row(keys: tuple[CellKey, ...]) -> str | None:
    return keys[0][1] if len(keys) == 1 else None


@dataclass
class Violation:
    relation: Relation
    reported: Value
    expected: Value
    finding: Finding


def _add_hints(
    violations: list[Violation],
    values: dict[CellKey, Value | None],
    lay: Layout,
    all_relations: tuple[Relation, ...],
) -> None:
    """Say where one wrong row of totals, or one wrong cell, explains several violations."""
    if not violations:
        return
    by_relation = {id(v.relation): v.finding for v in violations}

    def explains(corrected: dict[CellKey, Value | None], cells: set[CellKey]) -> list[Relation]:
        """The violated relations a correction fixes, if it breaks none that held."""
        touching = [r for r in all_relations if cells & set(r.left + r.right)]
        if not all(_holds(r, corrected) for r in touching if None not in _operands(r, corrected)):
            return []
        return [v.relation for v in violations if _holds(v.relation, corrected)]

    # A row of totals that disagrees with its items: replace each by its items' sum.
    totals: dict[tuple[str, str], dict[CellKey, Value]] = defaultdict(dict)
    doubled: set[CellKey] = set()
    for v in violations:
        rel, reported, expected = v.relation, v.reported, v.expected
        if len(rel.left) == 1 and rel.rule.params.get("over") == "columns":
            totals[rel.left[0][:2]][rel.left[0]] = expected
            if expected != 0 and reported == 2 * expected:
                doubled.add(rel.left[0])
    for (table, row), fix in totals.items():
        fixed = explains({**values, **fix}, set(fix))
        if len(fixed) < 2:
            continue
        label = _short(lay.table(table).row(row).label)  # type: ignore[union-attr]
        if set(fix) <= doubled:
            cause = f"“{label}”行有 {len(fix)} 个数恰为其各项之和的两倍，很可能把小计重复相加"
        else:
            cause = f"“{label}”行有 {len(fix)} 个数与其各项之和不符，很可能是合计行填错"
        changes = "、".join(f"{_label(lay, k)}应为 {fmt_value(v)}" for k, v in fix.items())
        for rel in fixed:
            by_relation[id(rel)].hint = f"{cause}：{changes}；改正后 {len(fixed)} 条关系均成立"

    # One cell whose correction satisfies every violated relation it takes part in.
    needed: dict[CellKey, set[Value]] = defaultdict(set)
    for v in violations:
        for key in v.relation.left + v.relation.right:
            sign = 1 if key in v.relation.left else -1
            needed[key].add(values[key] + sign * (v.expected - v.reported))  # type: ignore[operator]
    for key, options in needed.items():
        if len(options) != 1:
            continue
        value = next(iter(options))
        fixed = explains({**values, key: value}, {key})
        if len(fixed) < 2:
            continue
        for rel in fixed:
            finding = by_relation[id(rel)]
            finding.hint = finding.hint or (
                f"若“{_label(lay, key)}”应为 {fmt_value(value)}，"
                f"则 {len(fixed)} 条关系均成立：很可能是此格填错"
            )


def _operands(rel: Relation, values: dict[CellKey, Value | None]) -> list[Value | None]:
    return [values.get(k) for k in rel.left + rel.right]


def _holds(rel: Relation, values: dict[CellKey, Value | None]) -> bool:
    return sum(values[k] for k in rel.left) == sum(values[k] for k in rel.right)  # type: ignore[misc]


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
                        where=_short(lay.table("table2").row(row).label),  # type: ignore[union-attr]
                        reported=fmt_value(now),
                        expected=fmt_value(expected),
                        location=Location("table2", row, "in_force"),
                        cells=[cell_code("table2", row, c) for c in ("in_force", "issued", "repealed")],
                    )
                )
    return found + check_repeat(draft, previous)


def validate(draft: Draft, previous: Draft | None = None) -> list[Finding]:
    """Every finding for a draft; `previous` is the same body's latest report of the year before."""
    findings = [
        *draft.extraction_findings,
        *check_values(draft),
        *check_complete(draft),
        *check_sums(draft),
        *check_format(draft),
        *check_narrative(draft),
    ]
    if previous is not None:
        findings += check_cross_year(draft, previous)
    return findings


CROSS_YEAR_RULES = frozenset({"YEAR-CARRY", "YEAR-IN-FORCE", "REPEAT"})

"""Golden tests: the five seed texts read to the figures a person reads from them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import SEEDS, expected, seed_names

from app.draft import Severity, Status
from app.extract.layout import parse
from app.extract.text import extract_text
from app.rules.engine import validate

# Seed 001's text lacks the row 四、结转下年度继续办理 altogether (a page break swallowed it): it must
# come out missing, never as the zeros the hand-read figures show.
ABSENT_FROM_TEXT = {"001_67e027749f67ecd0": {("table3", "carried_to_next_year")}}


def _read(name: str):
    return parse(extract_text((SEEDS / f"{name}.txt").read_text(encoding="utf-8")))


def _want(value):
    return value if value is None or isinstance(value, int) else Decimal(value)


@pytest.mark.parametrize("name", seed_names())
def test_every_figure_reads_as_a_person_reads_it(name):
    draft = _read(name)
    hand = expected(name)
    assert (draft.organ, draft.year, draft.format.value) == (hand["organ"], hand["year"], hand["format"])
    absent = ABSENT_FROM_TEXT.get(name, set())
    checked = 0
    for table in ("table2", "table3", "table4"):
        for row, columns in hand[table].items():
            for column, value in columns.items():
                figure = draft.figures.get((table, row, column))
                if (table, row) in absent:
                    assert figure is None, (table, row, column)
                    continue
                assert figure is not None, (table, row, column)
                assert figure.value == _want(value), (table, row, column, figure)
                if value is None:
                    assert figure.status is Status.BLANK
                checked += 1
    assert checked == len(draft.layout.cells) - 7 * len(absent)


def test_seed_000_blank_reconsideration_stays_blank_and_litigation_does_not_shift():
    draft = _read("000_b5dc321a53ba7bbe")
    blanks = [k for k, f in draft.figures.items() if f.status is Status.BLANK]
    assert blanks == [
        ("table4", "reconsideration", c) for c in ("upheld", "corrected", "other", "pending", "total")
    ]
    findings = validate(draft)
    assert [f.severity for f in findings if f.rule == "COMPLETE"] == [Severity.WARNING]
    assert not [f for f in findings if f.severity is Severity.ERROR]
    assert draft.period_start.isoformat() == "2025-01-01" and draft.signed_on.isoformat() == "2026-01-22"


def test_seed_001_doubled_total_row_and_missing_last_row():
    draft = _read("001_67e027749f67ecd0")
    findings = validate(draft)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    assert {(f.rule, f.location.column, f.reported, f.expected) for f in errors} == {
        ("T3-RESULT-SUM", "natural_person", "164", "82"),
        ("T3-RESULT-SUM", "other_org", "430", "215"),
        ("T3-RESULT-SUM", "total", "594", "297"),
        # row 四 is missing, yet （七）总计 alone exceeds 一+二 in three columns: whatever 四 holds
        ("T3-BALANCE", "natural_person", "164", "82"),
        ("T3-BALANCE", "other_org", "430", "215"),
        ("T3-BALANCE", "total", "594", "297"),
    }
    assert all("两倍" in f.hint for f in errors)
    # fixing the doubled row settles the sums; the balances then hold once row 四 is filled in
    assert all(f.hint.endswith("改正后 3 条关系成立，另 3 条在填写空格后即可成立") for f in errors)
    assert all(
        "无论结转下年度继续办理填多少都无法平衡" in f.message for f in errors if f.rule == "T3-BALANCE"
    )
    # each on the cell the hint corrects: the doubled （七）总计 of its column
    assert {f.location.row for f in errors} == {"result.total"}
    # the missing row is one finding, its unchecked relations counted in it, not listed one by one
    missing = [f for f in findings if f.rule == "COMPLETE"]
    assert [f.location.row for f in missing] == ["carried_to_next_year"]
    assert missing[0].message == "表三“四、结转下年度继续办理”整行缺失，涉及的 5 条勾稽关系因此未能核对"
    assert [f for f in findings if f.severity is Severity.INFO] == []
    fees = draft.figures[("table2", "fees", "amount_10k_yuan")]
    assert fees.value == Decimal("1941.7065") and fees.line is not None
    # the row broken by a page break ("4.无正当理由大量" / "反复申请") is read whole
    assert draft.figures[("table3", "result.not_processed.excessive", "total")].status is Status.READ


def test_seed_003_lost_cells_are_inferred_never_shifted():
    draft = _read("003_15b7e0ad82ac5c7e")
    inferred = {(k[1]) for k, f in draft.figures.items() if f.status is Status.INFERRED}
    assert inferred == {"carried_over", "result.disclosed", "result.total"}
    assert draft.figures[("table2", "fees", "amount_10k_yuan")].value == Decimal("923.71")
    infos = [f for f in validate(draft) if f.rule == "COMPLETE"]
    assert {f.location.row for f in infos} == inferred and all(f.severity is Severity.INFO for f in infos)


def test_seed_004_old_layout_with_four_errors():
    draft = _read("004_3754507d9f900802")
    findings = validate(draft)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    assert sorted((f.rule, f.location.column) for f in errors) == [
        ("T3-BALANCE", "natural_person"),
        ("T3-BALANCE", "total"),
        ("T3-RESULT-SUM", "natural_person"),
        ("T3-RESULT-SUM", "total"),
    ]
    assert [f.rule for f in findings if f.severity is Severity.WARNING] == ["FORMAT"]


def test_seed_002_is_clean_and_keeps_its_narrative():
    draft = _read("002_3de73757d3cdff2d")
    assert validate(draft) == []
    assert draft.narrative.startswith("昌吉市阿什里乡2025年政府信息公开工作年度报告")
    assert "五、存在的主要问题及改进情况" in draft.narrative
    assert "一、本年新收政府信息公开申请数量" not in draft.narrative

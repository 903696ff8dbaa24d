"""The rule engine on the five seeds' hand-read figures: exactly the findings a person finds."""

from __future__ import annotations

import copy
from decimal import Decimal

from conftest import expected, seed_report_json

from app.draft import Severity
from app.extract.json_report import parse_report
from app.layout import APPLICANT_COLUMN_CODES, Format, layout
from app.rules.engine import relations, validate


def _findings(report: dict):
    return validate(parse_report(report))


def _by_severity(findings, severity):
    return [f for f in findings if f.severity is severity]


def test_layout_sizes_match_the_official_templates():
    assert len([c for c in layout("2021").cells if c[0] == "table3"]) == 175
    assert len([c for c in layout("2019").cells if c[0] == "table3"]) == 161
    assert len([c for c in layout("2021").cells if c[0] == "table4"]) == 15
    # 25 row totals, 7 result sums, 7 balances, 3 table-four totals
    assert len(relations(Format.F2021)) == 25 + 7 + 7 + 3


def test_seed_001_six_errors_with_the_doubled_row_hint():
    seed = "001_67e027749f67ecd0"
    errors = _by_severity(_findings(seed_report_json(seed)), Severity.ERROR)
    got = {(f.rule, f.location.column, f.reported, f.expected) for f in errors}
    want = set()
    for item in expected(seed)["expected_findings"]:
        if item["kind"] != "error":
            continue
        if "cell" in item:
            column = item["cell"].rsplit(".", 1)[1]
            want.add(("T3-RESULT-SUM", column, str(item["reported"]), str(item["expected"])))
        else:
            want.add(("T3-BALANCE", item["column"], str(item["right"]), str(item["left"])))
    assert got == want and len(errors) == 6
    assert all(f.hint and "两倍" in f.hint for f in errors)
    result_sum = next(f for f in errors if f.rule == "T3-RESULT-SUM" and f.location.column == "total")
    assert result_sum.location.row == "result.total"
    assert "table3.result.disclosed.total" in result_sum.cells


def test_seed_004_four_errors_and_the_old_layout_warning():
    seed = "004_3754507d9f900802"
    findings = _findings(seed_report_json(seed))
    errors = _by_severity(findings, Severity.ERROR)
    assert {(f.rule, f.location.column, f.reported, f.expected) for f in errors} == {
        ("T3-RESULT-SUM", "natural_person", "0", "1"),
        ("T3-RESULT-SUM", "total", "0", "1"),
        ("T3-BALANCE", "natural_person", "0", "1"),
        ("T3-BALANCE", "total", "0", "1"),
    }
    warnings = _by_severity(findings, Severity.WARNING)
    assert [f.rule for f in warnings] == ["FORMAT"]
    assert "2019" in warnings[0].message and "2024" in warnings[0].message
    # one wrong cell explains two violations in each column
    assert all(f.hint and "（七）总计" in f.hint for f in errors)


def test_seed_000_blank_reconsideration_cells_are_a_complete_finding_not_an_error():
    findings = _findings(seed_report_json("000_b5dc321a53ba7bbe"))
    assert _by_severity(findings, Severity.ERROR) == []
    complete = [f for f in findings if f.rule == "COMPLETE"]
    assert len(complete) == 1
    assert complete[0].severity is Severity.WARNING
    assert complete[0].cells == [
        f"table4.reconsideration.{c}" for c in ("upheld", "corrected", "other", "pending", "total")
    ]
    assert complete[0].message == "表四“行政复议”整行为空，涉及的 1 条勾稽关系因此未能核对"
    assert [f for f in findings if f.rule == "T4-TOTAL"] == []  # said once, by COMPLETE


def test_seeds_002_and_003_are_clean():
    for seed in ("002_3de73757d3cdff2d", "003_15b7e0ad82ac5c7e"):
        assert _findings(seed_report_json(seed)) == []


def test_a_blank_operand_is_never_taken_as_zero():
    report = seed_report_json("001_67e027749f67ecd0")
    report["table3"]["result.disclosed"]["natural_person"] = None
    findings = _findings(report)
    sums = [f for f in findings if f.rule == "T3-RESULT-SUM" and f.location.column == "natural_person"]
    assert sums == []  # 82 less the blank may still be 164: not checked, and not an error
    [blank] = [f for f in findings if f.rule == "COMPLETE"]
    assert blank.cells == ["table3.result.disclosed.natural_person"]
    assert blank.message.endswith("为空，涉及的 2 条勾稽关系因此未能核对")


def test_single_wrong_cell_is_named_in_a_hint():
    report = seed_report_json("002_3de73757d3cdff2d")
    report["table3"]["result.disclosed"]["natural_person"] = 2  # row total and column sum both break
    errors = _by_severity(_findings(report), Severity.ERROR)
    assert {f.rule for f in errors} == {"T3-ROW-TOTAL", "T3-RESULT-SUM"}
    assert all("予以公开·自然人" in f.hint and "应为 0" in f.hint for f in errors)


def test_mixed_layout_and_period_are_format_warnings():
    report = seed_report_json("002_3de73757d3cdff2d")
    t3 = report["table3"]
    t3["result.other"] = t3.pop("result.other.no_correction")
    del t3["result.other.unpaid_fee"], t3["result.other.other"]
    report["period_start"], report["period_end"] = "2024-01-01", "2024-12-31"
    draft = parse_report(report)
    assert draft.single_other_row
    messages = [f.message for f in validate(draft) if f.rule == "FORMAT"]
    assert len(messages) == 2
    assert "（六）其他处理" in messages[0] and "2024-01-01" in messages[1]


def test_value_rule_allows_a_negative_change_in_the_2019_layout():
    report = seed_report_json("004_3754507d9f900802")
    report["table2"]["licensing"]["change"] = -4
    report["table2"]["licensing"]["decisions"] = -1
    values = [f for f in _findings(report) if f.rule == "VALUE"]
    assert [f.cells for f in values] == [["table2.licensing.decisions"]]


def test_money_stays_decimal():
    draft = parse_report(seed_report_json("001_67e027749f67ecd0"))
    assert draft.value(("table2", "fees", "amount_10k_yuan")) == Decimal("1941.7065")


def test_in_force_across_years():
    before = parse_report(seed_report_json("001_67e027749f67ecd0"))
    report = copy.deepcopy(seed_report_json("001_67e027749f67ecd0"))
    report["year"] = 2025
    report["table2"]["normative_documents"] = {"issued": 2, "repealed": 1, "in_force": 25}
    findings = validate(parse_report(report), before)
    in_force = [f for f in findings if f.rule == "YEAR-IN-FORCE"]
    assert [(f.reported, f.expected) for f in in_force] == [("25", "19")]


def test_the_order_figures_are_given_in_changes_no_finding():
    report = seed_report_json("004_3754507d9f900802")
    report["table2"]["licensing"]["decisions"] = -1
    report["table2"]["penalty"]["decisions"] = -2
    draft = parse_report(report)
    reordered = copy.copy(draft)
    reordered.figures = dict(reversed(draft.figures.items()))
    incomplete = copy.copy(draft)
    incomplete.figures = {k: f for k, f in draft.figures.items() if k[1] != "carried_over"}

    def seen(findings):
        return [(f.rule, f.message, f.hint, f.cells) for f in findings if f.rule != "VALUE"]

    found = validate(draft)
    assert seen(validate(reordered)) == seen(found)
    # VALUE names wrong figures in the order the report gives them
    assert [f.cells for f in found if f.rule == "VALUE"] == [
        ["table2.licensing.decisions"],
        ["table2.penalty.decisions"],
    ]
    assert [f.cells for f in validate(reordered) if f.rule == "VALUE"] == [
        ["table2.penalty.decisions"],
        ["table2.licensing.decisions"],
    ]
    missing = [f for f in validate(incomplete) if f.rule == "COMPLETE"]
    assert [(f.location.row, f.message_en) for f in missing] == [
        (
            "carried_over",
            "表三“二、上年结转政府信息公开申请数量” the whole row: missing; "
            f"{len(APPLICANT_COLUMN_CODES) - 1} relations could not be checked",
        )
    ]

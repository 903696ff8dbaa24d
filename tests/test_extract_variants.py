"""What real documents do to a table, made from seed 001's text: each variant read exactly."""

from __future__ import annotations

from decimal import Decimal

from conftest import SEEDS

from app.draft import Severity, Status
from app.extract.infer import Unit, resolve
from app.extract.layout import parse
from app.extract.text import extract_text
from app.layout import Format
from app.rules.engine import relations, validate

SEED_001 = (SEEDS / "001_67e027749f67ecd0.txt").read_text(encoding="utf-8")
DISCLOSED = "(一) 予以公开\t79\t0\t0\t0\t0\t215\t294\t"
TOTAL_ROW = "(七) 总计\t\t164\t0\t0\t0\t0\t430\t594"
LOST_OLD = "2.其他法律行政法规禁止公开\t2\t0\t0\t0\t0\t0\t2"
LOST_NEW = "2.其他法律行政法规禁止公开\t0\t0\t0\t0\t0\t2"  # the natural_person cell is gone


def _clean_001() -> str:
    """Seed 001 with its doubled （七） row corrected and its lost last row restored."""
    fixed = "(七) 总计\t\t82\t0\t0\t0\t0\t215\t297\n四、结转下年度继续办理\t\t0\t0\t0\t0\t0\t0\t0"
    return SEED_001.replace(TOTAL_ROW, fixed)


def _variant(old: str, new: str, text: str = SEED_001) -> str:
    assert old in text
    return text.replace(old, new)


def _row(draft, row: str) -> list:
    return [
        draft.figures[("table3", row, c)].value for c in draft.layout.table("table3").row(row).column_codes
    ]


def test_a_row_run_together_is_split_by_the_relations():
    draft = parse(extract_text(_variant(DISCLOSED, "(一) 予以公开\t790000215294")))
    assert _row(draft, "result.disclosed") == [79, 0, 0, 0, 0, 215, 294]
    statuses = {draft.figures[("table3", "result.disclosed", c)].status for c in ("natural_person", "total")}
    assert statuses == {Status.INFERRED}


def test_a_row_that_lost_a_cell_is_not_shifted():
    # "2" for 其他法律行政法规禁止公开 lost its natural_person cell: six figures for seven columns
    clean = _clean_001()
    assert not [f for f in validate(parse(extract_text(clean))) if f.severity is Severity.ERROR]
    draft = parse(extract_text(_variant(LOST_OLD, LOST_NEW, clean)))
    row = [
        draft.figures[("table3", "result.withheld.prohibited_by_law", c)] for c in ("natural_person", "total")
    ]
    # never 0 shifted into natural_person: the relations put 2 back where it belongs
    assert [f.value for f in row] == [2, 2]
    assert all(f.status is Status.INFERRED for f in row)


def test_the_same_lost_cell_beside_an_error_elsewhere_is_ambiguous_not_guessed():
    old, new = (
        "2.其他法律行政法规禁止公开\t2\t0\t0\t0\t0\t0\t2",
        "2.其他法律行政法规禁止公开\t0\t0\t0\t0\t0\t2",
    )
    draft = parse(extract_text(_variant(old, new)))
    figure = draft.figures[("table3", "result.withheld.prohibited_by_law", "natural_person")]
    assert figure.value is None and figure.status is Status.AMBIGUOUS and figure.candidates == [0, 2]


def test_relations_that_allow_two_readings_leave_the_cells_ambiguous():
    keys = tuple(
        ("table4", "reconsideration", c) for c in ("upheld", "corrected", "other", "pending", "total")
    )
    unit = Unit(keys, [(1, 0, 1, 0, 2), (2, 0, 0, 0, 2)])
    outcome = resolve(unit_list := [unit], {}, list(relations(Format.F2021)))
    assert unit_list and outcome.values[keys[1]] == 0 and outcome.values[keys[4]] == 2
    assert outcome.options[keys[0]] == [1, 2] and outcome.values[keys[0]] is None


def test_placeholders_are_blank_and_keep_what_was_printed():
    text = _variant("规章\t0\t0\t0", "规章\t-\t/\t—")
    draft = parse(extract_text(text))
    figures = [draft.figures[("table2", "regulations", c)] for c in ("issued", "repealed", "in_force")]
    assert [(f.value, f.status, f.raw) for f in figures] == [
        (None, Status.BLANK, "-"),
        (None, Status.BLANK, "/"),
        (None, Status.BLANK, "—"),
    ]
    complete = [f for f in validate(draft) if f.rule == "COMPLETE" and f.location.row == "regulations"]
    assert len(complete) == 1 and complete[0].severity is Severity.WARNING


def test_notes_and_units_beside_a_figure_are_kept():
    text = _variant("行政规范性文件\t4\t3\t18", "行政规范性文件\t4（其中修订2件）\t3\t18件")
    draft = parse(extract_text(text))
    issued = draft.figures[("table2", "normative_documents", "issued")]
    assert (issued.value, issued.note, issued.raw) == (4, "（其中修订2件）", "4（其中修订2件）")
    assert draft.figures[("table2", "normative_documents", "in_force")].value == 18


def test_a_2021_report_printing_other_handling_as_one_row():
    start = SEED_001.index("\t(六) 其他处理")
    end = SEED_001.index(TOTAL_ROW)
    text = SEED_001[:start] + "\t(六) 其他处理\t\t1\t0\t0\t0\t0\t0\t1\n" + SEED_001[end:]
    draft = parse(extract_text(text))
    assert draft.single_other_row and draft.format is Format.F2021
    assert _row(draft, "result.other") == [1, 0, 0, 0, 0, 0, 1]
    formats = [f for f in validate(draft) if f.rule == "FORMAT"]
    assert len(formats) == 1 and "三行" in formats[0].message


def test_money_with_a_thousands_separator_and_a_spaced_decimal():
    text = _variant("行政事业性收费\t1941.7065", "行政事业性收费\t1,941. 7065")
    draft = parse(extract_text(text))
    assert draft.figures[("table2", "fees", "amount_10k_yuan")].value == Decimal("1941.7065")


def test_a_figure_that_is_not_a_count_is_unreadable_not_rounded():
    text = _variant("行政许可\t19544", "行政许可\t195.44")
    draft = parse(extract_text(text))
    figure = draft.figures[("table2", "licensing", "decisions")]
    assert (figure.value, figure.status, figure.raw) == (None, Status.UNREADABLE, "195.44")


def test_tables_whose_section_headings_are_missing_are_still_found():
    text = SEED_001
    for heading in (
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ):
        text = _variant(f"\n{heading}\n", "\n", text)
    draft = parse(extract_text(text))
    reference = parse(extract_text(SEED_001))
    assert {k: f.value for k, f in draft.figures.items()} == {
        k: f.value for k, f in reference.figures.items()
    }
    assert "未发生因政府信息公开产生行政复议" in draft.narrative


def test_the_publication_date_a_portal_page_prints_is_read():
    from app.extract.pipeline import read_document
    from app.extract.sniff import sniff
    from tests.fixtures import html_page, reports

    data = html_page.html_portal()
    draft = read_document(data, sniff(data))
    assert draft.published_on is not None
    assert draft.published_on.isoformat() == reports.REPORT_HTML["published_on"]
    # a text report that prints none has none; the signing date is kept apart
    assert parse(extract_text(SEED_001)).published_on is None

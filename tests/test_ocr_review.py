"""OCR boxes to lines, and OCR readings weighed by confidence and the 勾稽 relations.

Pure functions over made-up boxes and drafts: no model runs here, so these need no `ocr` extra."""

from __future__ import annotations

import json
import math

import pytest
from conftest import DATA, seed_report_json

from app.draft import Status
from app.extract.json_report import parse_report
from app.extract.ocr_lines import Box, lines_from_boxes, skew
from app.extract.ocr_review import review
from app.extract.values import read_cell
from app.rules.engine import validate

VARIED = json.loads((DATA / "scans" / "varied_2023.json").read_text(encoding="utf-8"))  # every relation holds


def _box(text: str, x: float, y: float, width: float, height: float = 30, angle_deg: float = 0.0, conf=0.99):
    """A box whose top-left corner is (x, y) on a page turned by angle_deg about the origin."""
    a = math.radians(angle_deg)

    def turn(px: float, py: float) -> tuple[float, float]:
        return (px * math.cos(a) - py * math.sin(a), px * math.sin(a) + py * math.cos(a))

    quad = (turn(x, y), turn(x + width, y), turn(x + width, y + height), turn(x, y + height))
    return Box(text, quad, conf)  # type: ignore[arg-type]


def _row(y: float, angle: float) -> list[Box]:
    label = _box("（七）总计", 200, y, 180, angle_deg=angle)
    figures = [_box(str(v), 900 + 110 * i, y + 3, 40, angle_deg=angle) for i, v in enumerate(range(10, 17))]
    return [label, *figures]


def test_turned_boxes_come_back_as_rows_in_order_with_points():
    boxes = (
        _row(1000, 1.2) + _row(1060, 1.2) + [_box("四、结转下年度继续办理", 150, 1120, 400, angle_deg=1.2)]
    )
    assert math.degrees(skew(boxes)) == pytest.approx(1.2, abs=0.01)
    lines = lines_from_boxes(boxes, page=3, points_per_pixel=72 / 200)
    assert [len(line.cells) for line in lines] == [8, 8, 1]
    first = lines[0]
    assert [c.text for c in first.cells] == ["（七）总计", *[str(v) for v in range(10, 17)]]
    assert first.page == 3 and first.number == 1
    # deskewed: every row's figures line up with the same columns, in points
    centres = [[round((c.x0 + c.x1) / 2) for c in line.cells[1:]] for line in lines[:2]]
    assert centres[0] == centres[1]
    assert all(39 <= b - a <= 40 for a, b in zip(centres[0], centres[0][1:], strict=False))  # 110 px
    assert first.cells[1].confidence == 0.99
    assert lines[1].top - lines[0].top == pytest.approx(60 * 72 / 200, abs=1)


def test_two_figures_the_detector_joined_are_split_at_the_gap():
    chars = (("3", ((900, 10), (912, 10), (912, 40), (900, 40)), 0.99),)
    chars += (("5", ((960, 10), (972, 10), (972, 40), (960, 40)), 0.7),)
    joined = Box("35", ((895, 10), (977, 10), (977, 40), (895, 40)), 0.7, chars)
    lines = lines_from_boxes([joined], page=1, points_per_pixel=1.0)
    assert [(c.text, c.confidence) for c in lines[0].cells] == [("3", 0.99), ("5", 0.7)]


def _ocr_draft(source: dict | None = None):
    """A report as if OCR had read every figure from page 2 with confidence 0.99."""
    draft = parse_report(source or VARIED)
    for figure in draft.figures.values():
        figure.confidence, figure.raw, figure.page = 0.99, str(figure.value), 2
    return draft


def _findings(draft) -> set[tuple]:
    return {(f.rule, f.location.row, f.location.column, f.reported, f.expected) for f in validate(draft)}


def test_confident_readings_are_ocr_and_the_findings_are_those_of_the_figures():
    seed = seed_report_json("001_67e027749f67ecd0")  # its (七)总计 row is doubled: errors to keep
    draft = _ocr_draft(seed)
    review(draft, threshold=0.9)
    assert {f.status for f in draft.figures.values()} == {Status.OCR}
    assert _findings(draft) == _findings(parse_report(seed))


def _misread(draft, key, raw: str) -> None:
    figure = draft.figures[key]
    assert read_cell(raw).kind == "confused"
    figure.raw, figure.value, figure.status = raw, None, Status.UNREADABLE


def test_confused_digits_are_repaired_only_where_the_relations_confirm():
    draft = _ocr_draft()
    disclosed = ("table3", "result.disclosed", "natural_person")  # 1586
    partly = ("table3", "result.partially_disclosed", "commercial_enterprise")  # 35
    _misread(draft, disclosed, "l5B6")
    _misread(draft, partly, "S3")  # 53: the row total and the column sum say otherwise
    review(draft, threshold=0.9)
    assert (draft.figures[disclosed].status, draft.figures[disclosed].value) == (Status.INFERRED, 1586)
    assert (draft.figures[partly].status, draft.figures[partly].value) == (Status.UNREADABLE, None)
    found = {f.severity.value: f for f in draft.extraction_findings if f.rule == "OCR"}
    warning, info = found["warning"], found["info"]
    assert (warning.severity.value, warning.cells) == (
        "warning",
        ["table3.result.partially_disclosed.commercial_enterprise"],
    )
    assert "识别为“S3”" in warning.message and "第 2 页" in warning.message
    assert (info.severity.value, info.cells) == ("info", ["table3.result.disclosed.natural_person"])
    assert "取 1586" in info.message


def test_low_confidence_is_unreadable_unless_the_relations_confirm_it():
    draft = _ocr_draft()
    alone = ("table3", "carried_over", "natural_person")  # 21: its row and column hold with it
    pair = [("table4", "reconsideration", "upheld"), ("table4", "reconsideration", "total")]
    for key in [alone, *pair]:
        draft.figures[key].confidence = 0.5
    review(draft, threshold=0.9)
    assert (draft.figures[alone].status, draft.figures[alone].value) == (Status.INFERRED, 21)
    # two doubtful cells of one relation cannot vouch for each other
    assert [(draft.figures[k].status, draft.figures[k].value) for k in pair] == [
        (Status.UNREADABLE, None)
    ] * 2
    warning = next(f for f in draft.extraction_findings if f.severity.value == "warning")
    assert warning.cells == ["table4.reconsideration.upheld", "table4.reconsideration.total"]
    assert "置信度 0.50" in warning.message
    complete = [f for f in validate(draft) if f.rule == "COMPLETE"]
    assert {tuple(f.cells) for f in complete} >= {tuple(f"table4.{k[1]}.{k[2]}" for k in pair)}


def test_a_row_read_a_little_unsurely_stands_when_its_relation_holds_with_every_reading():
    draft = _ocr_draft()
    row = [("table4", "reconsideration", c) for c in ("upheld", "corrected", "other", "pending", "total")]
    for key in row:
        draft.figures[key].confidence = 0.7  # above the floor for readings confirmed together
    wrong = ("table4", "litigation_direct", "upheld")  # 7, read as 1: the row no longer adds up
    draft.figures[wrong].value, draft.figures[wrong].raw = 1, "1"
    for key in [("table4", "litigation_direct", c) for c in ("upheld", "total")]:
        draft.figures[key].confidence = 0.7
    review(draft, threshold=0.75)
    assert [(draft.figures[k].status, draft.figures[k].value) for k in row] == [
        (Status.INFERRED, 12),
        (Status.INFERRED, 3),
        (Status.INFERRED, 5),
        (Status.INFERRED, 4),
        (Status.INFERRED, 24),
    ]
    assert (draft.figures[wrong].status, draft.figures[wrong].value) == (Status.UNREADABLE, None)

"""Table 三 come apart, as real conversions leave it (tests/fixtures/variant_tables.py).

A PDF-to-Markdown conversion prints some rows' labels away from their figures. What must hold
for every pattern, report and seed: no figure is ever wrong (a figure read, inferred or OCR'd
has the report's value); every row printed with its label on its figures' own line is read
exactly; the totals of 新收, 上年结转, （七）总计 and 结转下年度 are read or inferred exactly when
those rows carry their own labels. Rows whose labels came apart may be ambiguous, never guessed.

Then Word files with a WPS export's traits, converted by LibreOffice: every figure read exactly
and no error finding.
"""

from __future__ import annotations

import io
import re
import zipfile
from functools import cache

import pytest

from app.draft import Draft, Severity, Status
from app.extract import pdf
from app.extract.pipeline import read_document
from app.extract.sniff import sniff
from app.rules.engine import validate
from tests.fixtures import documents, template, variant_tables
from tests.fixtures.reports import PARTS, figure_value
from tests.fixtures.variant_reports import REPORTS

SEEDS = range(3)
TRUSTED = {Status.READ, Status.INFERRED, Status.OCR, Status.PLACED}

CASES = [
    pytest.param(pattern, index, seed, id=f"{pattern}-{index}-{seed}")
    for pattern in variant_tables.PATTERNS
    for index in range(len(REPORTS))
    for seed in SEEDS
]


@cache
def _printed(pattern: str, index: int, seed: int) -> variant_tables.Printed:
    return variant_tables.detached_markdown(REPORTS[index], seed, pattern)


@cache
def _draft(pattern: str, index: int, seed: int) -> Draft:
    data = _printed(pattern, index, seed).data
    return read_document(data, sniff(data))


def _truth(report: dict, key: tuple[str, str, str]):
    _, row, column = key
    if row == "result.other" and row not in report["table3"]:  # the three （六） rows as one
        return sum(v[column] for code, v in report["table3"].items() if code.startswith("result.other."))
    return figure_value(report, *key)


def _wrong(report: dict, draft: Draft) -> list:
    """Figures given as known (read, inferred, OCR) whose value is not the report's."""
    return [
        (key, figure.value, figure.status.value, _truth(report, key))
        for key, figure in draft.figures.items()
        if figure.status in TRUSTED and figure.value != _truth(report, key)
    ]


def _misread_own(report: dict, printed: variant_tables.Printed, draft: Draft) -> list:
    """Rows printed with their label on their figures' line that are not read exactly."""
    misread = []
    for row in sorted(printed.own):
        for column in (*PARTS, "total"):
            key = ("table3", row, column)
            figure = draft.figures.get(key)
            # a row printed one cell short is settled by the relations: inferred, all of it
            dropped = printed.dropped_total and row == "carried_to_next_year"
            allowed = TRUSTED if dropped else {Status.READ}
            if figure is None or figure.status not in allowed or figure.value != figure_value(report, *key):
                misread.append((key, figure and figure.value, figure and figure.status.value))
    return misread


@pytest.mark.parametrize(("pattern", "index", "seed"), CASES)
def test_no_figure_is_ever_wrong(pattern, index, seed):
    assert _wrong(REPORTS[index], _draft(pattern, index, seed)) == []


@pytest.mark.parametrize(("pattern", "index", "seed"), CASES)
def test_a_row_with_its_label_on_its_figures_line_is_read_exactly(pattern, index, seed):
    printed = _printed(pattern, index, seed)
    assert printed.own  # every variant keeps some rows whole
    assert _misread_own(REPORTS[index], printed, _draft(pattern, index, seed)) == []


# Two rows apart, the first of its group: the group's label (and 三、本年度办理结果) read line by
# line beside the first row's, as in the real conversion ("（四）无2.没有现成信息需要另").
PAIRS = {
    "withheld": ("result.withheld.state_secret", "result.withheld.prohibited_by_law"),
    "unable": ("result.unable.not_held", "result.unable.needs_creation"),
    "not_processed": ("result.not_processed.complaint", "result.not_processed.repeated"),
    "other": ("result.other.no_correction", "result.other.unpaid_fee"),
    "disclosed": ("result.disclosed", "result.partially_disclosed"),
}


@pytest.mark.parametrize(
    ("pair", "index"),
    [pytest.param(pair, index, id=f"{pair}-{index}") for pair in PAIRS for index in range(len(REPORTS))],
)
def test_two_rows_whose_labels_interleave_with_their_groups(pair, index):
    report = REPORTS[index]
    printed = variant_tables.detached_markdown(report, 1, "interleaved", frozenset(PAIRS[pair]))
    draft = read_document(printed.data, sniff(printed.data))
    assert _wrong(report, draft) == []
    assert _misread_own(report, printed, draft) == []


@pytest.mark.parametrize(("pattern", "index", "seed"), CASES)
def test_the_summary_totals_are_read_when_their_rows_keep_their_labels(pattern, index, seed):
    report, printed, draft = REPORTS[index], _printed(pattern, index, seed), _draft(pattern, index, seed)
    totals = {}
    for row in variant_tables.SUMMARY_ROWS:
        if row in printed.own:
            figure = draft.figures.get(("table3", row, "total"))
            totals[row] = (figure.value, figure.status in TRUSTED) if figure else None
    assert totals == {
        row: (report["table3"][row]["total"], True)
        for row in variant_tables.SUMMARY_ROWS
        if row in printed.own
    }


@pytest.mark.parametrize("pattern", variant_tables.PATTERNS)
def test_the_variants_print_what_they_say(pattern):
    """Own rows print label and figures on one line; a detached row's label never stands on a
    line of figures; at least two rows come apart in each."""
    for index, report in enumerate(REPORTS):
        for seed in SEEDS:
            printed = _printed(pattern, index, seed)
            lines = printed.data.decode().split("\n")
            start = lines.index(variant_tables._T3_HEADER[0])
            table = lines[start : lines.index(template.narrative(report)["四"][0])]
            rows = {r.code: r for r in variant_tables._rows(report)}
            for code in printed.own:
                row = rows[code]
                figures = (
                    [*row.values[:-1], ""]
                    if printed.dropped_total and code == "carried_to_next_year"
                    else row.values
                )
                assert any(
                    line.startswith("|") and row.label in line and line.endswith(" | ".join(figures) + " |")
                    for line in table
                ), (code, seed)
            for code in printed.detached:
                assert not any(line.startswith("|") and rows[code].label in line for line in table), code
            assert len(printed.detached) >= 2


def test_a_fixed_set_of_detached_rows():
    """`detach` names the rows whose labels come apart: only they."""
    report = REPORTS[0]
    rows = frozenset({"result.other.unpaid_fee", "result.other.other"})
    printed = variant_tables.detached_markdown(report, 0, "block", rows)
    assert printed.detached == rows
    draft = read_document(printed.data, sniff(printed.data))
    for row in rows:  # in order, each under its own label: read
        assert [draft.figures[("table3", row, c)].value for c in (*PARTS, "total")] == [
            report["table3"][row][c] for c in (*PARTS, "total")
        ]


UNABLE = frozenset({"result.unable.not_held", "result.unable.needs_creation"})


def _placed_rows(data: bytes) -> dict[str, Status | None]:
    figures = read_document(data, sniff(data)).figures
    return {row: getattr(figures.get(("table3", row, "total")), "status", None) for row in sorted(UNABLE)}


def test_rows_apart_from_their_labels_are_placed_by_the_order_of_the_rows():
    """Between 8.属于行政查询事项 and 3.补正后申请内容仍不明确, both printed with their labels, two
    label-less rows: the template's two rows between them, in order, said to be placed so."""
    report = REPORTS[0]
    printed = variant_tables.detached_markdown(report, 1, "block", UNABLE)
    draft = read_document(printed.data, sniff(printed.data))
    for row in UNABLE:
        key = ("table3", row, "total")
        figure = draft.figures[key]
        assert (figure.value, figure.status) == (figure_value(report, *key), Status.PLACED)


def test_nothing_is_placed_by_order_when_the_order_is_not_the_templates():
    """A labelled row printed out of the template's order, or one label-less row too few: the rows
    apart from their labels stay unplaced (ambiguous or missing), never given by position."""
    data = variant_tables.detached_markdown(REPORTS[0], 1, "block", UNABLE).data.decode()
    lines = data.split("\n")
    [late] = [n for n, line in enumerate(lines) if line.startswith("| 3.补正后申请内容仍不明确 |")]
    [early] = [n for n, line in enumerate(lines) if line.startswith("| 8.属于行政查询事项 |")]
    swapped = list(lines)
    swapped[early], swapped[late] = lines[late], lines[early]
    unlabelled = [n for n in range(early + 1, late) if re.match(r"^\| \d", lines[n])]
    one_short = [line for n, line in enumerate(lines) if n != unlabelled[0]]
    for text in (swapped, one_short):
        assert Status.PLACED not in _placed_rows("\n".join(text).encode()).values()


# ---- WPS-like PDFs -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wps() -> None:
    """Every WPS-like PDF converted at once (LibreOffice starts once; cached across runs). Without
    LibreOffice or qpdf this fails, as every PDF fixture does: scripts/test installs them."""
    variant_tables.convert_wps()


@pytest.mark.parametrize("name", list(variant_tables.WPS_CASES))
def test_a_wps_like_pdf_is_read_to_every_figure_with_no_error(wps, name):
    report = variant_tables.wps_report(name)
    data = variant_tables.wps_case(name)
    draft = read_document(data, sniff(data))
    assert (draft.organ, draft.year) == (report["organ"], report["year"])
    expected = {
        (table, row, column)
        for table in ("table2", "table3", "table4")
        for row, columns in report[table].items()
        for column in columns
    }
    assert set(draft.figures) == expected
    misread = [
        (key, figure.value, figure.status.value, figure_value(report, *key))
        for key, figure in draft.figures.items()
        if figure.status is not Status.READ or figure.value != figure_value(report, *key)
    ]
    assert misread == []
    assert [(f.rule, f.message) for f in validate(draft) if f.severity is Severity.ERROR] == []


@pytest.mark.parametrize("name", list(variant_tables.WPS_CASES))
def test_the_wps_like_pdfs_have_the_traits_they_stand_for(wps, name):
    """Framed pages, a "-N-" page number among table 三's rows, the typo'd label, and the text
    drawn in another order than LibreOffice drew it (the same text objects, shuffled)."""
    docx = variant_tables._wps_docx_case(name)
    text = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()
    assert "w:pgBorders" in text and variant_tables.TYPO[1] in text and variant_tables.TYPO[0] not in text
    shuffled = variant_tables.wps_case(name)
    plain = documents._cached(docx, ".pdf", lambda: documents._soffice_pdf(docx))
    before, after = variant_tables.text_objects(plain), variant_tables.text_objects(shuffled)
    assert sorted(before) == sorted(after) and before != after
    lines = [" ".join(c.text for c in line.cells) for line in pdf.extract(shuffled).lines]
    first = next(i for i, line in enumerate(lines) if "本年新收" in line)
    last = next(i for i, line in enumerate(lines) if "结转下年度" in line)
    assert any(re.fullmatch(r"-\d+-", line.strip()) for line in lines[first:last])

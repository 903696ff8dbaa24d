"""Reports printed as real portals and offices print them, read as a person reads them.

Each title form (tests/fixtures/variants.py) in each format: text with tab-separated cells, with
cells apart by spaces (pdftotext -layout), with a cell a line, Markdown, Word, PDF by LibreOffice
with and without a ruled frame round every page, an HTML portal page. Each is read
to its exact body, year and publication date (where the variant prints one, and none where it
does not) and to every figure of its report. Then whole pages copied as text onto one line,
whose rows of figures ran together and only the 勾稽 relations split.
"""

from __future__ import annotations

import re

import pytest

from app.draft import Draft, Severity, Status
from app.extract.infer import Unit, resolve, run_together
from app.extract.pipeline import read_document
from app.extract.sniff import sniff
from app.layout import Format
from app.rules.engine import relations, validate
from tests.fixtures import reports, template, variants

CASES = variants.CASES


@pytest.fixture(scope="module")
def pdfs() -> None:
    """Every PDF variant converted at once (LibreOffice starts once; cached across runs). Without
    LibreOffice this fails, as every PDF fixture does: scripts/test installs it."""
    variants.convert_pdfs()


def _read(data: bytes) -> Draft:
    return read_document(data, sniff(data))


def _wrong(draft: Draft, report: dict, statuses: set[Status]) -> list:
    """Figures whose value differs from the report's, or whose status is not one allowed."""
    return [
        (key, figure.value, figure.status.value, reports.figure_value(report, *key))
        for key, figure in draft.figures.items()
        if figure.value != reports.figure_value(report, *key) or figure.status not in statuses
    ]


def _cells(report: dict) -> set[tuple[str, str, str]]:
    return {
        (table, row, column)
        for table in ("table2", "table3", "table4")
        for row, columns in report[table].items()
        for column in columns
    }


def _published(draft: Draft) -> str | None:
    return draft.published_on.isoformat() if draft.published_on else None


def _errors(draft: Draft) -> list:
    return [(f.rule, f.message) for f in validate(draft) if f.severity is Severity.ERROR]


@pytest.mark.parametrize(("form", "fmt"), CASES)
def test_a_title_form_is_read_to_its_body_year_and_every_figure(form, fmt, request):
    if fmt.startswith("pdf"):
        request.getfixturevalue("pdfs")
    variant = variants.FORMS[form]
    report = variant.report
    draft = _read(variants.variant(form, fmt))
    assert (draft.organ, draft.year) == (report["organ"], report["year"])
    dated = variant.dated or fmt == "html"  # a portal page always carries PubDate
    assert _published(draft) == (report["published_on"] if dated else None)
    assert set(draft.figures) == _cells(report)
    assert _wrong(draft, report, {Status.READ}) == []
    assert _errors(draft) == []


def test_every_form_prints_the_body_and_year_only_where_it_says():
    """The variants test what they name: a form without the body in its title names it nowhere
    else but in the place it is about."""
    for name, form in variants.FORMS.items():
        if form.only:
            continue
        report = form.report
        text = variants.variant(name, "text").decode()
        title = "".join(form.title(report))
        if "title" not in form.body_in:
            assert report["organ"] not in title and text.count(report["organ"]) == 1, name
        if "title" not in form.year_in:
            (place,) = form.year_in
            years = [int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", text)]
            year = report["year"]
            assert years == {"period": [year, year], "opening": [year], "signature": [year + 1]}[place], name


def _runs_split_by_relations(report: dict) -> dict:
    """Table 三's rows as runs of digits, settled by the relations alone: what a reader can know."""
    units = []
    for code, _, _ in template.table3_rows(report["format"]):
        keys = tuple(("table3", code, column) for column in (*reports.PARTS, "total"))
        digits = "".join(reports.printed(report["table3"][code][column]) for *_, column in keys)
        units.append(Unit(keys, run_together([digits], len(keys))))
    return resolve(units, {}, list(relations(Format(report["format"])))).values


@pytest.mark.parametrize("name", list(variants.ONE_LINE))
def test_the_runs_of_a_one_line_page_have_one_split(name):
    """The fixture's figures are the only reading the relations allow (else none could be asserted)."""
    report, _ = variants.ONE_LINE[name]
    values = _runs_split_by_relations(report)
    assert {key: values[key] for key in values} == {key: reports.figure_value(report, *key) for key in values}


def _unsplittable(report: dict) -> set[tuple[str, str, str]]:
    """Table 二's rows of several figures whose digits do not fall one to a cell: no relation
    checks table 二, so such a run has many readings and none may be chosen."""
    found = set()
    for row, columns in report["table2"].items():
        if len(columns) > 1 and len("".join(reports.printed(v) for v in columns.values())) != len(columns):
            found |= {("table2", row, column) for column in columns}
    return found


@pytest.mark.parametrize("name", list(variants.ONE_LINE))
def test_a_page_on_one_line_is_read_and_never_guesses_a_run(name):
    report, _ = variants.ONE_LINE[name]
    data = variants.one_line_variant(name)
    (body,) = [line for line in data.decode().splitlines() if "一、本年新收" in line]
    assert all(
        part in body for part in ("总体情况", "行政许可", "（七）总计", "结果维持", "五、存在的主要问题")
    )
    draft = _read(data)
    assert (draft.organ, draft.year, _published(draft)) == (
        report["organ"],
        report["year"],
        report["published_on"],
    )
    unsplittable = _unsplittable(report)
    for key in unsplittable:  # e.g. 行政规范性文件 "228164"
        figure = draft.figures[key]
        assert figure.value is None and figure.status in (Status.AMBIGUOUS, Status.UNREADABLE), key
    assert set(draft.figures) == _cells(report)
    wrong = _wrong(draft, report, {Status.READ, Status.INFERRED})
    assert [w for w in wrong if w[0] not in unsplittable] == []
    assert _errors(draft) == []

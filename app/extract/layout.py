"""The layout parser: lines of cells from any extractor → a draft with every figure and its source.

It knows the official template — the sections, the rows of each table in order, how many figures
a row holds — and so tolerates broken rows, split and garbled labels, one cell per line, page
breaks and mixed layouts. A figure is placed by the template's order and by position, never by
shifting: a row that shows fewer figures than it has cells is settled by the 勾稽 relations or
reported as unreadable.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import asdict, dataclass, field, replace

from app.draft import CellKey, Draft, Figure, Status
from app.errors import NOT_A_REPORT
from app.extract.infer import Unit, resolve
from app.extract.labels import LAYOUT_2019_MARKERS, TABLE2_KEYS, TABLE3_KEYS
from app.extract.lines import Extracted, Line
from app.extract.metadata import read_metadata
from app.extract.oneline import unfold
from app.extract.rows import RowReading, align, bare_keys, column_centers, read_row
from app.extract.sections import find_sections, narrative, table_spans
from app.extract.segments import Segment, bare, segments
from app.layout import Format, Table, layout
from app.rules.relations import relations

MISSING_ROW_PENALTY = 0.5  # when two layouts fit, the one that leaves fewer rows unmatched wins


# ---- tables -------------------------------------------------------------------------------------


@dataclass
class TableReading:
    figures: dict[CellKey, Figure] = field(default_factory=dict)
    units: list[Unit] = field(default_factory=list)
    score: float = 0.0

    def add(self, cells: tuple[CellKey, ...], row: RowReading) -> None:
        self.figures.update(zip(cells, row.figures, strict=True))
        if row.readings is not None:
            self.units.append(Unit(cells, row.readings))


def _rows_named(words: list[str], keys: dict[str, tuple[str, ...]], shortest: int = 1) -> set[str]:
    """The template rows whose label these words print in full."""
    text = bare("".join(words))
    return {
        code
        for code, labels in keys.items()
        if any(len(k) >= shortest and k in text for k in bare_keys(labels))
    }


def _out_of_order(
    found: list[Segment], table: Table, keys: dict[str, tuple[str, ...]], matched: dict[str, Segment]
) -> None:
    """A row the order-keeping alignment left out, printed elsewhere with its own label on its
    figures' line ("行政许可 97" above the 规章 table): placed by that label, when only one line names it."""
    used = {id(segment) for segment in matched.values()}
    for row in table.rows:
        if row.code in matched:
            continue
        named = [
            s
            for s in found
            if s.figures and s.own_labels and id(s) not in used and _rows_named(_own(s), keys) == {row.code}
        ]
        if len(named) == 1:
            matched[row.code] = named[0]
            used.add(id(named[0]))


def _own(segment: Segment) -> list[str]:
    """The label words on the segment's figures' own line."""
    return segment.labels[len(segment.labels) - segment.own_labels :] if segment.own_labels else []


def _detached(found: list[Segment], keys: dict[str, tuple[str, ...]]) -> bool:
    """Labels printed apart from their figures (a converter's Markdown, a WPS PDF's drawing
    order), so the order of rows proves nothing: the words before one row's figures name several
    rows, or a block of label lines is followed by more whole rows of figures than it labels."""
    rows_with_figures = [s for s in found if s.figures]
    for segment, after in itertools.zip_longest(rows_with_figures, rows_with_figures[1:]):
        before = segment.labels[: len(segment.labels) - segment.own_labels]
        if len(_leaf_rows(_rows_named(before, keys, shortest=4))) >= 2:
            return True
        block = segment.labels and not segment.own_labels and segment.whole_line
        if block and after is not None and not after.labels and after.whole_line:
            return True
    return False


def read_table(lines: list[Line], table: Table, keys: dict[str, tuple[str, ...]]) -> TableReading:
    found = segments(lines)
    score, matched = align(found, table.rows, keys)
    _out_of_order(found, table, keys, matched)
    reading = TableReading(score=score - MISSING_ROW_PENALTY * (len(table.rows) - len(matched)))
    centers = {w: column_centers(found, w) for w in {len(r.columns) for r in table.rows}}
    detached = _detached(found, keys)
    by_order: dict[str, Segment] = {}
    if detached:
        table_keys = {row.code: keys[row.code] for row in table.rows}
        _pin_own_labels(found, table_keys, matched)
        by_order = _placed_by_order(found, table, table_keys)
        matched.update(by_order)
    for row in table.rows:
        segment = matched.get(row.code)
        if segment is not None:
            cells = tuple((table.code, row.code, code) for code in row.column_codes)
            kinds = [kind for _, _, kind in row.columns]
            row_reading = read_row(segment, kinds, centers[len(kinds)])
            if row.code in by_order:
                row_reading = _marked(row_reading, Status.PLACED)
            elif detached and row.code not in _rows_named(_own(segment), keys):
                row_reading = _unplaced(row_reading)
            reading.add(cells, row_reading)
    return reading


def _pin_own_labels(
    found: list[Segment], keys: dict[str, tuple[str, ...]], matched: dict[str, Segment]
) -> None:
    """Labels came apart, so order proves nothing: a line whose own label names one row is that
    row's, whatever the alignment gave it to."""
    named: dict[str, list[Segment]] = {}
    for segment in found:
        rows = _own_rows(segment, keys) if segment.figures else set()
        if len(rows) == 1:
            named.setdefault(rows.pop(), []).append(segment)
    pinned = {code: segments[0] for code, segments in named.items() if len(segments) == 1}
    taken = {id(segment) for segment in pinned.values()}
    for code in [code for code, segment in matched.items() if id(segment) in taken]:
        del matched[code]
    matched.update(pinned)


def _placed_by_order(
    found: list[Segment], table: Table, keys: dict[str, tuple[str, ...]]
) -> dict[str, Segment]:
    """Labels came apart, but the rows of figures may still stand in the template's order: when
    every row that prints its own label does, the label-less rows between two of them are the
    template's rows between those two, in order, if there are exactly as many and each holds a
    row's number of figures. A labelled row out of order places nothing; one whose label names no
    row, or several, places nothing beside it."""
    rows = [s for s in found if s.figures]
    index = {row.code: n for n, row in enumerate(table.rows)}
    named = [_own_rows(s, keys) for s in rows]
    counts = Counter(code for codes in named for code in codes)
    marks: list[tuple[int, int | None]] = []  # (place among the rows of figures, template row)
    for place, codes in enumerate(named):
        if len(codes) == 1 and counts[next(iter(codes))] == 1:
            marks.append((place, index[next(iter(codes))]))
        elif rows[place].own_labels:
            marks.append((place, None))
    known = [row for _, row in marks if row is not None]
    if any(a >= b for a, b in itertools.pairwise(known)):
        return {}
    placed: dict[str, Segment] = {}
    for (start, first), (end, last) in itertools.pairwise(marks):
        if first is None or last is None:
            continue
        between, gap = table.rows[first + 1 : last], rows[start + 1 : end]
        if between and min(len(row.columns) for row in between) > 1:
            # a figure alone on a line is no row here: a cell displaced from another (the "1" of
            # 结转下年度 printed among the labels), left for the relations
            gap = [segment for segment in gap if len(segment.figures) > 1]
        if len(between) != len(gap) or any(counts[row.code] for row in between):
            continue  # a row between named by a label elsewhere: which is it, is not certain
        pairs = list(zip(between, gap, strict=True))
        if all(len(segment.figures) == len(row.columns) for row, segment in pairs):
            placed.update((row.code, segment) for row, segment in pairs)
    return placed


def _own_rows(segment: Segment, keys: dict[str, tuple[str, ...]]) -> set[str]:
    """The rows the label on the segment's figures' own line names."""
    return _leaf_rows(_rows_named(_own(segment), keys)) if segment.own_labels else set()


def _leaf_rows(codes: set[str]) -> set[str]:
    """The rows named, without a group heading named beside its own item (（六）其他处理 1.…)."""
    return {code for code in codes if not any(other.startswith(code + ".") for other in codes)}


def _marked(row: RowReading, status: Status) -> RowReading:
    """The row's figures as read, with the status that says how the row was found."""
    figures = [replace(f, status=status) if f.status is Status.READ else f for f in row.figures]
    return RowReading(figures, row.readings)


def _unplaced(row: RowReading) -> RowReading:
    """Figures read, but which row they belong to is not certain: shown with what was printed,
    for a person to place, never counted."""
    return RowReading(
        [
            Figure(None, Status.AMBIGUOUS, raw=f.raw, page=f.page, line=f.line)
            if f.status is not Status.BLANK or f.raw
            else f
            for f in row.figures
        ]
    )


def read_table4(lines: list[Line], table: Table) -> TableReading:
    """Table 四 is one row of 15 figures under a two-level header (sometimes three rows of five)."""
    found = [s for s in segments(lines) if s.figures]
    reading = TableReading(score=1.0 if found else 0.0)
    if not found:
        return reading
    cells = tuple((table.code, r.code, c) for r in table.rows for c in r.column_codes)
    kinds = [kind for r in table.rows for _, _, kind in r.columns]
    merged = found[0] if len(found) == 1 else Segment([], [t for s in found for t in s.figures])
    reading.add(cells, read_row(merged, kinds, None))
    return reading


# ---- the whole report ---------------------------------------------------------------------------


def _format(lines: list[Line]) -> Format:
    text = bare(" ".join(cell.text for line in lines for cell in line.cells))
    return Format.F2019 if any(bare(marker) in text for marker in LAYOUT_2019_MARKERS) else Format.F2021


_OTHER_ITEMS = tuple(
    bare(key)
    for code in ("result.other.no_correction", "result.other.unpaid_fee")
    for key in TABLE3_KEYS[code]
)


def _prints_other_items(lines: list[Line]) -> bool:
    """Table 三 prints （六）'s 2021 items (逾期不补正, 逾期未缴费): not the one-row （六） of 2019."""
    text = bare(" ".join(cell.text for line in lines for cell in line.cells))
    return any(key in text for key in _OTHER_ITEMS)


def _settle(
    figures: dict[CellKey, Figure], units: list[Unit], fmt: Format | None, single_other_row: bool
) -> None:
    """Fill the uncertain rows' cells from the relations (inferred), or mark them ambiguous;
    without a format, no relation applies (table 二): a run with one split only is settled."""
    if not units:
        return
    known = {key: figure.value for key, figure in figures.items()}
    for unit in units:
        for key in unit.keys:
            known[key] = None
    outcome = resolve(units, known, list(relations(fmt, single_other_row)) if fmt else [])
    for unit in units:
        for key in unit.keys:
            figure = figures[key]
            value = outcome.values.get(key)
            if value is not None:
                figure.value, figure.status = value, Status.INFERRED
            elif key in outcome.options:
                figure.status, figure.candidates = Status.AMBIGUOUS, outcome.options[key]


def parse(extracted: Extracted) -> Draft:
    """Lines of cells from any extractor to a draft: metadata, every figure, the narrative.

    Only a document with no table 三 at all is refused: a body or year the document does not
    name is left None for the caller to give and the rules to report.
    """
    lines = unfold(extracted.lines)
    spans = table_spans(lines, find_sections(lines))
    if spans[3] is None:
        raise NOT_A_REPORT(
            "未找到“三、收到和处理政府信息公开申请情况”表格：请确认上传的是政府信息公开工作年度报告",
        )
    text = narrative(lines, spans)
    meta = read_metadata(text.split("\n"), extracted.facts)
    table_lines = {n: lines[span[0] : span[1]] if span else [] for n, span in spans.items()}
    fmt = _format(table_lines[2])
    table2 = read_table(table_lines[2], layout(fmt).table("table2"), TABLE2_KEYS)
    table3 = read_table(table_lines[3], layout(fmt).table("table3"), TABLE3_KEYS)
    single_other_row = False
    if fmt is Format.F2021 and not _prints_other_items(table_lines[3]):
        mixed = read_table(table_lines[3], layout(fmt, True).table("table3"), TABLE3_KEYS)
        if mixed.score > table3.score:
            table3, single_other_row = mixed, True
    table4 = read_table4(table_lines[4], layout(fmt).table("table4"))
    figures = {**table2.figures, **table3.figures, **table4.figures}
    _settle(figures, table3.units + table4.units, fmt, single_other_row)
    _settle(figures, table2.units, None, single_other_row)  # no relation: one split, or ambiguous
    return Draft(
        **asdict(meta), format=fmt, figures=figures, single_other_row=single_other_row, narrative=text
    )

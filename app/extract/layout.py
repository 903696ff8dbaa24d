"""The layout parser: lines of cells from any extractor → a draft with every figure and its source.

It knows the official template — the sections, the rows of each table in order, how many figures
a row holds — and so tolerates broken rows, split and garbled labels, one cell per line, page
breaks and mixed layouts. A figure is placed by the template's order and by position, never by
shifting: a row that shows fewer figures than it has cells is settled by the 勾稽 relations or
reported as unreadable.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property

from rapidfuzz import fuzz

from app.draft import CellKey, Draft, Figure, Status
from app.errors import ProblemError
from app.extract.infer import Unit, placements, resolve, run_together
from app.extract.labels import LAYOUT_2019_MARKERS, TABLE2_KEYS, TABLE3_KEYS
from app.extract.lines import Cell, Extracted, Line
from app.extract.metadata import read_metadata
from app.extract.oneline import unfold
from app.extract.sections import find_sections, narrative, table_spans
from app.extract.values import CellValue, normalise, read_cell, split_spaced
from app.layout import Format, Kind, Row, Table, layout
from app.rules.relations import relations

MIN_LABEL_SCORE = 0.72
ORDER_ONLY_SCORE = 0.05  # a row whose label is unreadable, placed by the template's order alone
MISSING_ROW_PENALTY = 0.5  # when two layouts fit, the one that leaves fewer rows unmatched wins


# ---- tokens and segments ------------------------------------------------------------------------


@dataclass
class Token:
    cell: Cell
    value: CellValue
    page: int
    line: int

    @property
    def empty(self) -> bool:
        return not self.cell.text.strip()

    @property
    def is_figure(self) -> bool:
        return (
            self.value.is_number
            or self.value.kind == "confused"
            or (self.value.kind == "blank" and not self.empty)
        )


@dataclass
class Segment:
    """A row as the text gives it: label words, then the cells that hold its figures."""

    labels: list[str]
    cells: list[Token] = field(default_factory=list)
    whole_line: bool = False  # the figures came on one line: its cells can stand for the columns
    labelled_line: bool = False  # that line began with the label (empties after it are label columns)
    own_labels: int = 0  # how many of the last label words stood on the figures' own line

    @cached_property
    def figures(self) -> list[Token]:
        return [t for t in self.cells if t.is_figure]

    @cached_property
    def label_variants(self) -> tuple[str, ...]:
        """The label as matched: its last part, its last two parts, all of it (noise removed)."""
        if not self.labels:
            return ()
        variants = {_bare(self.labels[-1]), _bare("".join(self.labels[-2:])), _bare("".join(self.labels))}
        return tuple(v for v in variants if v)

    @property
    def first(self) -> Token | None:
        return self.cells[0] if self.cells else None


def _tokens(line: Line) -> list[Token]:
    tokens = []
    for cell in line.cells:
        parts = split_spaced(cell.text)
        if parts and len(parts) > 1:
            positioned = cell.x0 is not None and cell.x1 is not None
            width = (cell.x1 - cell.x0) / len(parts) if positioned else None  # type: ignore[operator]
            for i, part in enumerate(parts):
                x0 = cell.x0 + i * width if width is not None and cell.x0 is not None else None
                sub = Cell(
                    part, x0, x0 + width if x0 is not None and width is not None else None, cell.confidence
                )
                tokens.append(Token(sub, read_cell(part), line.page, line.number))
            continue
        tokens.append(Token(cell, read_cell(cell.text), line.page, line.number))
    return tokens


def segments(lines: list[Line]) -> list[Segment]:
    """Group a table's lines into rows, whether a row is one line or one cell per line."""
    found: list[Segment] = []
    pending: list[str] = []
    open_segment: Segment | None = None
    for line in lines:
        tokens = _tokens(line)
        labels = [t for t in tokens if t.value.kind == "text"]
        figures = [t for t in tokens if t.is_figure]
        if not figures or len(figures) < len(labels) - 1:
            words = [t.cell.text.strip() for t in labels if t.cell.text.strip()]
            if words:
                pending.extend(words)
                open_segment = None
            continue
        if labels:
            last_label = max(i for i, t in enumerate(tokens) if t.value.kind == "text")
            words = pending + [t.cell.text.strip() for t in labels]
            found.append(
                Segment(
                    words,
                    tokens[last_label + 1 :],
                    len(figures) > 1,
                    labelled_line=True,
                    own_labels=len(labels),
                )
            )
            pending, open_segment = [], None
        elif pending:
            whole_line = len(figures) > 1
            open_segment = Segment(pending, tokens if whole_line else figures, whole_line)
            found.append(open_segment)
            pending = []
        elif open_segment is not None and not open_segment.whole_line and len(figures) == 1:
            open_segment.cells.extend(t for t in tokens if not t.empty)
        else:
            open_segment = Segment([], tokens, True)
            found.append(open_segment)
    return found


# ---- matching rows to the template --------------------------------------------------------------

_NOISE = re.compile(r"[\s\d\.、,，。:：;；()（）\[\]【】“”\"'‘’《》<>〈〉#*\-—_/|·•~]")


def _bare(text: str) -> str:
    return _NOISE.sub("", normalise(text))


@cache
def _bare_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_bare(key) for key in keys)


def _score(segment: Segment, keys: tuple[str, ...]) -> float:
    if not segment.figures:
        return 0.0
    best = 0.0
    for bare_key in _bare_keys(keys):
        for variant in segment.label_variants:
            if bare_key in variant:
                best = max(best, 0.9 + 0.1 * len(bare_key) / len(variant))
            elif len(variant) >= 2:
                best = max(best, fuzz.partial_ratio(bare_key, variant) / 100 * 0.95)
    return best if best >= MIN_LABEL_SCORE else ORDER_ONLY_SCORE


def align(
    found: list[Segment], rows: tuple[Row, ...], keys: dict[str, tuple[str, ...]]
) -> tuple[float, dict[str, Segment]]:
    """The best order-keeping match of segments to template rows (an edit-distance alignment)."""
    found = [s for s in found if s.figures]  # only a segment with figures can be a row
    n, m = len(found), len(rows)
    scores = [[_score(s, keys[r.code]) for r in rows] for s in found]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            take = best[i - 1][j - 1] + scores[i - 1][j - 1] if scores[i - 1][j - 1] > 0 else -1.0
            best[i][j] = max(best[i - 1][j], best[i][j - 1], take)
    matched: dict[str, Segment] = {}
    i, j = n, m
    while i > 0 and j > 0:
        score = scores[i - 1][j - 1]
        if score > 0 and best[i][j] == best[i - 1][j - 1] + score:
            matched[rows[j - 1].code] = found[i - 1]
            i, j = i - 1, j - 1
        elif best[i][j] == best[i - 1][j]:
            i -= 1
        else:
            j -= 1
    return best[n][m], matched


# ---- figures of one row -------------------------------------------------------------------------


def _figure(token: Token, kind: Kind) -> Figure:
    value = token.value
    raw = token.cell.text.strip()
    source: dict = {"page": token.page, "line": token.line, "confidence": token.cell.confidence}
    if value.kind == "blank":
        return Figure(None, Status.BLANK, raw=raw, **source)
    number = value.value
    if value.kind == "confused" or (
        kind is not Kind.MONEY and number is not None and not isinstance(number, int)
    ):
        return Figure(None, Status.UNREADABLE, raw=raw, **source)
    if kind is Kind.MONEY and isinstance(number, int):
        number = Decimal(number)
    return Figure(number, Status.READ, raw=raw, note=value.note, **source)


def _by_position(cells: list[Token], centers: list[float]) -> list[Token | None] | None:
    """Each figure in the column whose centre is nearest, or None when two would share one."""
    placed: list[Token | None] = [None] * len(centers)
    for token in cells:
        if token.cell.x0 is None or token.cell.x1 is None:
            return None
        middle = (token.cell.x0 + token.cell.x1) / 2
        column = min(range(len(centers)), key=lambda c: abs(centers[c] - middle))
        if placed[column] is not None:
            return None
        placed[column] = token
    return placed


@dataclass
class RowReading:
    figures: list[Figure]  # in column order
    readings: list[tuple] | None = None  # set when the row's figures must be settled by relations


def read_row(segment: Segment, kinds: list[Kind], centers: list[float] | None) -> RowReading:
    width = len(kinds)
    figures = segment.figures
    slots = _slots(segment, width)
    if len(figures) == width:
        chosen: list[Token | None] = list(figures)
    elif slots is not None:
        chosen = slots
    elif centers is not None and len(centers) == width and (placed := _by_position(figures, centers)):
        chosen = placed
    else:
        return _uncertain(segment, width)
    page = segment.first.page if segment.first else None
    return RowReading(
        [
            Figure(None, Status.BLANK, raw="", page=page) if token is None else _figure(token, kind)
            for kind, token in zip(kinds, chosen, strict=True)
        ]
    )


def _slots(segment: Segment, width: int) -> list[Token | None] | None:
    """The row's cells taken as its columns, when the line gives exactly one cell per column.

    Empty cells between a label and the first figure are usually the label's merged columns, so
    they do not count; empty cells between figures, or before them on a line without a label, do.
    """
    if not segment.whole_line:
        return None
    cells = list(segment.cells)
    while cells and cells[-1].empty:
        cells.pop()
    while segment.labelled_line and cells and cells[0].empty:
        cells.pop(0)
    if len(cells) != width:
        return None
    return [None if t.empty else t for t in cells]


def _uncertain(segment: Segment, width: int) -> RowReading:
    """Fewer (or run-together) figures than columns: keep them as candidates for the relations."""
    numbers = [t for t in segment.figures if t.value.is_number]
    raw = " ".join(t.cell.text.strip() for t in segment.cells if not t.empty)
    first = segment.first
    page, line = (first.page, first.line) if first else (None, None)
    figures = [Figure(None, Status.UNREADABLE, raw=raw, page=page, line=line) for _ in range(width)]
    values = [t.value.value for t in numbers]
    if any(not isinstance(v, int) for v in values):
        return RowReading(figures)
    readings = run_together([t.cell.text.strip() for t in numbers], width)
    return RowReading(figures, readings or placements(values, width))  # type: ignore[arg-type]


def _column_centers(found: list[Segment], width: int) -> list[float] | None:
    rows = [
        s.figures
        for s in found
        if len(s.figures) == width and all(t.cell.x0 is not None and t.cell.x1 is not None for t in s.figures)
    ]
    if not rows:
        return None
    centers = []
    for column in range(width):
        middles = sorted((r[column].cell.x0 + r[column].cell.x1) / 2 for r in rows)  # type: ignore[operator]
        centers.append(middles[len(middles) // 2])
    return centers


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
    text = _bare("".join(words))
    return {
        code
        for code, labels in keys.items()
        if any(len(k) >= shortest and k in text for k in _bare_keys(labels))
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
    centers = {w: _column_centers(found, w) for w in {len(r.columns) for r in table.rows}}
    detached = _detached(found, keys)
    if detached:
        _pin_own_labels(found, {row.code: keys[row.code] for row in table.rows}, matched)
    for row in table.rows:
        segment = matched.get(row.code)
        if segment is not None:
            cells = tuple((table.code, row.code, code) for code in row.column_codes)
            kinds = [kind for _, _, kind in row.columns]
            row_reading = read_row(segment, kinds, centers[len(kinds)])
            if detached and row.code not in _rows_named(_own(segment), keys):
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
        rows = _leaf_rows(_rows_named(_own(segment), keys)) if segment.figures else set()
        if len(rows) == 1:
            named.setdefault(rows.pop(), []).append(segment)
    pinned = {code: segments[0] for code, segments in named.items() if len(segments) == 1}
    taken = {id(segment) for segment in pinned.values()}
    for code in [code for code, segment in matched.items() if id(segment) in taken]:
        del matched[code]
    matched.update(pinned)


def _leaf_rows(codes: set[str]) -> set[str]:
    """The rows named, without a group heading named beside its own item (（六）其他处理 1.…)."""
    return {code for code in codes if not any(other.startswith(code + ".") for other in codes)}


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
    text = _bare(" ".join(cell.text for line in lines for cell in line.cells))
    return Format.F2019 if any(_bare(marker) in text for marker in LAYOUT_2019_MARKERS) else Format.F2021


_OTHER_ITEMS = tuple(
    _bare(key)
    for code in ("result.other.no_correction", "result.other.unpaid_fee")
    for key in TABLE3_KEYS[code]
)


def _prints_other_items(lines: list[Line]) -> bool:
    """Table 三 prints （六）'s 2021 items (逾期不补正, 逾期未缴费): not the one-row （六） of 2019."""
    text = _bare(" ".join(cell.text for line in lines for cell in line.cells))
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
        raise ProblemError(
            422,
            "not_a_report",
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
        organ=meta.organ,
        year=meta.year,
        format=fmt,
        figures=figures,
        single_other_row=single_other_row,
        scope=meta.scope,
        signed_on=meta.signed_on,
        published_on=meta.published_on,
        period_start=meta.period_start,
        period_end=meta.period_end,
        title=meta.title,
        narrative=text,
    )

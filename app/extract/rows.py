"""The rows of the template matched to segments, and the figures of one row read from its cells.

Matching keeps the template's order (an edit-distance alignment over label scores); a row's
figures are placed by their count, by the position of the table's columns, or else left to the
勾稽 relations as the readings the relations allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from rapidfuzz import fuzz

from app.draft import Figure, Status
from app.extract.infer import placements, run_together
from app.extract.segments import Segment, Token, bare
from app.layout import Kind, Row

MIN_LABEL_SCORE = 0.72
ORDER_ONLY_SCORE = 0.05  # a row whose label is unreadable, placed by the template's order alone


# ---- matching rows to the template --------------------------------------------------------------


@cache
def bare_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(bare(key) for key in keys)


# partial_ratio below this cannot reach MIN_LABEL_SCORE once scaled by 0.95: asking rapidfuzz
# for nothing under it (it prunes its search) gives the same scores; a little under the exact
# bound, so rounding never drops a score that reaches it
_CUTOFF = MIN_LABEL_SCORE / 0.95 * 100 - 0.01


@lru_cache(maxsize=1 << 16)
def _score(variants: tuple[str, ...], bare_row_keys: tuple[str, ...]) -> float:
    """How well a printed label names a row. Kept: reports follow one national template, so the
    same label meets the same row in most files a worker reads."""
    best = 0.0
    for bare_key in bare_row_keys:
        for variant in variants:
            if bare_key in variant:
                best = max(best, 0.9 + 0.1 * len(bare_key) / len(variant))
            elif len(variant) >= 2:
                # only a ratio above the best so far (and the threshold) can change the score
                cutoff = max(_CUTOFF, best / 0.95 * 100 - 0.01)
                best = max(best, fuzz.partial_ratio(bare_key, variant, score_cutoff=cutoff) / 100 * 0.95)
    return best if best >= MIN_LABEL_SCORE else ORDER_ONLY_SCORE


def align(
    found: list[Segment], rows: tuple[Row, ...], keys: dict[str, tuple[str, ...]]
) -> tuple[float, dict[str, Segment]]:
    """The best order-keeping match of segments to template rows (an edit-distance alignment)."""
    found = [s for s in found if s.figures]  # only a segment with figures can be a row
    n, m = len(found), len(rows)
    row_keys = [bare_keys(keys[r.code]) for r in rows]
    scores = [[_score(s.label_variants, k) for k in row_keys] for s in found]
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


def column_centers(found: list[Segment], width: int) -> list[float] | None:
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

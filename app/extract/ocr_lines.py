"""An OCR page's boxes as lines of positioned cells, the lines every extractor gives (pure).

The dominant text-line angle is measured and undone, boxes overlapping vertically form a row,
and two figures of neighbouring cells that the detector ran together are split at the gap
between their characters.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from app.extract.labels import SECTION_KEYS, SECTION_NUMERALS
from app.extract.lines import Cell, Line
from app.extract.pdfpage import Char

Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    """One run of text the recogniser read: corners clockwise from top-left, in pixels."""

    text: str
    quad: tuple[Point, Point, Point, Point]
    confidence: float  # the least sure character: one doubtful digit makes the figure doubtful
    chars: tuple[tuple[str, tuple[Point, ...], float], ...] = ()  # (char, its corners, confidence)


def skew(boxes: Sequence[Box]) -> float:
    """The dominant text-line angle in radians, from the top edges of the wider boxes."""
    angles = []
    for box in boxes:
        (x0, y0), (x1, y1) = box.quad[0], box.quad[1]
        height = math.dist(box.quad[0], box.quad[3])
        if x1 - x0 > 2.5 * max(height, 1):
            angles.append(math.atan2(y1 - y0, x1 - x0))
    return median(angles) if angles else 0.0


@dataclass
class _Piece(Char):
    """A run of recognised text on the deskewed page, with the recogniser's confidence."""

    confidence: float


def _turn(points: Sequence[Point], angle: float) -> tuple[float, float, float, float]:
    """The bounds (x0, x1, y0, y1) of points turned by -angle: the deskewed page."""
    cos, sin = math.cos(-angle), math.sin(-angle)
    xs = [x * cos - y * sin for x, y in points]
    ys = [x * sin + y * cos for x, y in points]
    return min(xs), max(xs), min(ys), max(ys)


def split_box(box: Box, angle: float) -> list[_Piece]:
    """A box in deskewed coordinates, split where its characters leave a gap wider than a cell's
    padding (two figures of neighbouring cells the detector took for one run of text)."""
    x0, x1, y0, y1 = _turn(box.quad, angle)
    whole = [_Piece(box.text, x0, x1, y0, y1, box.confidence)]
    chars = [c for c in box.chars if c[0].strip()]
    if len(chars) < 2 or "".join(c[0] for c in chars) != "".join(box.text.split()):
        return whole
    spans = [(c[0], *_turn(c[1], angle)[:2], c[2]) for c in chars]
    groups = [[spans[0]]]
    for span in spans[1:]:
        if span[1] - groups[-1][-1][2] > 0.6 * (y1 - y0):
            groups.append([span])
        else:
            groups[-1].append(span)
    if len(groups) == 1:
        return whole
    return [_Piece("".join(c[0] for c in g), g[0][1], g[-1][2], y0, y1, min(c[3] for c in g)) for g in groups]


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def lines_from_boxes(boxes: Sequence[Box], *, page: int, points_per_pixel: float) -> list[Line]:
    """Deskew, group boxes into rows by vertical overlap, order each row left to right."""
    angle = skew(boxes)
    pieces = sorted((p for box in boxes for p in split_box(box, angle)), key=lambda p: (p.top + p.bottom) / 2)
    rows: list[list[_Piece]] = []
    for piece in pieces:
        if rows:
            row = rows[-1]
            top = median(p.top for p in row)
            bottom = median(p.bottom for p in row)
            if _overlap(piece.top, piece.bottom, top, bottom) >= 0.5 * min(piece.size, bottom - top):
                row.append(piece)
                continue
        rows.append([piece])
    # deskewed coordinates can go slightly negative near the page edge; measure from the page
    left = min((p.x0 for p in pieces), default=0.0)
    left = min(left, 0.0)
    top_edge = min(min((p.top for p in pieces), default=0.0), 0.0)
    lines = []
    for number, row in enumerate(rows, start=1):
        row.sort(key=lambda p: p.x0)
        cells = [
            Cell(
                p.text,
                round((p.x0 - left) * points_per_pixel, 1),
                round((p.x1 - left) * points_per_pixel, 1),
                confidence=round(p.confidence, 3),
            )
            for p in row
        ]
        top = round((min(p.top for p in row) - top_edge) * points_per_pixel, 1)
        lines.append(Line(_restore_numeral(cells), page=page, number=number, top=top))
    return lines


def _restore_numeral(cells: list[Cell]) -> list[Cell]:
    """ "、总体情况" → "一、总体情况": OCR tends to drop the one- and two-stroke numerals 一 and 二
    before a part's heading; the heading's words say which part it is."""
    text = cells[0].text if len(cells) == 1 else ""
    if not text.startswith("、"):
        return cells
    title = text[1:].replace("、", "").replace("，", "").strip()
    for number, keys in SECTION_KEYS.items():
        if title in keys:
            first = cells[0]
            return [Cell(SECTION_NUMERALS[number - 1] + text, first.x0, first.x1, first.confidence)]
    return cells

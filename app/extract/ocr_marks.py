"""The small marks of a scanned figure — a minus sign, decimal points, thousands separators —
counted in the ink, to check what OCR read.

A recogniser drops a thin "−" before a digit, or a "." between two, and reads a confident
figure that is wrong, not unreadable. So the ink of a figure's box, and of the space left of
it up to the cell's ruling or the text before it, is cut into connected strokes: a short flat
stroke at mid-height before the digits is a minus; a small blob on the baseline between digits
is a point or a separator. A reading whose marks differ from the ink's is doubtful.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import Any

MINUS = "-−－–—"
SEPARATORS = ".,，．"
INK = 150  # gray level below which a pixel is ink (paper is near 255, print near 0)
LEFT_REACH = 1.5  # how far left of a box a sign is looked for, in box heights


@dataclass(frozen=True)
class Marks:
    minus: int
    separators: int


def in_text(text: str) -> Marks:
    text = "".join(text.split())
    return Marks(int(bool(text) and text[0] in MINUS), sum(text.count(s) for s in SEPARATORS))


@dataclass(frozen=True)
class _Stroke:
    x: int
    y: int
    width: int
    height: int
    area: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height


def in_ink(image: Any, quad: tuple[tuple[float, float], ...]) -> Marks | None:
    """The marks the ink around a figure's box shows; None when no digit can be made out."""
    import cv2
    import numpy as np

    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    x0, x1, y0, y1 = int(min(xs)), int(max(xs)) + 1, int(min(ys)), int(max(ys)) + 1
    height = y1 - y0
    if height < 4 or x1 <= x0:
        return None
    left = max(0, x0 - int(LEFT_REACH * height))
    right = min(image.shape[1], x1 + height // 5)
    region = image[max(0, y0) : min(image.shape[0], y1), left:right]
    if region.size == 0:
        return None
    ink = (cv2.medianBlur(np.ascontiguousarray(region), 3) < INK).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    strokes = [_Stroke(*map(int, stats[index])) for index in range(1, count)]
    box_left, box_right = x0 - left, x1 - left
    digits = [
        s
        for s in strokes
        if 0.3 * height <= s.height <= 0.95 * height
        and s.width <= height
        and box_left <= s.x + s.width / 2 <= box_right
    ]
    if not digits:
        return None
    glyph = median(s.height for s in digits)
    baseline = median(s.bottom for s in digits)
    capline = median(s.y for s in digits)
    first = min(s.x for s in digits)
    last = max(s.right for s in digits)
    # the ruling of the cell (a column of ink), or text before the figure, ends the search for a sign
    columns = np.flatnonzero(ink[:, :first].sum(axis=0) >= 0.5 * glyph)
    fence = max(
        [int(columns[-1]) + 1 if columns.size else 0]
        + [
            s.right
            for s in strokes
            if s.right <= first and s.height >= 0.6 * glyph and s.width <= 1.5 * glyph
        ]
    )
    least = 0.01 * glyph * glyph  # smaller is speckle
    small = [s for s in strokes if s.x >= fence and s.height < 0.45 * glyph and s.area >= least]
    minus = [
        s
        for s in small
        if s.right <= first + 1
        and s.width >= 1.5 * s.height
        and 0.2 * glyph <= s.width <= 1.2 * glyph
        and capline + 0.2 * glyph <= (s.y + s.bottom) / 2 <= baseline - 0.15 * glyph
    ]
    separators = [
        s
        for s in small
        if first < s.x
        and s.right < last
        and s.width <= 0.4 * glyph
        and s.bottom >= baseline - 0.25 * glyph
        and not any(d.x <= (s.x + s.right) / 2 <= d.right for d in digits)  # a broken digit's piece
    ]
    return Marks(min(len(minus), 1), len(separators))


def agree(text: str, image: Any, quad: tuple[tuple[float, float], ...]) -> bool:
    """Whether the ink shows the same minus and separators as the reading (no digit seen: no)."""
    seen = in_ink(image, quad)
    return seen is not None and seen == in_text(text)

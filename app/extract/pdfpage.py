"""What the PDF layout reading needs of a page: positioned characters, rulings, images.

Both PDF readers (PDFium, and pdfminer.six as the reference) fill the same PageContent, so one
layout reading (app.extract.pdf) serves both. Coordinates are PDF points from the page's top.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RULING_THICKNESS = 2.0  # a rectangle thinner than this is a line


@dataclass
class Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def size(self) -> float:
        return self.bottom - self.top


@dataclass
class PageContent:
    height: float
    chars: list[Char] = field(default_factory=list)
    horizontal: list[tuple[float, float, float]] = field(default_factory=list)  # (y, x0, x1)
    vertical: list[tuple[float, float, float]] = field(default_factory=list)  # (x, top, bottom)
    images: int = 0

    def add_shape(self, x0: float, x1: float, top: float, bottom: float, *, rectangle: bool) -> None:
        """A drawn line or rectangle (by its bounds) as rulings: a rectangle gives its four edges
        (the cell borders Word draws as boxes), a thin shape one ruling, any other shape none."""
        if rectangle and x1 - x0 > RULING_THICKNESS and bottom - top > RULING_THICKNESS:
            self.horizontal += [(top, x0, x1), (bottom, x0, x1)]
            self.vertical += [(x0, top, bottom), (x1, top, bottom)]
        elif bottom - top <= RULING_THICKNESS and x1 - x0 > RULING_THICKNESS:
            self.horizontal.append(((top + bottom) / 2, x0, x1))
        elif x1 - x0 <= RULING_THICKNESS and bottom - top > RULING_THICKNESS:
            self.vertical.append(((x0 + x1) / 2, top, bottom))

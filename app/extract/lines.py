"""The intermediate form every extractor produces: lines of cells with their page and position.

A paragraph is a line with one cell. A table row is a line with one cell per table cell.
Positions are given where the source has them (PDF points; grid columns for Word and HTML
tables), so the layout parser can align a figure to its column instead of counting cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cell:
    text: str
    x0: float | None = None  # left edge: PDF points, or the first grid column of a Word/HTML cell
    x1: float | None = None  # right edge: PDF points, or one past the last grid column
    confidence: float | None = None  # 0–1 for text read by OCR; None where the file carried the text


@dataclass
class Line:
    cells: list[Cell]
    page: int = 1
    number: int = 0  # 1-based line number in the source (or on the page, for PDF)
    table: int | None = None  # which source table a row belongs to (Word, HTML, ruled PDF)
    top: float | None = None  # vertical position on the page, where the source has one

    @property
    def text(self) -> str:
        return "\t".join(cell.text for cell in self.cells)


@dataclass
class Extracted:
    """What an extractor returns: the lines, and facts it learnt from the file itself."""

    lines: list[Line]
    media_type: str
    pages: int = 1
    notes: list[str] = field(default_factory=list)
    image_pages: list[int] = field(default_factory=list)  # PDF pages with an image and no text: scans
    # What the file says of itself beside its text: an HTML page's <title> and meta tags
    # ("title", "published", "source"), read as metadata when the text does not say it.
    facts: dict[str, str] = field(default_factory=dict)

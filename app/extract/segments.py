"""A table's lines grouped into segments: the label words of a row, then the cells of its figures.

A row may be one line, or one cell per line, or its label may stand on lines of its own before
the figures; the segments are what the rows of the template are matched against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from app.extract.lines import Cell, Line
from app.extract.values import CellValue, normalise, read_cell, split_spaced

_NOISE = re.compile(r"[\s\d\.、,，。:：;；()（）\[\]【】“”\"'‘’《》<>〈〉#*\-—_/|·•~]")


def bare(text: str) -> str:
    """A label's text as matched: normal form, without digits, spaces and punctuation."""
    return _NOISE.sub("", normalise(text))


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
        variants = {bare(self.labels[-1]), bare("".join(self.labels[-2:])), bare("".join(self.labels))}
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

"""A draft's figures looked up once, in its layout's reading order, for the evaluators to share."""

from __future__ import annotations

from dataclasses import dataclass

from app.draft import Draft, Figure, Status, Value
from app.layout import MAX_COUNT, Layout


@dataclass
class Reading:
    """A draft's figures looked up once, in its layout's reading order, for the checks to share."""

    layout: Layout
    figures: list[Figure]  # a missing figure where the draft has none
    values: list[Value | None]
    # Where a figure is not simply read as a non-negative integer: not read (missing, blank,
    # unreadable…), without a value, an amount, negative. Any other figure is complete, valid
    # in every kind of cell and can be summed, so only these need a second look.
    irregular: list[int]


_ABSENT = Figure(None, Status.MISSING)  # read for a cell the draft does not have


def read(draft: Draft) -> Reading:
    """The draft's figures at the positions of its layout's cells, with their values and the
    positions that need a second look."""
    lay = draft.layout
    cells = lay.cells
    if tuple(draft.figures) == cells:  # every figure, in reading order: no need to look them up
        figures = list(draft.figures.values())
    else:
        get = draft.figures.get
        figures = [get(key, _ABSENT) for key in cells]
    read_ = Status.READ  # a local: an enum member looked up for every cell is measurable
    irregular = [
        i
        for i, figure in enumerate(figures)
        if figure.status is not read_
        or type(figure.value) is not int
        or figure.value < 0
        or figure.value >= MAX_COUNT
    ]
    return Reading(lay, figures, [figure.value for figure in figures], irregular)

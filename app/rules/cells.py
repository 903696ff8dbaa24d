"""Every figure any layout has, numbered once and for all: the database stores a figure by number.

A small integer keeps the figure table and its indexes narrow (about 200 rows a report, 30 million
a national year). The numbers follow the layouts' reading order and are stored in the table
`cell` too, for SQL written by hand. tests/test_schema.py checks that code and database agree: a
cell added to a layout later must be numbered after the existing ones, by a migration.
"""

from __future__ import annotations

from app.layout import Format, layout

Key = tuple[str, str, str]  # (table, row, column)

CELLS: tuple[Key, ...] = tuple(
    dict.fromkeys(
        cell
        for lay in (layout(Format.F2021), layout(Format.F2021, True), layout(Format.F2019))
        for cell in lay.cells
    )
)
CELL_IDS: dict[Key, int] = {cell: number for number, cell in enumerate(CELLS, start=1)}
# the same numbers by a cell's code, "table3.new_received.total", as findings name cells
CELL_NUMBERS: dict[str, int] = {".".join(cell): number for cell, number in CELL_IDS.items()}


def cell_of(cell_id: int) -> Key:
    return CELLS[cell_id - 1]

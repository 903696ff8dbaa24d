"""How findings name cells and print values: one wording for every rule."""

from __future__ import annotations

from decimal import Decimal

from app.draft import CellKey, Value
from app.rules.layout import Layout, cell_code


def short_label(label: str) -> str:
    """A row's label as a finding quotes it: without the template's remark, and its own quotes
    single (3.危及‘三安全一稳定’), as they nest inside the finding's “”."""
    return label.split("（区分处理")[0].replace("“", "‘").replace("”", "’")


def fmt_value(value: Value | None) -> str | None:
    """A value as a finding prints it; one too long to read (1e400) in scientific notation."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        if abs(value.adjusted()) > 30:
            return f"{value:.6E}".replace(".000000E", "E")
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if value.bit_length() > 100:
        return fmt_value(Decimal(value))
    return str(value)


def cell_label(lay: Layout, key: CellKey) -> str:
    table, row, column = key
    found = lay.table(table).row(row)
    if found is None:
        return cell_code(*key)
    column_label = found.column_labels.get(column, column)
    if len(found.columns) == 1:
        return short_label(found.label)
    return f"{short_label(found.label)}·{column_label}"

"""How findings name cells and print values: one wording for every rule."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from app.draft import CellKey, Value
from app.rules.layout import Layout, cell_code


def short_label(label: str) -> str:
    return label.split("（区分处理")[0]


def fmt_value(value: Value | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
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


def normalise_organ(name: str) -> str:
    """A body's name as compared: NFKC (full-width letters and digits as ASCII), invisible and
    bidirectional control characters (Unicode format characters: zero-width spaces and joiners,
    BOM, soft hyphen, LRM/RLM and the embeddings, overrides and isolates) removed, runs of
    whitespace collapsed to one space, none at the ends. The name as printed is kept apart."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    return " ".join(text.split())

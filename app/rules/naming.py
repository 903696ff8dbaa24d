"""How findings name cells and print values, and how a body's name is compared: one wording
and one normal form for every rule."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from app.draft import CellKey, Value
from app.layout import Layout, cell_code


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


# Characters that print nothing: zero-width spaces and joiners, the byte-order mark, soft hyphen,
# and the bidirectional controls (U+202A–U+202E, U+2066–U+2069, LRM, RLM, ALM), which can make
# one name look like another.
_INVISIBLE = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


def normalise_organ(name: str) -> str:
    """A body's name as it is compared and keyed: NFKC (full-width letters and digits, compatibility
    ideographs), invisible and bidirectional control characters and other control characters
    removed, every run of whitespace one space, none at either end. Names that look alike are one."""
    text = unicodedata.normalize("NFKC", name)
    text = _INVISIBLE.sub("", text)
    text = "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or not _control(ch))
    return " ".join(text.split())


def organ_key(name: str) -> str:
    """The identity of a body across years and versions: its name normalised (width, invisible
    characters) with no spaces."""
    return "".join(normalise_organ(name).split())


def _control(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category == "Cc" or category == "Cf"

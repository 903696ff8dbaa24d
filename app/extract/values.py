"""What one table cell says: a figure (with its note), a placeholder for blank, or nothing legible.

Pure functions over strings; the layout parser decides which cell is which figure.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Printed in a cell to mean "nothing here"; kept as the figure's raw text, never read as 0.
PLACEHOLDERS = frozenset({"-", "--", "—", "——", "–", "/", "／", "\\", "无", "空", "*", "×", "x", "X"})

_NUMBER = re.compile(r"^([-−]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")
_SPLIT_DECIMAL = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)\.\s+(\d+)$")  # OCR: "923. 71"
_LEADING_FIGURE = re.compile(r"^[\s\-−－]*[0-9０-９][0-9０-９,，.．\s]*")
_SPACED_NUMBERS = re.compile(r"^\d+(?:\.\d+)?(?:\s+\d+(?:\.\d+)?)+$")  # "0 0": two cells run into one
# OCR takes 0 for O/D/C, 1 for l/I, 5 for S, 8 for B: "1O", "S6", a lone "O". Such a cell is a
# figure nobody can read for sure; only the relations may settle it (see app.extract.ocr_review).
CONFUSED_DIGITS = str.maketrans("OoDQCclI|SsB", "000000111558")
_CONFUSED = re.compile(r"^(?=.*[OoDQCclI|SsB])[0-9OoDQCclI|SsB]{1,9}$")


def normalise(text: str) -> str:
    """Full-width to half-width, no-break spaces to spaces, outer space trimmed."""
    text = unicodedata.normalize("NFKC", text).replace("\u00a0", " ").replace("&nbsp;", " ")
    return text.strip()


@dataclass(frozen=True)
class CellValue:
    kind: str  # "number" | "blank" | "confused" (digits OCR may have misread) | "text"
    raw: str
    value: int | Decimal | None = None
    note: str | None = None

    @property
    def is_number(self) -> bool:
        return self.kind == "number"


def read_cell(text: str) -> CellValue:
    """A cell's text as a figure: the leading number is the figure, what follows is its note."""
    raw = text.strip()
    clean = normalise(text)
    if not clean or clean in PLACEHOLDERS:
        return CellValue("blank", raw)
    if _CONFUSED.match(clean):
        return CellValue("confused", raw)
    split = _SPLIT_DECIMAL.match(clean)
    if split:
        clean = f"{split.group(1)}.{split.group(2)}"
    match = _NUMBER.match(clean)
    if match is None:
        return CellValue("text", raw)
    sign, digits, fraction = match.groups()
    rest = clean[match.end() :].strip()
    if rest and (rest[0].isdigit() or rest[0] in ".,"):
        return CellValue("text", raw)  # "1.11." or "1.属于…": not a figure
    if rest and not _is_note(rest):
        return CellValue("text", raw)
    try:
        number = Decimal(f"{'-' if sign else ''}{digits.replace(',', '')}.{fraction}") if fraction else None
    except InvalidOperation:
        return CellValue("text", raw)
    whole = int(f"{'-' if sign else ''}{digits.replace(',', '')}")
    value: int | Decimal = number if number is not None else whole
    note = _LEADING_FIGURE.sub("", raw, count=1).strip() if rest else None  # as printed, full width kept
    return CellValue("number", raw, value, note or None)


def _is_note(rest: str) -> bool:
    """A note beside a figure: a bracketed remark or a unit, not the start of a label."""
    if rest[0] in "(（[【":
        return True
    return rest in {"件", "个", "条", "次", "项", "人", "元", "万元", "万", "人次", "宗", "起"}


def split_spaced(text: str) -> list[str] | None:
    """ "0 0" → ["0", "0"]: figures a converter ran into one cell, separated by spaces."""
    clean = normalise(text)
    if _SPACED_NUMBERS.match(clean) and not _SPLIT_DECIMAL.match(clean):
        return clean.split()
    return None

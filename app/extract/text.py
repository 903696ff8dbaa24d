"""Plain text to lines of cells: tab-separated rows, `|`-separated cells, columns set apart by
several spaces, or one cell per line.

Form feeds are page breaks. No positions: the layout parser counts cells instead.
"""

from __future__ import annotations

import re

from app.extract.lines import Cell, Extracted, Line

_COLUMN_GAP = re.compile(r" {2,}")
_MARKDOWN_RULE = re.compile(r"^\|?(?:\s*:?-{3,}:?\s*\|)+\s*(?::?-{3,}:?\s*)?$")
_NUMBER = r"[-−]?\d[\d,]*(?:\.\d+)?"
_LABEL_THEN_FIGURES = re.compile(rf"^(.*[\u4e00-\u9fff）)])\s+({_NUMBER}(?:\s+{_NUMBER})*)$")


def _cells(raw: str) -> list[Cell]:
    if "\t" in raw:
        return [Cell(part) for part in raw.split("\t")]
    stripped = raw.strip()
    if _MARKDOWN_RULE.match(stripped):  # |---|---|: a Markdown table's rule carries nothing
        return []
    if "|" in stripped:
        if stripped.startswith("|"):
            stripped = stripped[1:]
        if stripped.endswith("|"):
            stripped = stripped[:-1]
        return [Cell(part.strip()) for part in stripped.split("|")]
    if _COLUMN_GAP.search(stripped):  # laid out in columns, as pdftotext -layout leaves a table
        return [Cell(part) for part in _COLUMN_GAP.split(stripped)]
    labelled = _LABEL_THEN_FIGURES.match(stripped)
    if labelled:  # "行政许可 97": a row whose label and figures one space apart
        return [Cell(labelled.group(1)), Cell(labelled.group(2))]
    return [Cell(raw)]


def extract_text(text: str, media_type: str = "text/plain") -> Extracted:
    lines = []
    page = 1
    for number, raw in enumerate(text.split("\n"), 1):
        if "\f" in raw:
            page += raw.count("\f")
            raw = raw.replace("\f", "")
        lines.append(Line(_cells(raw.rstrip("\r")), page=page, number=number))
    return Extracted(lines, media_type, pages=page)

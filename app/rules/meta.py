"""What a report must name to be stored, and whether its table 三 was read at all.

A body or year the document does not name is a finding, not a refusal: the figures are still
read and checked, and the caller can give what is missing. A table 三 mostly not read is an
error, so a report nobody could read never looks clean.
"""

from __future__ import annotations

from app.draft import Draft, Finding, Location, Status
from app.rules.catalogue import RULES_BY_ID
from app.rules.reading import Reading
from app.rules.registry import evaluates

UNREAD_SHARE = 0.5  # more than half of table 三 not read: the table was not read
_READ = (Status.READ, Status.OCR, Status.INFERRED, Status.PLACED, Status.BLANK)
FIELD_NAMES = {"organ": ("机关", "organ"), "year": ("年度", "year"), "region_code": ("地区", "region")}
FIELD_NAMES["published_on"] = ("发布日期", "publication date")


@evaluates("meta")
def check_metadata(draft: Draft, _: Reading | None = None) -> list[Finding]:
    """META-ORGAN, META-YEAR and META-STATED."""
    found = []
    if not draft.organ:
        found.append(RULES_BY_ID["META-ORGAN"].finding())
    if draft.year is None:
        found.append(RULES_BY_ID["META-YEAR"].finding())
    for field, document in draft.document_said.items():
        zh, en = FIELD_NAMES[field]
        stated = getattr(draft, field)
        fields = {"field": zh, "field_en": en, "stated": stated, "document": document}
        found.append(RULES_BY_ID["META-STATED"].finding(fields=fields))
    return found


@evaluates("unread")
def check_table3_read(draft: Draft, _: Reading | None = None) -> list[Finding]:
    """T3-UNREAD."""
    table = draft.layout.table("table3")
    keys = [("table3", row.code, column) for row in table.rows for column in row.column_codes]
    read = [key for key in keys if (f := draft.figures.get(key)) is not None and f.status in _READ]
    if len(read) >= len(keys) * (1 - UNREAD_SHARE):
        return []
    rows = {
        key[1] for key in keys if (f := draft.figures.get(key)) is not None and f.status is not Status.MISSING
    }
    fields = {"cells": len(keys), "read": len(read), "rows": len(rows), "total_rows": len(table.rows)}
    return [RULES_BY_ID["T3-UNREAD"].finding(fields=fields, location=Location("table3"))]

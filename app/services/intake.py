"""From the bytes a caller sent to a draft: the type comes from the bytes, not the name."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal

from app.config import get_settings
from app.draft import Draft
from app.errors import ProblemError
from app.extract.json_report import load_json, parse_report
from app.extract.pipeline import read_document
from app.extract.sniff import FileType, sniff
from app.extract.values import normalise
from app.extract.worker import run_bounded
from app.services.report_store import JSON_MEDIA_TYPE, Upload


def _canonical_json(value: object) -> bytes:
    """The same report written with other spacing or key order hashes the same."""

    def default(obj: object) -> str:
        if isinstance(obj, Decimal):
            return format(obj.normalize(), "f")
        raise TypeError(type(obj).__name__)

    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=default
    ).encode()


def report_from_json(decoded: object, filename: str | None = None) -> tuple[Draft, Upload]:
    """A decoded JSON report to a draft, and its canonical bytes as the upload it came from."""
    draft = parse_report(decoded)
    return draft, Upload(_canonical_json(decoded), JSON_MEDIA_TYPE, filename)


def safe_filename(filename: str | None) -> str | None:
    """Only the last path component, printable, at most 255 characters: never a path to follow."""
    if not filename:
        return None
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())[:255].strip()
    return name or None


def json_report(data: bytes, filename: str | None = None) -> tuple[Draft, Upload]:
    return report_from_json(load_json(data, get_settings().max_json_depth), filename)


def read(data: bytes, filename: str | None, is_json_body: bool) -> tuple[Draft, Upload]:
    """Sniff, then the JSON reader in process, or the file's extractor in the bounded worker."""
    filename = safe_filename(filename)
    if is_json_body:
        return json_report(data)
    sniffed = sniff(data)
    if sniffed.type is FileType.JSON:
        return json_report(data, filename)
    draft = run_bounded(read_document, data, sniffed)
    return _printable(draft), Upload(data, sniffed.media_type, filename)


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _printable(draft: Draft) -> Draft:
    """Text read from a file without the control characters no printed page shows (PostgreSQL
    cannot store NUL at all), so a file's text is stored alike on both databases."""
    return replace(
        draft,
        organ=_CONTROLS.sub("", draft.organ) if draft.organ else draft.organ,
        title=_CONTROLS.sub("", draft.title) if draft.title else draft.title,
        narrative=_CONTROLS.sub("", draft.narrative) if draft.narrative else draft.narrative,
    )


def json_reports(data: bytes) -> list[tuple[Draft, Upload] | ProblemError]:
    """A JSON array of reports: each item a draft, or the problem that makes it no report."""
    settings = get_settings()
    decoded = load_json(data, settings.max_json_depth + 1)
    if not isinstance(decoded, list):
        raise ProblemError(422, "invalid_batch", "请求体应为 JSON 数组，每个元素是一份年度报告")
    if len(decoded) > settings.max_bulk_reports:
        raise ProblemError(
            413,
            "too_many_reports",
            f"一次最多提交 {settings.max_bulk_reports} 份报告，本次为 {len(decoded)} 份，请分批提交",
        )
    items: list[tuple[Draft, Upload] | ProblemError] = []
    for value in decoded:
        try:
            items.append(report_from_json(value))
        except ProblemError as problem:
            items.append(problem)
    return items


@dataclass
class Stated:
    """What the caller says beside an uploaded file; each given field wins over the document."""

    organ: str | None = None
    year: int | None = None
    region_code: str | None = None
    published_on: date | None = None


def apply_stated(draft: Draft, stated: Stated) -> Draft:
    """The caller's fields over the document's; where the document said otherwise, that is kept
    for a finding (META-STATED)."""
    for field in fields(stated):
        value = getattr(stated, field.name)
        if value is None:
            continue
        read = getattr(draft, field.name)
        same = normalise(str(read)).replace(" ", "") == normalise(str(value)).replace(" ", "")
        if read is not None and not same:
            draft.document_said[field.name] = str(read)
        setattr(draft, field.name, value)
    return draft

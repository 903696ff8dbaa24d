"""Storing many reports in one transaction, with a handful of set-based queries whatever the count.

The outcome is the one of sending the reports one by one, in their order: identical content
returns the stored report; a body and year seen before (stored, or earlier in the batch) gets the
next version; the cross-year rules read the previous year wherever it is, and an earlier year
re-checks the following year's report. The single-report path is a batch of one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import Row, Table, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.draft import Draft, Finding
from app.errors import ProblemError
from app.models.api import Counts
from app.models.base import utcnow
from app.models.bulk import BulkResult
from app.models.people import AuditEntry
from app.rules.engine import CROSS_YEAR_RULES, check_cross_year, validate
from app.rules.naming import organ_key
from app.services import files, regions, report_store, report_writes, scope, telemetry
from app.services.access import Caller
from app.services.outcomes import Outcome, bulk_result
from app.services.present import counts
from app.services.report_store import REPORT, SOURCE, Upload, report_body_key

AUDIT: Table = AuditEntry.__table__  # type: ignore[attr-defined]
# a new version of a report sent back for correction is its resubmission
_NEXT_STATE = {"returned": "resubmitted", "resubmitted": "resubmitted"}


@dataclass
class Correction:
    """A version made by correcting cells of a stored one."""

    cells: list[str]  # table.row.column
    of_report: int


@dataclass
class Item:
    """A report ready to store: its draft, the bytes it came from, and where it is counted."""

    draft: Draft
    upload: Upload
    placement: regions.Placement
    correction: Correction | None = None


def prepare(draft: Draft, upload: Upload) -> Item:
    """Place a report in the region tree; an unknown region code is the caller's error (422)."""
    assert draft.organ, "a report is stored only with its body (reports.ingest checks)"
    document = f"{draft.title or ''}\n{draft.narrative}"
    return Item(
        draft, upload, regions.place(organ=draft.organ, region_code=draft.region_code, document=document)
    )


@dataclass
class _Entry:
    """The latest report of a body and year as the batch sees it: stored before, or new in it."""

    key: str
    year: int | None
    version: int
    draft: Draft
    id: int | None = None  # a new report gets one when it is inserted
    upload: Upload | None = None  # set for a new report
    placement: regions.Placement | None = None  # set for a new report
    digest: str = ""  # the upload's SHA-256
    findings: list[Finding] = field(default_factory=list)  # of a new report
    is_latest: bool = True
    rechecked: list[Finding] | None = None  # a stored report's cross-year findings, computed anew
    created_at: datetime | None = None  # a new report's, set when it is inserted
    state: str = "submitted"
    state_note: str | None = None
    correction: Correction | None = None

    @property
    def is_new(self) -> bool:
        return self.upload is not None

    def recheck(self, previous: Draft) -> None:
        """The year before has just arrived: the cross-year findings are computed against it."""
        fresh = check_cross_year(self.draft, previous)
        if self.is_new:
            self.findings = [f for f in self.findings if f.rule not in CROSS_YEAR_RULES] + fresh
        else:
            self.rechecked = fresh


CONFLICT_RETRY_SECONDS = 2  # the other writer has committed by then


def in_scope(caller: Caller, item: Item) -> bool:
    return scope.covers(
        caller.region_scope, organ_key=organ_key(item.draft.organ or ""), columns=item.placement.columns
    )


def ingest(*, session: Session, items: list[Item], caller: Caller) -> list[Outcome]:
    """Store reports in one transaction; one outcome per item, in order. Each new report is
    recorded as the caller's; a body outside the caller's scope stores nothing (403).

    A concurrent writer that wins a race for the same bytes or the same version number makes
    the batch run again once that writer has committed.
    """
    outside = [item.draft.organ or "" for item in items if not in_scope(caller, item)]
    if outside:
        raise scope.out_of_scope(caller.region_scope, outside)
    for _ in range(3):
        try:
            with session.begin_nested():
                outcomes = _ingest(session, items, caller.label)
                _audit(session, outcomes, caller.label)
                return outcomes
        except (IntegrityError, psycopg.IntegrityError):  # the latter from psycopg used directly
            session.expire_all()
    raise ProblemError(
        409, "conflict", "同一报告正在被同时提交，请稍后重试", retry_after=CONFLICT_RETRY_SECONDS
    )


def _audit(session: Session, outcomes: list[Outcome], actor: str) -> None:
    now = utcnow()
    rows = [
        {
            "at": now,
            "actor": actor[:120],
            "action": "report.create",
            "report_id": o.report_id,
            "target": f"{o.organ} {o.year}"[:200],
            "detail": {"version": o.version, "valid": o.valid},
        }
        for o in outcomes
        if o.created
    ]
    if rows:
        session.execute(insert(AUDIT), rows)


def _ingest(session: Session, items: list[Item], actor: str) -> list[Outcome]:
    digests = [item.upload.sha256 for item in items]
    stored = report_store.stored_by_digest(session, set(digests))
    keys = _keys(session, items)
    years = {
        (key, item.draft.year)
        for key, item, digest in zip(keys, items, digests, strict=True)
        if digest not in stored and item.draft.year is not None
    }
    before = _latest_stored(session, years)
    latest = dict(before)

    placed: list[tuple[Row | _Entry, bool]] = []  # what each item became, and whether it is new
    new: dict[str, _Entry] = {}
    for item, key, digest in zip(items, keys, digests, strict=True):
        if digest in stored:
            placed.append((stored[digest], False))
        elif digest in new:
            placed.append((new[digest], False))
        else:
            new[digest] = _place(latest, key, item, digest)
            placed.append((new[digest], True))
    _write(session, list(new.values()), list(before.values()), actor)
    for entry in new.values():
        telemetry.count_findings(entry.findings)
    return [_outcome(what, created) for what, created in placed]


def _keys(session: Session, items: list[Item]) -> list[str]:
    """The organ_key each report is stored under: that of a report of the same body stored
    before or earlier in the batch (阿什里乡 after 昌吉市阿什里乡), else its own name's."""
    bodies_of = [report_body_key(item.draft, item.placement.code) for item in items]
    known = report_store.organ_keys(session, bodies_of)
    keys = []
    for item, body_key in zip(items, bodies_of, strict=True):
        keys.append(known.setdefault(body_key, organ_key(item.draft.organ or "")))
    return keys


def _place(latest: dict[tuple[str, int], _Entry], key: str, item: Item, digest: str) -> _Entry:
    """Validate a new report against the years around it as they stand at its turn."""
    draft, year = item.draft, item.draft.year
    new: dict[str, Any] = {
        "upload": item.upload,
        "placement": item.placement,
        "digest": digest,
        "correction": item.correction,
    }
    if year is None:  # no year, no neighbours: a report of its own
        return _Entry(key, year, 1, draft, findings=validate(draft) + item.placement.findings, **new)
    previous = latest.get((key, year - 1))
    current = latest.get((key, year))
    findings = validate(draft, previous.draft if previous else None) + item.placement.findings
    entry = _Entry(key, year, current.version + 1 if current else 1, draft, findings=findings, **new)
    if current is not None:
        current.is_latest = False
        entry.state = _NEXT_STATE.get(current.state, "submitted")
        entry.state_note = current.state_note if entry.state == "resubmitted" else None
    latest[(key, year)] = entry
    following = latest.get((key, year + 1))
    if following is not None:
        following.recheck(draft)
    return entry


def _latest_stored(session: Session, years: set[tuple[str, int]]) -> dict[tuple[str, int], _Entry]:
    """The stored latest reports of these bodies for each year, the year before and the year after."""
    return {
        (r.organ_key, r.year): _Entry(
            r.organ_key,
            r.year,
            r.version,
            draft,
            id=r.id,
            state=r.state,
            state_note=r.state_note,
        )
        for r, draft in report_store.latest_around(session, years)
    }


# ---- writing -------------------------------------------------------------------------------------


def _write(session: Session, new: list[_Entry], stored: list[_Entry], actor: str) -> None:
    now = utcnow()
    report_writes.supersede(session, [e.id for e in stored if not e.is_latest and e.id is not None])
    if new:
        source_ids = report_writes.insert_returning_ids(session, SOURCE, [_source_row(e, now) for e in new])
        report_ids = report_writes.insert_returning_ids(
            session,
            REPORT,
            [_report_row(e, source_id, now, actor) for e, source_id in zip(new, source_ids, strict=True)],
        )
        for entry, report_id in zip(new, report_ids, strict=True):
            entry.created_at = now
            entry.id = report_id
        report_writes.insert_figures(session, [(i, e.draft) for e, i in zip(new, report_ids, strict=True)])
        report_writes.insert_findings(
            session, [(i, e.findings) for e, i in zip(new, report_ids, strict=True)]
        )
    rechecked = [(e.id, e.rechecked or []) for e in stored if e.rechecked is not None]
    if rechecked:
        report_writes.replace_cross_year(session, rechecked)  # type: ignore[arg-type]
    for entry in new:
        assert entry.upload is not None
        if not entry.upload.is_json:
            files.keep(entry.upload.data, entry.digest)


def _source_row(entry: _Entry, now: Any) -> dict:
    upload = entry.upload
    assert upload is not None
    return {
        "sha256": entry.digest,
        "media_type": upload.media_type,
        "filename": upload.filename,
        "size": len(upload.data),
        "content": upload.data if upload.is_json else None,
        "created_at": now,
    }


def _report_row(entry: _Entry, source_id: int, now: Any, actor: str) -> dict:
    draft, tally, placement = entry.draft, counts(entry.findings), entry.placement
    assert placement is not None
    return {
        **draft.report_fields(),
        "format": draft.format.value,
        "scope": draft.scope.value if draft.scope else None,
        "organ_key": entry.key,
        "body_key": report_body_key(draft, placement.code),
        "region_code": placement.code,
        **placement.columns,
        "narrative": draft.narrative,
        "version": entry.version,
        "is_latest": entry.is_latest,
        "source_id": source_id,
        "valid": tally.error == 0,
        "errors": tally.error,
        "warnings": tally.warning,
        "infos": tally.info,
        "created_at": now,
        "state": entry.state,
        "state_note": entry.state_note,
        "created_by": actor[:120],
        "corrected_cells": entry.correction.cells if entry.correction else None,
        "corrected_from": entry.correction.of_report if entry.correction else None,
    }


def _outcome(what: Row | _Entry, created: bool) -> Outcome:
    if isinstance(what, _Entry):
        tally = counts(what.findings)
        assert what.id is not None
        draft = what.draft
        outcome = Outcome(
            what.id, what.version, created, tally.error == 0, tally, draft.organ or "", what.year
        )
        if created:
            outcome.findings, outcome.is_latest = what.findings, what.is_latest
            outcome.created_at = what.created_at
        return outcome
    return Outcome(
        what.id,
        what.version,
        created,
        what.valid,
        Counts(error=what.errors, warning=what.warnings, info=what.infos),
        what.organ,
        what.year,
    )


def ingest_items(
    *, session: Session, items: list[tuple[Draft, Upload] | ProblemError], caller: Caller
) -> BulkResult:
    """Store the valid reports of a batch and say, item by item, what became of each.

    An item that is not a valid report, or is a body outside the caller's scope, is answered with
    its problem and does not stop the rest.
    """
    prepared: list[Item | ProblemError] = []
    for given in items:
        try:
            item = given if isinstance(given, ProblemError) else prepare(*given)
            if isinstance(item, Item) and not in_scope(caller, item):
                item = scope.out_of_scope(caller.region_scope, [item.draft.organ or ""])
            prepared.append(item)
        except ProblemError as refused:
            prepared.append(refused)
    reports = [item for item in prepared if isinstance(item, Item)]
    outcomes = iter(ingest(session=session, items=reports, caller=caller) if reports else [])
    return bulk_result([item if isinstance(item, ProblemError) else next(outcomes) for item in prepared])

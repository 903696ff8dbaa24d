"""Correcting a stored report's cells, and its state in the 退回整改 round.

A correction never changes a stored version: the cells given replace those of the latest version
in a new version (source "corrected", the cells changed listed), validated like any other. A
report is `submitted`; a supervisor sends it back (`returned`, with what to correct) or accepts it;
a new version of a returned report is `resubmitted`.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from app.draft import Figure, Status
from app.errors import FORBIDDEN, NO_CHANGE, NOT_LATEST, ProblemError
from app.extract.json_report import figure_from_json
from app.layout import cell_code
from app.models.api import ReportPublic
from app.models.tables import Report
from app.services import audit, bulk, report_store, reports
from app.services.access import Caller
from app.services.present import public_value

CORRECTED_MEDIA_TYPE = "application/json"
# a cell given with the value it already has is a change only when that value was not settled
_UNSETTLED = {Status.MISSING, Status.UNREADABLE, Status.AMBIGUOUS}
# the states of the 退回整改 round, as the pages name them
STATE_NAMES = {
    "submitted": "已提交",
    "returned": "退回整改",
    "resubmitted": "整改后重新提交",
    "accepted": "已通过",
}
# who may move a report from one state to another: supervisors, or anyone in scope
_SUPERVISED = {"returned", "accepted"}
_FROM = {
    "returned": {"submitted", "resubmitted", "accepted"},
    "accepted": {"submitted", "resubmitted", "returned"},
    "resubmitted": {"returned"},
}


def _latest(report: Report) -> None:
    if not report.is_latest:
        raise NOT_LATEST(f"第 {report.version} 版已有更新的版本，请在最新版本上操作")


def correct(
    *, session: Session, report: Report, figures: Any, note: str, caller: Caller
) -> tuple[ReportPublic, bool]:
    """A new version with these cells (by canonical code) changed; (report, created)."""
    _latest(report)
    if not isinstance(figures, dict) or not figures:
        raise ProblemError(
            422, "invalid_figures", 'figures 须为按数字代码给出的更正值，如 {"table3.new_received.total": 12}'
        )
    draft = report_store.load_draft(session, report)
    keys = {cell_code(*key): key for key in draft.layout.cells}
    errors: list[dict] = []
    changed: dict[str, Any] = {}
    for code, raw in figures.items():
        key = keys.get(code) if isinstance(code, str) else None
        if key is None:
            errors.append(
                {"path": f"figures.{code}", "message": f"{draft.format.value} 格式的报告没有该数字"}
            )
            continue
        kind = draft.layout.kind(*key)
        assert kind is not None  # every cell of the layout has a kind
        figure = figure_from_json(raw, kind)
        if isinstance(figure, str):
            errors.append({"path": f"figures.{code}", "message": figure})
            continue
        before = draft.figures.get(key)
        if before is not None and before.value == figure.value and before.status not in _UNSETTLED:
            continue
        was = "空" if before is None or before.value is None else str(public_value(before.value))
        draft.figures[key] = Figure(
            figure.value,
            Status.BLANK if figure.value is None else Status.READ,
            raw=None if figure.value is None else str(public_value(figure.value)),
            note=f"人工更正（原为 {was}）",
        )
        changed[code] = public_value(figure.value)
    if errors:
        raise ProblemError(422, "invalid_figures", "更正的数字有误，请按 errors 逐项改正", errors)
    if not changed:
        raise NO_CHANGE("给出的数字与当前版本相同，没有需要更正的内容")
    source = json.dumps(
        {"corrected_from": report.id, "figures": changed, "note": note},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    upload = report_store.Upload(source, CORRECTED_MEDIA_TYPE, f"corrected-{report.id}.json")
    item = bulk.prepare(draft, upload)
    item.correction = bulk.Correction(cells=sorted(changed), of_report=report.id)  # type: ignore[arg-type]
    [outcome] = bulk.ingest(session=session, items=[item], caller=caller)
    if outcome.created:
        detail = {"from": report.id, "cells": changed, "note": note}
        _record(session, caller, "figures.correct", outcome.report_id, report, detail)
    return reports.get(
        session=session, report_id=outcome.report_id, within=caller.region_scope
    ), outcome.created


def set_state(*, session: Session, report: Report, state: str, note: str, caller: Caller) -> Report:
    """Move the latest version of a report along the 退回整改 round."""
    _latest(report)
    note = note.strip()
    if state in _SUPERVISED and not caller.supervises:
        raise FORBIDDEN("只有审核人员可以退回或通过报告")
    if report.state not in _FROM.get(state, set()):
        raise ProblemError(409, "invalid_state", f"报告当前状态为 {report.state}，不能改为 {state}")
    if state == "returned" and not note:
        raise ProblemError(422, "note_required", "退回整改须写明需要更正的内容")
    before = report.state
    report.state = state
    if state == "returned" or state == "accepted":
        report.state_note = note or None
    # resubmitted keeps what was asked, so it stays beside the answer
    session.add(report)
    _record(session, caller, "report.state", report.id, report, {"from": before, "to": state, "note": note})
    session.flush()
    return report


def _record(
    session: Session, caller: Caller, action: str, report_id: int | None, report: Report, detail: dict
) -> None:
    """An edit of a report in the audit: by the caller, on this body's report of this year."""
    target = f"{report.organ} {report.year}"
    audit.record(
        session=session, actor=caller.label, action=action, report_id=report_id, target=target, detail=detail
    )

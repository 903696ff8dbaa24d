"""Who did what: one row per write, naming the caller (a person, a key, the local newcomer)."""

from __future__ import annotations

import logging

from sqlmodel import Session, col, select

from app.models.people import AuditEntry

log = logging.getLogger("nianbao.audit")


def record(
    *,
    session: Session,
    actor: str,
    action: str,
    report_id: int | None = None,
    target: str | None = None,
    detail: dict | None = None,
) -> None:
    """Kept in the same transaction as the write it describes: both or neither."""
    session.add(
        AuditEntry(
            actor=actor[:120],
            action=action,
            report_id=report_id,
            target=(target or "")[:200] or None,
            detail=detail or {},
        )
    )
    log.info(
        "audit", extra={"fields": {"actor": actor, "action": action, "report": report_id, "target": target}}
    )


def for_reports(*, session: Session, report_ids: list[int], limit: int = 500) -> list[AuditEntry]:
    """Every step on these reports (the versions of one body and year), oldest first."""
    rows = session.exec(
        select(AuditEntry)
        .where(col(AuditEntry.report_id).in_(report_ids))
        .order_by(col(AuditEntry.id))
        .limit(limit)
    )
    return list(rows)

"""Reading reports, and the rows a report is stored as; `app.services.bulk` writes them (one or many)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from sqlalchemy.engine import Dialect
from sqlmodel import Session, col, func, select

from app.draft import Draft, Figure, Finding, Location, Scope, Severity, Status, Value
from app.errors import ProblemError
from app.layout import Format, Kind, storable
from app.models.api import ReportList, ReportPublic, ReportSummary, SourcePublic, ValidationPublic
from app.models.tables import FigureRow, FindingRow, Report, SourceDocument
from app.rules.cells import CELL_NUMBERS, Key, cell_of
from app.rules.engine import validate
from app.rules.naming import fmt_value, organ_key
from app.services import files, regions, reviews, scope
from app.services.access import Caller
from app.services.present import report_public, validation_public
from app.services.scope import RegionScope

JSON_MEDIA_TYPE = "application/json"


@dataclass
class Upload:
    """The bytes a report came from: an uploaded file, or the canonical form of a JSON report."""

    data: bytes
    media_type: str
    filename: str | None = None

    @cached_property
    def sha256(self) -> str:
        return files.sha256(self.data)

    @property
    def is_json(self) -> bool:
        """A JSON report, kept in its database row rather than the file store."""
        return self.media_type == JSON_MEDIA_TYPE


def stored_key(session: Session, draft: Draft, region_code: str | None) -> str:
    """The organ_key the body's reports are stored under, whichever way it printed its name."""
    from app.services.bulk import report_body_key

    body_key = report_body_key(draft, region_code)
    found = session.exec(
        select(Report.organ_key).where(Report.body_key == body_key).order_by(col(Report.id).desc())
    ).first()
    return found or organ_key(draft.organ or "")


# ---- between rows and drafts -------------------------------------------------------------------


def _fit(text: str | None, size: int = 200) -> str | None:
    """A finding's reported or expected value within its column (a 4,000-digit count is not)."""
    return text if text is None or len(text) <= size else text[: size - 1] + "…"


def stored_figure(figure: Figure, kind: Kind | None) -> Figure:
    """A figure as the figure column holds it: a value beyond it (a VALUE error) is stored blank
    and unreadable with the text it was given, never rounded, Infinity or overflowing."""
    value = figure.value
    if value is None or kind is None or storable(kind, value):
        return figure
    raw = figure.raw if figure.raw is not None else fmt_value(value)
    return replace(figure, value=None, status=Status.UNREADABLE, raw=_fit(raw, 100))


def finding_rows(report_id: int, findings: list[Finding]) -> list[dict]:
    return [
        {
            "report_id": report_id,
            "rule": f.rule,
            "severity": f.severity.value,
            "table_code": f.location.table,
            "row_code": f.location.row,
            "column_code": f.location.column,
            "page": f.location.page,
            "cells": f.cells,
            "reported": _fit(f.reported),
            "expected": _fit(f.expected),
            "message": f.message,
            "message_en": f.message_en,
            "hint": f.hint,
        }
        for f in findings
    ]


def flag_rows(report_id: int, findings: list[Finding]) -> list[dict]:
    """The figures the error findings read, once each; `invalid` where VALUE found the value
    impossible, so sums leave it out."""
    flags: dict[int, bool] = {}
    for finding in findings:
        if finding.severity != Severity.ERROR:
            continue
        for code in finding.cells:
            number = CELL_NUMBERS.get(code)
            if number is not None:
                flags[number] = flags.get(number, False) or finding.rule == "VALUE"
    return [{"report_id": report_id, "cell_id": n, "invalid": v} for n, v in flags.items()]


def _finding(row: FindingRow) -> Finding:
    return Finding(
        rule=row.rule,
        severity=Severity(row.severity),
        message=row.message,
        message_en=row.message_en,
        location=Location(row.table_code, row.row_code, row.column_code, row.page),
        cells=list(row.cells),
        reported=row.reported,
        expected=row.expected,
        hint=row.hint,
    )


def _loaded_value(draft: Draft, key: Key, value: Decimal | None) -> int | Decimal | None:
    if value is None:
        return None
    return value.normalize() if draft.layout.kind(*key) is Kind.MONEY else int(value)


def draft_of(report: Report, rows: Iterable[FigureRow]) -> Draft:
    """A stored report and its figure rows back into a draft."""
    draft = Draft(
        organ=report.organ,
        year=report.year,
        format=Format(report.format),
        single_other_row=report.single_other_row,
        scope=Scope(report.scope) if report.scope else None,
        region_code=report.region_code,
        published_on=report.published_on,
        signed_on=report.signed_on,
        period_start=report.period_start,
        period_end=report.period_end,
        title=report.title,
        narrative=report.narrative,
    )
    for row in rows:
        key = cell_of(row.cell_id)
        draft.figures[key] = Figure(
            _loaded_value(draft, key, row.value),
            Status(row.status),
            raw=row.raw,
            note=row.note,
            page=row.page,
            line=row.line,
            candidates=[Decimal(v) if "." in v else int(v) for v in row.candidates]
            if row.candidates
            else None,
            confidence=row.confidence,
        )
    return draft


def load_draft(session: Session, report: Report) -> Draft:
    return draft_of(report, session.exec(select(FigureRow).where(FigureRow.report_id == report.id)))


def _source_public(source: SourceDocument) -> SourcePublic:
    return SourcePublic(
        filename=source.filename, sha256=source.sha256, media_type=source.media_type, size=source.size
    )


# ---- reading ------------------------------------------------------------------------------------


def _finding_rows(session: Session, report_id: int) -> list[FindingRow]:
    return list(
        session.exec(select(FindingRow).where(FindingRow.report_id == report_id).order_by(col(FindingRow.id)))
    )


def _people_fields(report: Report) -> dict:
    """What people did with a stored report: its state, who stored it, what was corrected."""
    return {
        "state": report.state,
        "state_note": report.state_note,
        "created_by": report.created_by,
        "corrected_from": report.corrected_from,
        "corrected_cells": report.corrected_cells,
    }


def stored(*, session: Session, report_id: int, within: RegionScope) -> Report:
    """A stored report the caller may see; 404 alike for none and for one out of their scope."""
    return scope.require_visible(within, session.get(Report, report_id), f"编号为 {report_id} 的报告")


def get(*, session: Session, report_id: int, within: RegionScope) -> ReportPublic:
    """One stored report with its figures and findings."""
    report = stored(session=session, report_id=report_id, within=within)
    source = session.get(SourceDocument, report.source_id)
    assert source is not None
    rows = _finding_rows(session, report_id)
    return report_public(
        load_draft(session, report),
        [_finding(row) for row in rows],
        report_id=report.id,
        version=report.version,
        is_latest=report.is_latest,
        source=_source_public(source),
        created_at=report.created_at,
        marks=reviews.marks(session, report, rows),
    ).model_copy(update=_people_fields(report))


def get_validation(*, session: Session, report_id: int, within: RegionScope) -> ValidationPublic:
    report = stored(session=session, report_id=report_id, within=within)
    rows = _finding_rows(session, report_id)
    return validation_public([_finding(row) for row in rows], reviews.marks(session, report, rows))


def list_reports(
    *,
    session: Session,
    year: int | None,
    organ: str | None,
    valid: bool | None,
    region_code: str | None,
    all_versions: bool,
    limit: int,
    offset: int,
    within: RegionScope,
    state: str | None = None,
    unplaced: bool = False,
) -> ReportList:
    """Latest versions unless all are asked for, newest first; only what the caller may see;
    `unplaced`: only reports counted under no region (未定), for a supervisor to place."""
    query = select(Report)
    visible = scope.clause(within)
    if visible is not None:
        query = query.where(visible)
    if state:
        query = query.where(Report.state == state)
    if not all_versions:
        query = query.where(Report.is_latest)
    if year is not None:
        query = query.where(Report.year == year)
    if organ:
        query = query.where(Report.organ_key.contains(organ_key(organ)))  # type: ignore[attr-defined]
    if valid is not None:
        query = query.where(Report.valid == valid)
    if region_code:
        query = query.where(Report.region_code.startswith(region_code))  # type: ignore[union-attr]
    if unplaced:
        query = query.where(col(Report.region_code).is_(None))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(Report.id.desc()).limit(limit).offset(offset)  # type: ignore[union-attr]
    )
    return ReportList(total=total, limit=limit, offset=offset, items=[_summary(r) for r in rows])


def _summary(report: Report) -> ReportSummary:
    return ReportSummary(
        id=report.id,  # type: ignore[arg-type]
        organ=report.organ,
        year=report.year,
        format=report.format,
        version=report.version,
        is_latest=report.is_latest,
        scope=report.scope,
        region_code=report.region_code,
        valid=report.valid,
        counts={"error": report.errors, "warning": report.warnings, "info": report.infos},  # type: ignore[arg-type]
        created_at=report.created_at,
        state=report.state,
    )


# ---- writing ------------------------------------------------------------------------------------


def _latest(session: Session, key: str, year: int | None) -> Report | None:
    if year is None:
        return None
    return session.exec(
        select(Report).where(Report.organ_key == key, Report.year == year, Report.is_latest)
    ).first()


def ingest(*, session: Session, draft: Draft, upload: Upload, caller: Caller) -> tuple[ReportPublic, bool]:
    """Store a report (a new version when the body and year exist); (report, created).

    The same bytes sent again return the stored report. One report is a batch of one.
    """
    from app.services import bulk  # bulk builds on this module's rows and drafts

    _require_identity(session, draft, caller.region_scope)
    item = bulk.prepare(draft, upload)
    [outcome] = bulk.ingest(session=session, items=[item], caller=caller)
    if not outcome.created:  # stored before: the answer is that report, as it is stored
        return get(session=session, report_id=outcome.report_id, within=caller.region_scope), False
    assert outcome.findings is not None
    row = session.get(Report, outcome.report_id)
    assert row is not None
    # the ids the findings were stored with, in the order they were written
    ids = session.exec(
        select(FindingRow.id).where(FindingRow.report_id == outcome.report_id).order_by(col(FindingRow.id))
    ).all()
    carried = reviews.effective(session, row)
    marks = [
        (i, reviews.review_public(carried[key]) if (key := _identity(f)) in carried else None)
        for i, f in zip(ids, outcome.findings, strict=True)
    ]
    # Built from what was just written rather than read back: the same answer as `get`.
    return report_public(
        as_stored(draft, item.placement.code, session.get_bind().dialect),
        outcome.findings,
        report_id=outcome.report_id,
        version=outcome.version,
        is_latest=outcome.is_latest,
        source=SourcePublic(
            filename=upload.filename,
            sha256=upload.sha256,
            media_type=upload.media_type,
            size=len(upload.data),
        ),
        created_at=outcome.created_at,
        marks=marks,  # type: ignore[arg-type]
    ).model_copy(update=_people_fields(row)), True


def _identity(finding: Finding) -> reviews.Identity:
    loc = finding.location
    return (finding.rule, loc.table, loc.row, loc.column)


def _stored_money(value: Value, dialect: Dialect) -> Decimal:
    """A money figure as the value column gives it back: on PostgreSQL rounded half away from zero
    to the column's scale, on SQLite through the float it is stored as."""
    column = FigureRow.__table__.c.value.type  # type: ignore[attr-defined]
    typed = column.dialect_impl(dialect)
    to_column = typed.bind_processor(dialect)
    if to_column is not None:
        return typed.result_processor(dialect, None)(to_column(value)).normalize()
    money = Decimal(value)
    if money.as_tuple().exponent < -column.scale:  # type: ignore[operator]  # finite: checked on input
        money = money.quantize(Decimal(1).scaleb(-column.scale), ROUND_HALF_UP)
    return money.normalize()


def as_stored(draft: Draft, region_code: str | None, dialect: Dialect) -> Draft:
    """The draft as `get` reads it back once stored: the region it is counted under, money as the
    value column keeps it, counts as integers, candidates as their stored text reads."""
    figures = {}
    for key, given in draft.figures.items():
        kind = draft.layout.kind(*key)
        figure = stored_figure(given, kind)
        value = figure.value
        if value is not None:
            value = _stored_money(value, dialect) if kind is Kind.MONEY else int(value)
        candidates = figure.candidates
        if candidates:
            candidates = [Decimal(v) if "." in v else int(v) for v in map(str, candidates)]
        figures[key] = replace(figure, value=value, candidates=candidates or None)
    return replace(draft, region_code=region_code, figures=figures)


_UNKNOWN = {
    "organ": (
        "organ_unknown",
        "未能从文件中识别发布机关：请在 organ（机关）字段填写后重新提交；已读出的数字和发现的问题见 report",
    ),
    "year": (
        "year_unknown",
        "未能从文件中识别报告年度：请在 year（年度）字段填写后重新提交；已读出的数字和发现的问题见 report",
    ),
}


def _require_identity(session: Session, draft: Draft, within: RegionScope) -> None:
    """A stored report needs its body and year; without them, 422 that still carries the reading."""
    missing = "organ" if not draft.organ else "year" if draft.year is None else None
    if missing is None:
        return
    code, detail = _UNKNOWN[missing]
    read = check(session=session, draft=draft, within=within)
    raise ProblemError(422, code, detail, report=read.model_dump(mode="json"))


def check(*, session: Session, draft: Draft, within: RegionScope) -> ReportPublic:
    """Validate without storing; cross-year rules use the stored previous year when there is one
    that the caller may see (its figures show in the findings)."""
    if not draft.organ:  # no body: nothing to place or compare with (META-ORGAN says so)
        return report_public(draft, validate(draft))
    document = f"{draft.title or ''}\n{draft.narrative}"
    placement = regions.place(organ=draft.organ, region_code=draft.region_code, document=document)
    previous_report = _latest(
        session, stored_key(session, draft, placement.code), draft.year - 1 if draft.year else None
    )
    if previous_report is not None and not scope.covers(
        within, organ_key=previous_report.organ_key, columns=scope.report_columns(previous_report)
    ):
        previous_report = None
    previous = load_draft(session, previous_report) if previous_report else None
    return report_public(draft, validate(draft, previous) + placement.findings)

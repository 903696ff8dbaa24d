"""The registry (名录) of bodies that must publish, and who a report's body is.

A body's identity is its region and what its name says below the region, normalised: 阿什里乡 and
昌吉市阿什里乡 are one body (652301202000|), so are 高昌区人民政府 and 吐鲁番市高昌区人民政府
(650402000000|); 高昌区教育局 is another (650402000000|教育局). Two regions never share a body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sqlmodel import Session, col, select

from app.errors import ProblemError, not_found
from app.extract.registry import KINDS, BodyIn, RowProblem
from app.models.base import utcnow
from app.models.bodies import Body
from app.models.registry import BodyChange, BodyList, BodyPublic, RegistryImport
from app.rules.naming import normalise_organ, organ_key
from app.services import audit, scope
from app.services.aggregates import region_filter, region_ref
from app.services.gazetteer import PATH_COLUMNS, TREES, gazetteer
from app.services.regions import THRESHOLD, resolver
from app.services.scope import RegionScope

_REPORT_WORDS = re.compile(r"(?:\d{4}年度?)?(?:政府信息公开工作年度报告|政府信息公开年度报告|年度报告)$")
# what is left of a region's own government's name once the region's names are taken off
_OWN_GOVERNMENT = {"", "人民政府", "政府", "行政公署", "管理委员会", "管委会"}


@lru_cache(maxsize=65_536)
def identity(name: str, region_code: str | None) -> tuple[str | None, str]:
    """(region code, key) of a body: the region given (or the one its name places it in), and its
    name with the names of that region and its ancestors taken off the front. The region's own
    government is the region alone (高昌区人民政府 → 650402000000|); its 办公室 stays another body."""
    found = resolver()
    gaz = gazetteer()
    text = _REPORT_WORDS.sub("", gaz.normalise(normalise_organ(name)))
    code = None
    if region_code is not None:
        region = gaz.get(region_code)
        code = region.code if region is not None else region_code
    if code is None:
        match = found.resolve(name)
        if match.code is None or match.confidence < THRESHOLD:  # unplaced: the whole name
            return None, "-|" + "".join(normalise_organ(name).split())
        code = match.code
    steps = [r.code for tree in TREES for r in gaz.path(code, tree)]
    while text:  # the longest of the region's and its ancestors' names the text starts with, again
        shortest = min((found.own(step, text) for step in steps), key=len)
        if shortest == text:
            break
        text = shortest
    return code, f"{code}|{'' if text in _OWN_GOVERNMENT else text}"


def body_public(body: Body, tree: str = "geo") -> BodyPublic:
    return BodyPublic(
        id=body.id or 0,
        name=body.name,
        aliases=list(body.aliases or []),
        kind=body.kind,
        must_publish=body.must_publish,
        region=region_ref(body.region_code, tree) if body.region_code else None,
        key=body.key,
    )


def _problem(problems: list[RowProblem]) -> ProblemError:
    problems = sorted(problems, key=lambda p: p.line)
    lines = "；".join(f"第 {p.line} 行：{p.detail}" if p.line else p.detail for p in problems[:20])
    more = f"（另有 {len(problems) - 20} 行）" if len(problems) > 20 else ""
    return ProblemError(
        422,
        "invalid_registry",
        f"名录未导入，请改正后重新上传：{lines}{more}",
        errors=[{"line": p.line, "detail": p.detail} for p in problems[:200]],
    )


def _placed(row: BodyIn, problems: list[RowProblem]) -> tuple[str, str] | None:
    gaz = gazetteer()
    code = None
    if row.region_code:
        region = gaz.get(row.region_code)
        if region is None:
            problems.append(RowProblem(row.line, f"区划代码 {row.region_code} 不是已知的统计用区划代码"))
            return None
        code = region.code
    code, key = identity(row.name, code)
    if code is None:
        problems.append(RowProblem(row.line, f"“{row.name[:40]}”无法确定所属地区，请填写区划代码"))
        return None
    return code, key


def import_bodies(
    *, session: Session, rows: list[BodyIn], problems: list[RowProblem], actor: str | None = None
) -> RegistryImport:
    """All rows or none: a body already registered under the same identity is updated (name,
    aliases, kind, must publish), a new one added. `actor` is who uploaded (for the audit log)."""
    problems = list(problems)
    placed: dict[str, tuple[BodyIn, str]] = {}
    for row in rows:
        found = _placed(row, problems)
        if found is None:
            continue
        code, key = found
        if key in placed:
            first = placed[key][0]
            problems.append(RowProblem(row.line, f"与第 {first.line} 行“{first.name[:40]}”是同一机关"))
            continue
        placed[key] = (row, code)
    if problems:
        raise _problem(problems)
    if not placed:
        raise ProblemError(
            422, "empty_registry", "名录中没有机关，首行为表头：名称、别名、区划代码、类别、应公开"
        )
    existing = {b.key: b for b in _by_keys(session, list(placed))}
    created = updated = 0
    stored: list[Body] = []
    now = utcnow()
    for key, (row, code) in placed.items():
        body = existing.get(key)
        if body is None:
            body = Body(name=row.name, key=key, kind=row.kind, created_at=now)
            created += 1
        else:
            updated += 1
        body.name, body.aliases, body.kind, body.must_publish = (
            row.name,
            row.aliases,
            row.kind,
            row.must_publish,
        )
        body.updated_at = now
        _set_region(body, code)
        session.add(body)
        stored.append(body)
    session.flush()
    if actor is not None:
        audit.record(
            session=session,
            actor=actor,
            action="body.import",
            target=f"{created} created, {updated} updated",
            detail={"created": created, "updated": updated, "bodies": [b.id for b in stored][:500]},
        )
    return RegistryImport(created=created, updated=updated, items=[body_public(b) for b in stored])


def by_key(session: Session, key: str) -> Body | None:
    return session.exec(select(Body).where(Body.key == key)).first()


def _by_keys(session: Session, keys: list[str]) -> Iterable[Body]:
    for start in range(0, len(keys), 500):
        yield from session.exec(select(Body).where(col(Body.key).in_(keys[start : start + 500])))


def _set_region(body: Body, code: str) -> None:
    body.region_code = code
    for column, value in gazetteer().path_columns(code).items():
        setattr(body, column, value)


def list_bodies(
    *,
    session: Session,
    region: str | None = None,
    tree: str = "geo",
    q: str | None = None,
    limit: int = 10_000,
    within: RegionScope,
) -> BodyList:
    query = select(Body)
    clause, _ = region_filter(tree, region)
    if clause is not None:
        query = query.where(_on_body(clause))
    if q:
        query = query.where(col(Body.name).contains(q.strip()))
    ordered = session.exec(query.order_by(col(Body.region_code), col(Body.name)))
    items = [b for b in ordered if visible(b, within)][:limit]
    return BodyList(total=len(items), items=[body_public(b, tree) for b in items])


def _on_body(clause: Any) -> Any:
    """A WHERE clause on the report's region path column, as the same on the body's."""
    column = getattr(Body, clause.left.name)
    return column == clause.right


def registered_under(*, session: Session, region: str | None, tree: str, within: RegionScope) -> list[Body]:
    """The bodies that must publish under a region (all of them without one), of those the
    caller's scope covers."""
    query = select(Body).where(Body.must_publish)
    clause, _ = region_filter(tree, region)
    if clause is not None:
        query = query.where(_on_body(clause))
    return [b for b in session.exec(query) if visible(b, within)]


def visible(body: Body, within: RegionScope) -> bool:
    names = [body.name, *body.aliases]
    return scope.covers_body(
        within,
        organ_keys={organ_key(n) for n in names},
        columns={c: getattr(body, c) for c in PATH_COLUMNS.values()},
    )


def change(
    *,
    session: Session,
    body_id: int,
    changes: BodyChange,
    actor: str | None = None,
    within: RegionScope | None = None,
) -> BodyPublic:
    """Edit a registered body the caller sees; its identity (region and key) stays. `actor`: for
    the audit log."""
    body = session.get(Body, body_id)
    if body is None or (within is not None and not visible(body, within)):
        raise not_found(f"编号为 {body_id} 的机关")
    if changes.name is not None and not changes.name.strip():
        raise ProblemError(422, "empty_name", "机关名称不能为空")
    if changes.kind is not None:
        kind = KINDS.get(changes.kind)
        if kind is None:
            raise ProblemError(422, "unknown_kind", "类别可填：人民政府、部门、乡镇街道、团场、开发区、其他")
        body.kind = kind
    if changes.name is not None:
        body.name = changes.name.strip()
    if changes.aliases is not None:
        body.aliases = [a.strip() for a in changes.aliases if a.strip()][:20]
    if changes.must_publish is not None:
        body.must_publish = changes.must_publish
    body.updated_at = utcnow()
    session.add(body)
    if actor is not None:
        audit.record(
            session=session,
            actor=actor,
            action="body.change",
            target=body.key,
            detail=changes.model_dump(exclude_none=True),
        )
    session.flush()
    return body_public(body)

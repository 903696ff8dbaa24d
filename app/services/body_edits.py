"""Two registered bodies that are one body are merged; an alias that is a body of its own is split
off. Both are audited, stay within one region, and change nothing when refused."""

from __future__ import annotations

from sqlmodel import Session

from app.errors import ProblemError, not_found
from app.models.base import utcnow
from app.models.bodies import Body
from app.models.registry import BodyEdit
from app.services import audit, report_store
from app.services.bodies import body_public, by_key, identity, visible
from app.services.gazetteer import gazetteer
from app.services.scope import RegionScope

MAX_ALIASES = 20


def _visible(session: Session, body_id: int, within: RegionScope) -> Body:
    body = session.get(Body, body_id)
    if body is None or not visible(body, within):
        raise not_found(f"编号为 {body_id} 的机关")
    return body


def _where(body: Body) -> str:
    if body.region_code is None:
        return "未定地区"
    return "".join(r.name for r in gazetteer().path(body.region_code, "geo")) or body.region_code


def merge(*, session: Session, body_id: int, into: int, actor: str, within: RegionScope) -> BodyEdit:
    """`body_id` is the same body as `into`: `into` keeps its identity, the other's names become
    its aliases, the other's stored reports are counted with it, and the other goes."""
    if body_id == into:
        raise ProblemError(422, "same_body", "不能把机关合并到它自己，请选择另一个机关")
    gone, kept = _visible(session, body_id, within), _visible(session, into, within)
    if gone.region_code != kept.region_code:
        raise ProblemError(
            409,
            "different_regions",
            f"“{gone.name}”属于{_where(gone)}，“{kept.name}”属于{_where(kept)}；不同地区的机关不能合并",
        )
    names = [n for n in dict.fromkeys([*kept.aliases, gone.name, *gone.aliases]) if n != kept.name]
    if len(names) > MAX_ALIASES:
        raise ProblemError(422, "too_many_aliases", f"合并后别名超过 {MAX_ALIASES} 个，请先删去不用的别名")
    moved = report_store.move_body(session=session, from_key=gone.key, to_key=kept.key)
    before = body_public(gone).model_dump(mode="json")
    kept.aliases, kept.updated_at = names, utcnow()
    session.add(kept)
    session.delete(gone)
    audit.record(
        session=session,
        actor=actor,
        action="body.merge",
        target=f"{gone.key} → {kept.key}"[:200],
        detail={"body": before, "into": kept.id, "reports": moved},
    )
    session.flush()
    return BodyEdit(body=body_public(kept), reports=moved)


def split(*, session: Session, body_id: int, alias: str, actor: str, within: RegionScope) -> BodyEdit:
    """An alias of `body_id` becomes a body of its own in the same region (same kind, same duty to
    publish); the stored reports printed under that name are counted with it again."""
    body = _visible(session, body_id, within)
    wanted = alias.strip()
    if wanted not in body.aliases:
        raise ProblemError(422, "unknown_alias", f"“{wanted[:40]}”不是“{body.name}”的别名")
    code, key = identity(wanted, body.region_code)
    if key == body.key:
        raise ProblemError(
            409, "same_identity", f"“{wanted}”与“{body.name}”规范化后是同一机关名称，不能拆分为两个机关"
        )
    if by_key(session, key) is not None:
        raise ProblemError(409, "body_exists", f"名录中已有与“{wanted}”相同的机关，请改用合并或修改别名")
    now = utcnow()
    made = Body(
        name=wanted,
        key=key,
        aliases=[],
        kind=body.kind,
        must_publish=body.must_publish,
        region_code=body.region_code,
        created_at=now,
        updated_at=now,
    )
    for column, value in gazetteer().path_columns(code).items():
        setattr(made, column, value)
    body.aliases, body.updated_at = [a for a in body.aliases if a != wanted], now
    session.add_all([body, made])
    moved = report_store.move_body(
        session=session,
        from_key=body.key,
        to_key=key,
        only=lambda organ, region: identity(organ, region)[1] == key,
    )
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="body.split",
        target=f"{body.key} → {key}"[:200],
        detail={"from": body.id, "body": made.id, "alias": wanted, "reports": moved},
    )
    session.flush()
    return BodyEdit(body=body_public(made), other=body_public(body), reports=moved)

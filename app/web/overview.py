"""The overview page's state: a region, a range of years, and what has been stored for them."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session


@dataclass
class OverviewState:
    region: str = ""
    start: int | None = None
    end: int | None = None
    notes: list[str] = field(default_factory=list)
    ready: bool = False


def _year(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else None


def build(*, session: Session, region: str, start: str, end: str) -> OverviewState:
    state = OverviewState(region=region.strip(), start=_year(start), end=_year(end))
    state.notes.append("地区汇总与发布情况尚未接入：地区目录与汇总查询完成后即在此显示。")
    return state

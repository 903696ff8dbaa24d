"""The registry (名录) of bodies that must publish, kept by supervisors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field

from app.models.base import RegionPath, utcnow


class Body(RegionPath, table=True):
    """A body a supervisor expects a report from. `key` is its identity (app.rules.naming.body_key:
    region, then the normalised rest of its name), so a report printed under any of its names
    pairs with it; two bodies of one region never share a key."""

    __tablename__ = "body"
    __table_args__ = (UniqueConstraint("key", name="uq_body_key"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    key: str = Field(max_length=240)
    aliases: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    kind: str = Field(max_length=16)
    must_publish: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

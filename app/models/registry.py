"""What the API takes and returns for the registry (名录) of bodies."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.models.aggregates import RegionInRow


class BodyPublic(BaseModel):
    id: int
    name: str
    aliases: list[str]
    kind: str = Field(description="government | department | township | regiment | zone | other")
    must_publish: bool
    region: RegionInRow | None
    key: str = Field(description="the body's identity: region, then its name below the region, normalised")


class BodyList(BaseModel):
    total: int
    items: list[BodyPublic]


class RowProblemPublic(BaseModel):
    line: int = Field(description="the row of the file (1 is the header; 0: the whole file)")
    detail: str


class RegistryImport(BaseModel):
    created: int
    updated: int
    items: list[BodyPublic]


class BodyChange(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    aliases: list[str] | None = Field(None, max_length=20)
    kind: str | None = None
    must_publish: bool | None = None


class BodyMerge(BaseModel):
    into: int = Field(
        ge=1, le=2**31 - 1, description="the body that stays; this one's names become its aliases"
    )


class BodySplit(BaseModel):
    alias: str = Field(
        min_length=1, max_length=200, description="an alias of this body, to be a body of its own"
    )


class BodyEdit(BaseModel):
    """What a merge or a split left: the body kept (or made) and how many stored reports followed."""

    body: BodyPublic
    other: BodyPublic | None = Field(None, description="after a split, the body the alias stays with")
    reports: int = Field(description="stored reports now counted with `body`")

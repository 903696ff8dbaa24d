"""What every table shares: the constraint naming convention, set before any table is declared,
the id type and the clock."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Integer
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# SQLite makes only INTEGER PRIMARY KEY an auto-increment rowid.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class RegionPath(SQLModel):
    """A row's region and that region's ancestor at each level of both trees
    (app.services.gazetteer.PATH_COLUMNS), so sums and scopes group and filter by a plain column
    at any level: reports and registered bodies alike."""

    region_code: str | None = Field(default=None, max_length=12, index=True)
    region_province: str | None = Field(default=None, max_length=12, index=True)
    region_prefecture: str | None = Field(default=None, max_length=12, index=True)
    region_county: str | None = Field(default=None, max_length=12, index=True)
    region_township: str | None = Field(default=None, max_length=12, index=True)
    xpcc_corps: str | None = Field(default=None, max_length=12, index=True)
    xpcc_division: str | None = Field(default=None, max_length=12, index=True)
    xpcc_regiment: str | None = Field(default=None, max_length=12, index=True)

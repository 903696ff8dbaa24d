"""Numbers a caller puts in a path or query, bounded to what the database can compare: a value
past PostgreSQL's integer (2^31 − 1) is the caller's 422, never the database's error."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

INT_MAX = 2**31 - 1

Id = Annotated[int, Path(ge=1, le=INT_MAX, description="编号")]
IdQuery = Annotated[int, Query(ge=1, le=INT_MAX)]
Year = Annotated[int | None, Query(ge=1900, le=9999, description="年度")]

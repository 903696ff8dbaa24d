"""A report given as JSON, keyed by the canonical codes, read into a draft.

Every error names its exact path, so a portal can show the clerk which field is wrong.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError, field_validator

from app.draft import REPORT_FIELDS, Draft, Figure, Scope, Status
from app.errors import INVALID_JSON, INVALID_REPORT, JSON_TOO_DEEP, field_message
from app.extract.values import PLACEHOLDERS, normalise
from app.layout import MAX_COUNT, TABLE_CODES, Format, Kind, layout, storable
from app.rules.naming import normalise_organ


class ReportMeta(BaseModel):
    """The fields of a JSON report beside its tables."""

    model_config = ConfigDict(extra="forbid")

    organ: StrictStr = Field(min_length=1, max_length=200, description="发布机关全称")
    year: StrictInt = Field(ge=2008, le=2100, description="报告年度")
    format: Format = Field(description="表格格式：2021（国办公开办函〔2021〕30号）或 2019")
    region_code: StrictStr | None = Field(default=None, pattern=r"^\d{6}(\d{3}(\d{3})?)?$")
    scope: Scope | None = Field(default=None, description="本机关 或 汇总（全市/全县等）")
    published_on: date | None = None
    signed_on: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    title: StrictStr | None = Field(default=None, max_length=500)
    narrative: StrictStr = Field(default="", max_length=200_000, description="正文（表格以外的文字），可省略")
    table2: dict[str, dict[str, Any]] = Field(default_factory=dict)
    table3: dict[str, dict[str, Any]] = Field(default_factory=dict)
    table4: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("organ")
    @classmethod
    def _printable_name(cls, organ: str) -> str:
        """A name is printed text: a control character (NUL, BEL, …) in it is refused, not kept."""
        if any(unicodedata.category(ch) == "Cc" and not ch.isspace() for ch in organ):
            raise ValueError("机关名称含控制字符（如 NUL），请删除后再提交")
        if not normalise_organ(organ):
            raise ValueError("机关名称不能只有空白或不可见字符")
        return organ


def _has_nul(value: Any) -> bool:
    """Whether any string of a decoded JSON value, key or value, holds NUL (which PostgreSQL cannot
    store, and no report prints)."""
    level = [value]
    while level:
        strings = [v for v in level if isinstance(v, str)]
        if any("\x00" in v for v in strings):
            return True
        level = [
            child
            for c in level
            if isinstance(c, dict | list)
            for child in ([*c.keys(), *c.values()] if isinstance(c, dict) else c)
        ]
    return False


def _depth(value: Any) -> int:
    """How deep a decoded JSON value nests containers, counted level by level (no recursion)."""
    depth, level = 0, [value]
    while containers := [v for v in level if isinstance(v, dict | list)]:
        depth += 1
        level = [child for c in containers for child in (c.values() if isinstance(c, dict) else c)]
    return depth


def _reject_constant(name: str) -> None:
    raise ValueError(name)


def load_json(data: bytes, max_depth: int) -> Any:
    too_deep = JSON_TOO_DEEP(f"JSON 嵌套超过 {max_depth} 层，不是年度报告的结构")
    try:
        value = json.loads(data, parse_float=Decimal, parse_constant=_reject_constant)
    except RecursionError:
        raise too_deep from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise INVALID_JSON(f"JSON 格式有误，无法解析：{type(exc).__name__}") from None
    if _depth(value) > max_depth:
        raise too_deep
    if _has_nul(value):
        raise INVALID_JSON("JSON 的文字中含有 NUL 字符（\\u0000），请删除后再提交")
    return value


def _path(*parts: object) -> str:
    return ".".join(str(p) for p in parts)


# Written in a portal's cell to mean "nothing here": a blank cell, its text kept as its raw text.
BLANK_TEXTS = PLACEHOLDERS | {"", "N/A", "n/a", "NA", "na", "—", "——"}


def figure_from_json(raw: Any, kind: Kind) -> Figure | str:
    """The figure a JSON value gives, or what is wrong with it (the caller adds the path).

    Lenient as a portal's form would be: a number given as text, 100.0 for the count 100, "/"
    for a blank. A number that is no valid figure (2.5 or -1 as a count, 1e400) is kept as given
    for the VALUE rule to report at its cell; only what is no number at all is refused."""
    if raw is None:
        return Figure(None, Status.BLANK)
    if isinstance(raw, str):
        text = normalise(raw)
        if text in BLANK_TEXTS:
            return Figure(None, Status.BLANK, raw=raw)
        try:
            number: int | Decimal = Decimal(text.replace(",", ""))
        except InvalidOperation:
            return f"“{raw[:50]}”不是数字"
    elif isinstance(raw, bool) or not isinstance(raw, int | Decimal):
        return "应为数字、数字字符串或 null" if kind is Kind.MONEY else "件数应为整数"
    else:
        number = raw
    if isinstance(number, Decimal):
        if not number.is_finite():
            return "应为有限数"
        if kind is not Kind.MONEY and number == number.to_integral_value():
            number = int(number)
    else:
        number = Decimal(number) if kind is Kind.MONEY else number
    exact = storable(kind, number) and (type(raw) is int or kind is Kind.MONEY)
    return Figure(number, raw=None if exact else str(raw))


def _tables(meta: ReportMeta, errors: list[dict]) -> tuple[bool, dict]:
    """Check the tables against their layout; return whether （六） is one row, and the figures."""
    single_other = meta.format is Format.F2021 and "result.other" in meta.table3
    if single_other and any(code.startswith("result.other.") for code in meta.table3):
        errors.append(
            {
                "path": "table3.result.other",
                "message": "“（六）其他处理”不能既作为一行又分为三行",
            }
        )
    lay = layout(meta.format, single_other)
    other_rows = {
        t.code: {r.code for r in t.rows}
        for t in layout(Format.F2019 if meta.format is Format.F2021 else Format.F2021).tables
    }
    figures: dict = {}
    money = Kind.MONEY
    for table_code in TABLE_CODES:
        given: dict[str, dict[str, Any]] = getattr(meta, table_code)
        table = lay.table(table_code)
        for row_code, columns in given.items():
            row = table.row(row_code)
            if row is None:
                note = (
                    f"该行属于 {'2019' if meta.format is Format.F2021 else '2021'} 年格式，"
                    f"与 format={meta.format.value} 不符"
                    if row_code in other_rows[table_code]
                    else "未知的行代码"
                )
                errors.append({"path": _path(table_code, row_code), "message": note})
                continue
            kinds = row.column_kinds
            for column_code, raw in columns.items():
                kind = kinds.get(column_code)
                if type(raw) is int and kind is not None and kind is not money and 0 <= raw < MAX_COUNT:
                    # nearly every cell
                    figures[(table_code, row_code, column_code)] = Figure(raw)
                    continue
                figure = "未知的列代码" if kind is None else figure_from_json(raw, kind)
                if isinstance(figure, str):
                    errors.append({"path": _path(table_code, row_code, column_code), "message": figure})
                else:
                    figures[(table_code, row_code, column_code)] = figure
    return single_other, figures


def parse_report(data: Any) -> Draft:
    """A decoded JSON value to a draft; 422 naming every wrong path."""
    if not isinstance(data, dict):
        raise INVALID_REPORT("请求体应为一个 JSON 对象（一份年度报告）")
    try:
        meta = ReportMeta.model_validate(data)
    except ValidationError as exc:
        wrong = [
            {"path": _path(*err["loc"]), "message": field_message(dict(err))}
            for err in exc.errors(include_url=False)
        ]
        raise INVALID_REPORT("年度报告的字段有误，请按 errors 逐项改正", wrong) from None
    errors: list[dict] = []
    single_other, figures = _tables(meta, errors)
    if errors:
        raise INVALID_REPORT("年度报告的表格有误，请按 errors 逐项改正", errors)
    fields = meta.model_dump(include=set(REPORT_FIELDS)) | {"organ": meta.organ.strip()}
    return Draft(**fields, figures=figures, single_other_row=single_other, narrative=meta.narrative)

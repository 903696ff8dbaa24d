"""The two official table layouts, keyed by the canonical codes of every figure.

Everything else (the JSON model, the parser, the rules, the database) names figures through
these codes, so a layout is described once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cache, cached_property


class Format(StrEnum):
    F2021 = "2021"
    F2019 = "2019"


class Kind(StrEnum):
    COUNT = "count"  # non-negative integer
    SIGNED = "signed"  # integer that may be negative (2019 本年增/减)
    MONEY = "money"  # non-negative decimal


# What the figure column (NUMERIC(20, 6)) holds exactly; beyond it a value would be rounded or
# refused, so it is a VALUE error and stored as its raw text only.
MAX_COUNT = 10**15
MONEY_DIGITS, MONEY_SCALE = 20, 6


def storable(kind: Kind, value: int | Decimal) -> bool:
    """Whether the figure column keeps this value exactly: a whole count below 10^15, an amount
    with at most six decimals below 10^14."""
    if kind is Kind.MONEY:
        if isinstance(value, int):
            return abs(value) < 10 ** (MONEY_DIGITS - MONEY_SCALE)
        if not value.is_finite():
            return False
        exponent = value.normalize().as_tuple().exponent  # "1.50" has two decimals, needs one
        return (
            isinstance(exponent, int)
            and exponent >= -MONEY_SCALE
            and abs(value) < 10 ** (MONEY_DIGITS - MONEY_SCALE)
        )
    return isinstance(value, int) and -MAX_COUNT < value < MAX_COUNT


@dataclass(frozen=True)
class Row:
    code: str
    label: str  # as the official template prints it
    columns: tuple[tuple[str, str, Kind], ...]  # (code, label, kind)

    @cached_property
    def column_codes(self) -> tuple[str, ...]:
        return tuple(code for code, _, _ in self.columns)

    @cached_property
    def column_labels(self) -> dict[str, str]:
        return {code: label for code, label, _ in self.columns}

    @cached_property
    def column_kinds(self) -> dict[str, Kind]:
        return {code: kind for code, _, kind in self.columns}


@dataclass(frozen=True)
class Table:
    code: str
    title: str
    rows: tuple[Row, ...]

    def row(self, code: str) -> Row | None:
        return self._rows_by_code.get(code)

    @cached_property
    def _rows_by_code(self) -> dict[str, Row]:
        return {r.code: r for r in self.rows}


@dataclass(frozen=True)
class Layout:
    format: Format
    tables: tuple[Table, ...]

    def table(self, code: str) -> Table:
        return self._tables_by_code[code]

    @cached_property
    def _tables_by_code(self) -> dict[str, Table]:
        return {t.code: t for t in self.tables}

    @cached_property
    def cells(self) -> tuple[tuple[str, str, str], ...]:
        """Every figure of the layout as (table, row, column), in reading order."""
        return tuple((t.code, r.code, c) for t in self.tables for r in t.rows for c in r.column_codes)

    @cached_property
    def positions(self) -> dict[tuple[str, str, str], int]:
        """Where each figure stands in `cells`: the rules address figures by position."""
        return {key: i for i, key in enumerate(self.cells)}

    @cached_property
    def kinds(self) -> dict[tuple[str, str, str], Kind]:
        """The kind of every figure, by (table, row, column)."""
        return {(t.code, r.code, c): kind for t in self.tables for r in t.rows for c, _, kind in r.columns}

    @cached_property
    def cell_kinds(self) -> tuple[Kind, ...]:
        """The kind of every figure, in reading order (as `cells`)."""
        return tuple(self.kinds[cell] for cell in self.cells)

    def kind(self, table: str, row: str, column: str) -> Kind | None:
        return self.kinds.get((table, row, column))


TABLE_CODES = ("table2", "table3", "table4")
# Table 二 is printed as one sub-table per item of 条例 第二十条; these rows open one.
T2_SECTIONS = {
    "regulations": "第二十条第（一）项",
    "licensing": "第二十条第（五）项",
    "penalty": "第二十条第（六）项",
    "fees": "第二十条第（八）项",
    "centralized_procurement": "第二十条第（九）项",
}

C = Kind.COUNT

# ---- table 二 -------------------------------------------------------------------------------
_DOCS_2021 = (("issued", "本年制发件数", C), ("repealed", "本年废止件数", C), ("in_force", "现行有效件数", C))
_DECISIONS = (("decisions", "本年处理决定数量", C),)

TABLE2_2021 = Table(
    "table2",
    "二、主动公开政府信息情况",
    (
        Row("regulations", "规章", _DOCS_2021),
        Row("normative_documents", "行政规范性文件", _DOCS_2021),
        Row("licensing", "行政许可", _DECISIONS),
        Row("penalty", "行政处罚", _DECISIONS),
        Row("coercion", "行政强制", _DECISIONS),
        Row("fees", "行政事业性收费", (("amount_10k_yuan", "本年收费金额（单位：万元）", Kind.MONEY),)),
    ),
)

_DOCS_2019 = (
    ("newly_made", "本年新制作数量", C),
    ("newly_published", "本年新公开数量", C),
    ("total_published", "对外公开总数量", C),
)
_ITEMS_2019 = (
    ("items_last_year", "上一年项目数量", C),
    ("change", "本年增/减", Kind.SIGNED),
    ("decisions", "处理决定数量", C),
)

TABLE2_2019 = Table(
    "table2",
    "二、主动公开政府信息情况",
    (
        Row("regulations", "规章", _DOCS_2019),
        Row("normative_documents", "规范性文件", _DOCS_2019),
        Row("licensing", "行政许可", _ITEMS_2019),
        Row("other_management_services", "其他对外管理服务事项", _ITEMS_2019),
        Row("penalty", "行政处罚", _ITEMS_2019),
        Row("coercion", "行政强制", _ITEMS_2019),
        Row("fees", "行政事业性收费", _ITEMS_2019[:2]),
        Row(
            "centralized_procurement",
            "政府集中采购",
            (("items", "采购项目数量", C), ("amount", "采购总金额", Kind.MONEY)),
        ),
    ),
)

# ---- table 三 -------------------------------------------------------------------------------
APPLICANT_PARTS = (
    ("natural_person", "自然人", C),
    ("commercial_enterprise", "商业企业", C),
    ("research_institution", "科研机构", C),
    ("social_welfare_org", "社会公益组织", C),
    ("legal_service_agency", "法律服务机构", C),
    ("other_org", "其他", C),
)
APPLICANT_COLUMNS = (*APPLICANT_PARTS, ("total", "总计", C))
APPLICANT_PART_CODES = tuple(code for code, _, _ in APPLICANT_PARTS)
APPLICANT_COLUMN_CODES = tuple(code for code, _, _ in APPLICANT_COLUMNS)

_T3_HEAD = (
    ("new_received", "一、本年新收政府信息公开申请数量"),
    ("carried_over", "二、上年结转政府信息公开申请数量"),
    ("result.disclosed", "（一）予以公开"),
    ("result.partially_disclosed", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("result.withheld.state_secret", "（三）不予公开 1.属于国家秘密"),
    ("result.withheld.prohibited_by_law", "2.其他法律行政法规禁止公开"),
    ("result.withheld.three_security_one_stability", "3.危及“三安全一稳定”"),
    ("result.withheld.third_party_rights", "4.保护第三方合法权益"),
    ("result.withheld.internal_affairs", "5.属于三类内部事务信息"),
    ("result.withheld.process_info", "6.属于四类过程性信息"),
    ("result.withheld.enforcement_file", "7.属于行政执法案卷"),
    ("result.withheld.administrative_query", "8.属于行政查询事项"),
    ("result.unable.not_held", "（四）无法提供 1.本机关不掌握相关政府信息"),
    ("result.unable.needs_creation", "2.没有现成信息需要另行制作"),
    ("result.unable.unclear_after_correction", "3.补正后申请内容仍不明确"),
    ("result.not_processed.complaint", "（五）不予处理 1.信访举报投诉类申请"),
    ("result.not_processed.repeated", "2.重复申请"),
    ("result.not_processed.publication", "3.要求提供公开出版物"),
    ("result.not_processed.excessive", "4.无正当理由大量反复申请"),
    ("result.not_processed.confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息"),
)
_T3_OTHER_2021 = (
    (
        "result.other.no_correction",
        "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    ("result.other.unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("result.other.other", "3.其他"),
)
_T3_OTHER_2019 = (("result.other", "（六）其他处理"),)
_T3_TAIL = (("result.total", "（七）总计"), ("carried_to_next_year", "四、结转下年度继续办理"))


def _table3(other: tuple[tuple[str, str], ...]) -> Table:
    rows = (*_T3_HEAD, *other, *_T3_TAIL)
    return Table(
        "table3",
        "三、收到和处理政府信息公开申请情况",
        tuple(Row(code, label, APPLICANT_COLUMNS) for code, label in rows),
    )


TABLE3_2021 = _table3(_T3_OTHER_2021)
TABLE3_2019 = _table3(_T3_OTHER_2019)
# A 2021 report that still prints （六）其他处理 as one row (a mixed layout the service accepts).
TABLE3_2021_SINGLE_OTHER = TABLE3_2019

# ---- table 四 -------------------------------------------------------------------------------
T4_COLUMNS = (
    ("upheld", "结果维持", C),
    ("corrected", "结果纠正", C),
    ("other", "其他结果", C),
    ("pending", "尚未审结", C),
    ("total", "总计", C),
)
T4_PART_CODES = ("upheld", "corrected", "other", "pending")
TABLE4 = Table(
    "table4",
    "四、政府信息公开行政复议、行政诉讼情况",
    (
        Row("reconsideration", "行政复议", T4_COLUMNS),
        Row("litigation_direct", "行政诉讼（未经复议直接起诉）", T4_COLUMNS),
        Row("litigation_after_reconsideration", "行政诉讼（复议后起诉）", T4_COLUMNS),
    ),
)


@cache
def layout(fmt: Format | str, single_other_row: bool = False) -> Layout:
    """The layout of a format; `single_other_row` is the mixed 2021 layout with one （六） row."""
    fmt = Format(fmt)
    if fmt is Format.F2019:
        return Layout(fmt, (TABLE2_2019, TABLE3_2019, TABLE4))
    table3 = TABLE3_2021_SINGLE_OTHER if single_other_row else TABLE3_2021
    return Layout(fmt, (TABLE2_2021, table3, TABLE4))


def result_item_rows(table3: Table) -> tuple[str, ...]:
    """The rows summed into （七）总计: every result.* row but the total itself."""
    return tuple(r.code for r in table3.rows if r.code.startswith("result.") and r.code != "result.total")


def cell_code(table: str, row: str, column: str) -> str:
    return f"{table}.{row}.{column}"

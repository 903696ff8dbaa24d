"""Sums of figures by region and year, in SQL over the figure rows of the latest reports.

Counting rules:
- only the latest version of each body's report for a year counts;
- a 汇总 report (scope 汇总: a whole city's or county's figures) is never added to the reports of
  the bodies it covers: by default only the bodies' own reports are summed (`scope=body`), and
  `scope=area` sums the 汇总 reports alone;
- a blank figure (blank, missing, unreadable) is not summed as 0: each value comes with the
  number of reports in its group that left it blank;
- a figure VALUE found impossible (a negative count, a fraction, an impossible amount) is left out
  of the sum and counted as `invalid`; `flagged` counts the reports with any error finding that
  reads the figure (it is still summed unless invalid);
- grouped by region, a report counts under its ancestor at the level asked for; reports placed
  above that level (a county's own report when grouping by township) or not placed at all are
  left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from app.draft import Scope
from app.errors import ProblemError
from app.layout import TABLE_CODES, Format, Kind, cell_code, layout
from app.models.aggregates import AggregateResult, AggregateRow, FigureInfo, RegionInRow
from app.models.regions import RegionRef
from app.models.tables import FigureFlag, FigureRow, Report
from app.rules.cells import CELL_IDS
from app.services import scope as scoping
from app.services.gazetteer import GEO_LEVELS, PATH_COLUMNS, XPCC_LEVELS, gazetteer
from app.services.scope import RegionScope

MAX_FIGURES = 250
SCOPES = ("body", "area")


@dataclass(frozen=True)
class Cell:
    table: str
    row: str
    column: str
    label: str  # zh, for headers
    kind: Kind

    @property
    def code(self) -> str:
        return cell_code(self.table, self.row, self.column)

    @property
    def number(self) -> int:
        return CELL_IDS[(self.table, self.row, self.column)]


@cache
def known_cells() -> dict[str, Cell]:
    """Every figure of every layout by its code; the 2021 labels win where both layouts have it."""
    found: dict[str, Cell] = {}
    for lay in (layout(Format.F2019), layout(Format.F2021, True), layout(Format.F2021)):
        for table in lay.tables:
            for row in table.rows:
                for column, column_label, kind in row.columns:
                    label = f"{table.title}·{row.label}" + (
                        f"·{column_label}" if len(row.columns) > 1 else ""
                    )
                    found[cell_code(table.code, row.code, column)] = Cell(
                        table.code, row.code, column, label, kind
                    )
    return found


def parse_figures(text: str) -> list[Cell]:
    """`table3.new_received.total,table4.reconsideration.total`; a bare `table3` is all of it."""
    cells = known_cells()
    chosen: list[Cell] = []
    for token in filter(None, (t.strip() for t in text.split(","))):
        if token in TABLE_CODES:
            chosen += [cells[cell_code(*c)] for c in layout(Format.F2021).cells if c[0] == token]
        elif token in cells:
            chosen.append(cells[token])
        else:
            raise ProblemError(
                422, "unknown_figure", f"没有代码为 {token} 的数字，代码形如 table3.new_received.total"
            )
    unique = list(dict.fromkeys(chosen))
    if not unique:
        raise ProblemError(422, "no_figures", "请在 figures 中给出至少一个数字的代码")
    if len(unique) > MAX_FIGURES:
        raise ProblemError(422, "too_many_figures", f"一次最多汇总 {MAX_FIGURES} 个数字")
    return unique


def level_column(tree: str, level: str) -> Any:
    levels = XPCC_LEVELS if tree == "xpcc" else GEO_LEVELS
    if level not in levels:
        raise ProblemError(
            422, "unknown_level", f"{'兵团树' if tree == 'xpcc' else '地理树'}的层级只有：{'、'.join(levels)}"
        )
    return getattr(Report, PATH_COLUMNS[level])


def region_filter(tree: str, region: str | None) -> tuple[Any, str | None]:
    """(a WHERE clause on the report's path column, the region's level), or (None, None)."""
    if not region:
        return None, None
    found = gazetteer().get(region)
    if found is None or not found.in_tree(tree):
        raise ProblemError(
            422, "unknown_region", f"{'兵团树' if tree == 'xpcc' else '地理树'}上没有代码为 {region} 的地区"
        )
    level = found.level_in(tree)
    return level_column(tree, level) == found.code, level


@dataclass(frozen=True)
class Selection:
    """Which latest reports a sum, a list of findings or a coverage reads: those in the caller's
    scope (`within`), under a region of a tree, of a year or a range of years; the bodies' own
    (`body`), the 汇总 ones (`area`) or both (`all`)."""

    within: RegionScope
    tree: str = "geo"
    region: str | None = None
    year: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    scope: str = "body"


def report_filters(selection: Selection) -> tuple[list[Any], str | None]:
    """The WHERE clauses every aggregate and coverage query shares, the caller's scope first."""
    where: list[Any] = [Report.is_latest]
    visible = scoping.clause(selection.within)
    if visible is not None:
        where.append(visible)
    if selection.scope == "area":
        where.append(col(Report.scope) == Scope.AREA.value)
    elif selection.scope == "body":
        where.append(or_(col(Report.scope).is_(None), col(Report.scope) != Scope.AREA.value))
    if selection.year is not None:
        where.append(Report.year == selection.year)
    if selection.year_from is not None:
        where.append(Report.year >= selection.year_from)  # type: ignore[operator]
    if selection.year_to is not None:
        where.append(Report.year <= selection.year_to)  # type: ignore[operator]
    clause, level = region_filter(selection.tree, selection.region)
    if clause is not None:
        where.append(clause)
    return where, level


def cell_filter(figures: list[Cell], column: Any = None) -> Any:
    """The WHERE clause picking the figure rows of the given cells.

    Cells close together in the numbering (a table's rows, a row's columns) are picked as one
    range, which the planner estimates well and PostgreSQL reads from each report's key in one
    pass; sums of cells in the range that were not asked for are dropped. An IN list there is
    misestimated into scanning those cells nationwide. Cells far apart are picked by a list."""
    column = col(FigureRow.cell_id) if column is None else column
    numbers = sorted(c.number for c in figures)
    if len(numbers) == 1:
        return column == numbers[0]
    if numbers[-1] - numbers[0] < 2 * len(numbers):
        return column.between(numbers[0], numbers[-1])
    return column.in_(numbers)


def _below(tree: str, level: str | None) -> str:
    levels = XPCC_LEVELS if tree == "xpcc" else GEO_LEVELS
    if level is None:
        return levels[0] if tree == "geo" else levels[1]
    return levels[min(levels.index(level) + 1, len(levels) - 1)]


def _value(cell: Cell, total: Decimal | None) -> int | str | None:
    if total is None:
        return None
    if cell.kind is Kind.MONEY:
        text = format(total.normalize(), "f")
        return text
    return int(total)


@lru_cache(maxsize=65_536)
def region_ref(code: str, tree: str) -> RegionInRow:
    """A region with its path, as a row names it (cached: the gazetteer does not change)."""
    gaz = gazetteer()
    region = gaz.get(code)
    if region is None:
        return RegionInRow(code=code, name=code, path=[])
    path = [
        RegionRef(code=r.code, name=r.name_in(tree), level=r.level_in(tree)) for r in gaz.path(code, tree)
    ]
    return RegionInRow(code=code, name=region.name_in(tree), path=path)


def _flags_query(keys: list[Any], where: list[Any], figures: list[Cell]) -> Any:
    """Per group and cell: reports with an error finding on the figure, how many of those found it
    impossible, and the sum and count of the impossible values (to take out of the sums)."""
    invalid = col(FigureFlag.invalid)
    query = (
        select(  # type: ignore[call-overload]
            *keys,
            col(FigureFlag.cell_id),
            func.count(),
            func.sum(case((invalid, 1), else_=0)),
            func.sum(case((invalid, FigureRow.value), else_=None)),
            func.count(case((invalid, FigureRow.value), else_=None)),
        )
        .select_from(FigureFlag)
        .join(Report, Report.id == FigureFlag.report_id)
        .outerjoin(
            FigureRow,
            and_(
                col(FigureRow.report_id) == col(FigureFlag.report_id),
                col(FigureRow.cell_id) == col(FigureFlag.cell_id),
            ),
        )
        .where(*where, cell_filter(figures, col(FigureFlag.cell_id)))
    )
    return query.group_by(*keys, col(FigureFlag.cell_id))


def aggregate(
    *,
    session: Session,
    figures: list[Cell],
    group_by: list[str],
    selection: Selection,
    region_level: str | None = None,
    with_total: bool = False,
) -> AggregateResult:
    """Sums of the figures per group: GROUP BY queries over reports, figures and flags; only the
    reports in the caller's scope count. With `with_total`, the same sums over the whole scope
    (the 合计 a page and a download show)."""
    where, filter_level = report_filters(selection)
    tree = selection.tree
    keys: list[Any] = []
    level = None
    if "region" in group_by:
        level = region_level or _below(tree, filter_level)
        group_column = level_column(tree, level)
        keys.append(group_column)
        where.append(group_column.is_not(None))
    if "year" in group_by:
        keys.append(Report.year)
    n_keys = len(keys)

    reports_query = select(  # type: ignore[call-overload]
        *keys, func.count(), func.sum(case((col(Report.errors) > 0, 1), else_=0))
    ).where(*where)
    # one figure: its cell is fixed by the WHERE clause, so the groups are the keys alone
    cell_columns = [] if len(figures) == 1 else [FigureRow.cell_id]
    figures_query = (
        select(  # type: ignore[call-overload]
            *keys, *cell_columns, func.sum(col(FigureRow.value)), func.count(col(FigureRow.value))
        )
        .join(Report, Report.id == FigureRow.report_id)
        .where(*where, cell_filter(figures))
    )
    if keys or cell_columns:
        figures_query = figures_query.group_by(*keys, *cell_columns)
    flags_query = _flags_query(keys, where, figures)
    if keys:
        reports_query = reports_query.group_by(*keys)

    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # The driver prepares a statement run often, and the server may then plan it once for any
        # year or region, which suits these GROUP BYs badly; JIT compiling them costs more than it
        # saves; their sorts and hashes stay in memory.
        connection.exec_driver_sql(
            "SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL jit = off; SET LOCAL work_mem = '32MB'"
        )
    groups: dict[tuple, dict] = {}
    for row in connection.execute(reports_query):
        groups[tuple(row[:n_keys])] = {
            "reports": row[n_keys],
            "errors": int(row[n_keys + 1] or 0),
            "sums": {},
        }
    only = figures[0].number
    for row in connection.execute(figures_query):
        key = tuple(row[:n_keys])
        number = row[n_keys] if cell_columns else only
        if key in groups:
            groups[key]["sums"][number] = tuple(row[-2:])
    for row in connection.execute(flags_query):
        key = tuple(row[:n_keys])
        if key in groups:
            groups[key].setdefault("flags", {})[row[n_keys]] = tuple(row[n_keys + 1 :])

    keyed = [(c.number, c.code, c) for c in figures]
    names = ["region", "year"] if "region" in group_by else ["year"]
    rows = []
    for key in sorted(groups, key=lambda k: tuple((v is None, v) for v in k)):
        found = groups[key]
        values: dict[str, int | str | None] = {}
        blanks: dict[str, int] = {}
        invalid: dict[str, int] = {}
        flagged: dict[str, int] = {}
        flags = found.get("flags", {})
        for number, code, cell_of_key in keyed:
            total, counted = found["sums"].get(number, (None, 0))
            n_flagged, n_invalid, bad_sum, bad_counted = flags.get(number, (0, 0, None, 0))
            if bad_counted:  # impossible values are not summed
                total, counted = total - bad_sum, counted - bad_counted
                blanks[code] = found["reports"] - counted - bad_counted
            else:
                blanks[code] = found["reports"] - counted
            values[code] = _value(cell_of_key, total if counted else None)
            invalid[code] = int(n_invalid or 0)
            flagged[code] = int(n_flagged or 0)
        fields: dict[str, Any] = dict(zip(names, key, strict=False))
        if "region" in fields:
            fields["region"] = region_ref(fields["region"], tree)
        rows.append(
            AggregateRow.model_construct(  # trusted values: no validation per row
                **fields,
                reports=found["reports"],
                reports_with_errors=found["errors"],
                values=values,
                blanks=blanks,
                invalid=invalid,
                flagged=flagged,
            )
        )
    extra: dict[str, Any] = {}
    if with_total and keys:
        whole = aggregate(session=session, figures=figures, group_by=[], selection=selection)
        extra["total"] = whole.rows[0] if whole.rows else None
    return AggregateResult(
        tree=tree,
        region_level=level,
        scope=selection.scope,
        figures=[FigureInfo(code=c.code, label=c.label, kind=c.kind.value) for c in figures],
        rows=rows,
        **extra,
    )

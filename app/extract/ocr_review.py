"""What OCR read, weighed: a figure is trusted only as far as its confidence and the 勾稽 relations go.

Runs over the draft the layout parser made from OCR lines (each figure carries the confidence
of its cell). A confident reading keeps its value with the status `ocr`. A doubtful one — below
the threshold, or digits with letters OCR confuses (0/O/D/C, 1/l/I, 5/S, 8/B) — keeps its value
only when a relation it enters, with all its other cells known, holds with it (status
`inferred`); otherwise it becomes `unreadable` and a finding names the cells to check
by eye. On a page OCR read poorly overall, no reading stands on its confidence alone. So a scan
never yields a wrong figure reported as read.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import median

from app.draft import CellKey, Draft, Figure, Finding, Location, Status, Value
from app.extract.values import CONFUSED_DIGITS
from app.layout import Kind, cell_code
from app.rules.catalogue import RULES_BY_ID
from app.rules.naming import fmt_value
from app.rules.registry import evaluates
from app.rules.relations import Relation, relations

_TABLE_NAMES = {"table2": "表二", "table3": "表三", "table4": "表四"}


def _repaired(raw: str | None) -> int | None:
    """ "1O" → 10, "S" → 5: the reading with OCR's letter-for-digit confusions undone."""
    text = "".join((raw or "").split()).translate(CONFUSED_DIGITS)
    return int(text) if text.isdigit() and len(text) <= 9 else None


def _label(draft: Draft, key: CellKey) -> str:
    table, row_code, column = key
    row = draft.layout.table(table).row(row_code)
    if row is None:
        return cell_code(*key)
    label = row.label.split("（区分处理")[0]
    if len(row.columns) == 1:
        return f"{_TABLE_NAMES[table]}“{label}”"
    column_label = next(text for code, text, _ in row.columns if code == column)
    return f"{_TABLE_NAMES[table]}“{label}”·{column_label}"


def _holds(relation: Relation, values: dict[CellKey, Value | None]) -> bool | None:
    """Whether the relation holds; None when one of its cells is unknown."""
    cells = relation.left + relation.right
    if any(values.get(key) is None for key in cells):
        return None
    left = sum(values[key] for key in relation.left)  # type: ignore[misc]
    return left == sum(values[key] for key in relation.right)  # type: ignore[misc]


JOINT_FLOOR = 0.6  # a reading this unsure or worse is confirmed only with every other cell known


def confirmed(
    candidates: dict[CellKey, Value],
    values: dict[CellKey, Value | None],
    all_relations: tuple[Relation, ...],
    confidence: dict[CellKey, float] | None = None,
) -> dict[CellKey, Value]:
    """The candidate readings the relations confirm.

    A reading stands when a relation whose other cells are all known holds with it: a wrong
    reading could only satisfy it if another cell of the same relation were misread to
    compensate. (A relation that fails may fail for the document's own error, as when a total
    row is doubled, so it does not veto.) Several readings of one relation, none of them
    below JOINT_FLOOR, stand together when the relation holds with them all: a row of zeros
    read a little unsurely. Confirmed readings become known in turn, so a chain of doubtful
    cells settles one by one."""
    known = dict(values)
    confidence = confidence or {}
    by_cell: dict[CellKey, list[Relation]] = defaultdict(list)
    for relation in all_relations:
        for key in relation.left + relation.right:
            by_cell[key].append(relation)
    settled: dict[CellKey, Value] = {}
    changed = True
    while changed:
        changed = False
        for key, value in candidates.items():
            if key in settled:
                continue
            trial = {**known, key: value}
            if any(_holds(relation, trial) for relation in by_cell[key]):
                settled[key] = known[key] = value
                changed = True
        if changed:
            continue
        for relation in all_relations:
            open_cells = [key for key in relation.left + relation.right if known.get(key) is None]
            if len(open_cells) < 2 or any(
                key not in candidates or confidence.get(key, 0.0) < JOINT_FLOOR for key in open_cells
            ):
                continue
            if _holds(relation, {**known, **{key: candidates[key] for key in open_cells}}):
                for key in open_cells:
                    settled[key] = known[key] = candidates[key]
                changed = True
    return settled


PAGE_FLOOR = 0.85  # a page whose figures OCR read with a median confidence below this is poor


def _poor_pages(draft: Draft) -> set[int | None]:
    """Pages OCR struggled with (out of focus, smudged): there a digit can vanish from a figure
    ("39" read as a confident "9"), so no reading is taken on its confidence alone."""
    by_page: dict[int | None, list[float]] = defaultdict(list)
    for figure in draft.figures.values():
        if figure.confidence is not None:
            by_page[figure.page].append(figure.confidence)
    return {page for page, values in by_page.items() if median(values) < PAGE_FLOOR}


@evaluates("ocr")
def review(draft: Draft, *, threshold: float) -> Draft:
    """Status, value and findings of every figure OCR read (see the module's docstring)."""
    candidates: dict[CellKey, Value] = {}
    poor = _poor_pages(draft)
    for key, figure in draft.figures.items():
        if figure.confidence is None:
            continue
        kind = draft.layout.kind(*key)
        if figure.status is Status.READ and figure.confidence >= threshold and figure.page not in poor:
            figure.status = Status.OCR
        elif figure.status is Status.READ and figure.value is not None:
            candidates[key] = figure.value
        elif figure.status is Status.UNREADABLE and kind is not Kind.MONEY:
            repaired = _repaired(figure.raw)
            if repaired is not None:
                candidates[key] = repaired
    for key in candidates:
        draft.figures[key].value = None
    values = {key: figure.value for key, figure in draft.figures.items()}
    confidence = {key: draft.figures[key].confidence or 0.0 for key in candidates}
    settled = confirmed(candidates, values, relations(draft.format, draft.single_other_row), confidence)
    doubtful: dict[int | None, list[CellKey]] = defaultdict(list)
    inferred: dict[int | None, list[CellKey]] = defaultdict(list)
    for key in candidates:
        figure = draft.figures[key]
        if key in settled:
            figure.value, figure.status = settled[key], Status.INFERRED
            inferred[figure.page].append(key)
        else:
            figure.status = Status.UNREADABLE
            doubtful[figure.page].append(key)
    for page, keys in sorted(doubtful.items(), key=lambda item: item[0] or 0):
        draft.extraction_findings.append(_doubtful(draft, page, keys, threshold))
    for page, keys in sorted(inferred.items(), key=lambda item: item[0] or 0):
        draft.extraction_findings.append(_inferred(draft, page, keys))
    return draft


def _reading(figure: Figure) -> str:
    confidence = f"，置信度 {figure.confidence:.2f}" if figure.confidence is not None else ""
    return f"识别为“{figure.raw}”{confidence}"


def _ocr_finding(case: str, page: int | None, keys: list[CellKey], **fields: object) -> Finding:
    """OCR's finding on the doubtful (or confirmed) readings of one page."""
    rule = RULES_BY_ID["OCR"]
    fields |= {"where": f"扫描件第 {page} 页" if page else "扫描件", "count": len(keys), "page": page}
    return rule.finding(
        case,
        fields,
        location=_location(keys, page),
        cells=[cell_code(*key) for key in keys],
        hint=rule.hints.get(case),
    )


def _doubtful(draft: Draft, page: int | None, keys: list[CellKey], threshold: float) -> Finding:
    listed = "；".join(f"{_label(draft, key)}（{_reading(draft.figures[key])}）" for key in keys)
    return _ocr_finding("doubtful", page, keys, threshold=threshold, listed=listed)


def _inferred(draft: Draft, page: int | None, keys: list[CellKey]) -> Finding:
    listed = "；".join(
        f"{_label(draft, key)}（{_reading(draft.figures[key])}，取 {fmt_value(draft.figures[key].value)}）"
        for key in keys
    )
    return _ocr_finding("inferred", page, keys, listed=listed)


def _location(keys: list[CellKey], page: int | None) -> Location:
    first = keys[0]
    same_row = all(key[:2] == first[:2] for key in keys)
    return Location(first[0], first[1] if same_row else None, first[2] if len(keys) == 1 else None, page)

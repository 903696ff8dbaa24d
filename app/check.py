"""`nianbao check FILE…`: a report file's figures and findings on the terminal, no database."""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path
from typing import TextIO

from app.draft import Draft, Figure, Status
from app.errors import ProblemError
from app.rules.engine import validate
from app.rules.naming import fmt_value
from app.services import intake
from app.services.present import report_public

MARKS = {Status.BLANK: "空", Status.MISSING: "缺", Status.UNREADABLE: "?", Status.AMBIGUOUS: "??"}


def _cell(figure: Figure | None) -> str:
    if figure is None:
        return MARKS[Status.MISSING]
    if figure.value is None:
        return MARKS.get(figure.status, "?")
    text = fmt_value(figure.value) or ""
    return f"~{text}" if figure.status is Status.INFERRED else text


def _pad(text: str, width: int, right: bool = False) -> str:
    """Pad to a terminal width: Chinese characters take two columns."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    space = " " * max(width - used, 0)
    return space + text if right else text + space


def _print_tables(draft: Draft, out: TextIO) -> None:
    for table in draft.layout.tables:
        out.write(f"\n{table.title}\n")
        for row in table.rows:
            cells = [_cell(draft.figures.get((table.code, row.code, code))) for code in row.column_codes]
            label = _pad(row.label[:20], 42)
            out.write(f"  {label}" + "".join(_pad(c, 10, right=True) for c in cells) + "\n")


def check_file(path: Path, as_json: bool, out: TextIO) -> bool:
    """Print one file's reading and findings; True when it has no error finding."""
    draft, _ = intake.read(path.read_bytes(), path.name, is_json_body=False)
    findings = validate(draft)
    if as_json:
        out.write(report_public(draft, findings).model_dump_json(indent=2) + "\n")
    else:
        out.write(f"== {path}\n{draft.organ} {draft.year} 年度报告（{draft.format.value} 年格式）\n")
        _print_tables(draft, out)
        out.write("\n发现的问题：\n" if findings else "\n未发现问题。\n")
        for f in findings:
            where = ".".join(p for p in (f.location.table, f.location.row, f.location.column) if p)
            out.write(f"  [{f.severity.value}] {f.rule} {where}: {f.message}\n")
            if f.hint:
                out.write(f"      提示：{f.hint}\n")
    return not any(f.severity.value == "error" for f in findings)


def main(paths: list[str], as_json: bool = False, out: TextIO = sys.stdout) -> int:
    """Exit status 1 when any file has an error finding, 2 when a file cannot be read."""
    status = 0
    for name in paths:
        try:
            ok = check_file(Path(name), as_json, out)
        except ProblemError as problem:
            out.write(
                json.dumps({"file": name, "code": problem.code, "detail": problem.detail}, ensure_ascii=False)
            )
            out.write("\n")
            status = 2
            continue
        except OSError as exc:
            out.write(f"{name}: {exc.strerror}\n")
            status = 2
            continue
        if not ok and status == 0:
            status = 1
    return status

"""Every finding of the five seeds and of the generated test documents, as JSON; or two such
dumps compared.

    .venv/bin/python scripts/findings_dump.py > after.json
    .venv/bin/python scripts/findings_dump.py --diff before.json after.json

A change to the rules shows here as findings gone and findings new, per document.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.errors import ProblemError  # noqa: E402
from app.rules.engine import validate  # noqa: E402
from app.services import intake  # noqa: E402

SEEDS = ROOT / "tests" / "data" / "seeds"
EXAMPLE = ROOT / "tests" / "data" / "examples" / "report.json"
SCANS = ROOT / "tests" / "data" / "scans"
GENERATED = (
    "docx_2021",
    "docx_2021_error",
    "docx_2019",
    "docx_2021_libreoffice",
    "pdf_2021",
    "pdf_2021_error",
    "pdf_2021_footers",
    "pdf_2021_borderless",
    "html_portal",
    "html_portal_gbk",
    "seed_gb18030",
    "seed_utf16",
)


def _documents(with_pdf: bool, with_scans: bool):
    for path in sorted(SEEDS.glob("*.txt")):
        yield f"seed/{path.name}", path.read_bytes()
    yield "example/report.json", EXAMPLE.read_bytes()
    from tests.fixtures import documents

    for name in GENERATED:
        if "pdf" in name and not with_pdf:
            continue
        yield f"generated/{name}", getattr(documents, name)()
    if with_scans:
        for path in sorted(SCANS.glob("*.pdf")):
            yield f"scan/{path.name}", path.read_bytes()


def dump(with_pdf: bool, with_scans: bool) -> dict[str, list[dict] | dict]:
    out: dict[str, list[dict] | dict] = {}
    for name, data in _documents(with_pdf, with_scans):
        try:
            draft, _ = intake.read(data, name.rsplit("/", 1)[-1], is_json_body=False)
        except ProblemError as problem:
            out[name] = {"problem": problem.code, "status": problem.status}
            continue
        out[name] = [
            {
                "rule": f.rule,
                "severity": f.severity.value,
                "table": f.location.table,
                "row": f.location.row,
                "column": f.location.column,
                "reported": f.reported,
                "expected": f.expected,
                "message": f.message,
                "hint": f.hint,
            }
            for f in validate(draft)
        ]
    return out


_PLACE = ("table", "row", "column")
_VALUES = ("rule", "severity", "reported", "expected")


def _pair(old: list[dict], new: list[dict], key) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """Findings of old and new with the same key, paired in order; and those left over."""
    pairs, rest = [], list(new)
    left = []
    for f in old:
        match = next((g for g in rest if key(g) == key(f)), None)
        if match is None:
            left.append(f)
        else:
            rest.remove(match)
            pairs.append((f, match))
    return pairs, left, rest


def _place(f: dict) -> str:
    return ".".join(str(f[k]) for k in _PLACE if f[k]) or "整份报告"


def diff(before: dict, after: dict) -> str:
    """Per document: findings gone, new, moved to another cell, reworded."""
    lines = []
    totals: Counter[str] = Counter()
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, []), after.get(name, [])
        if isinstance(old, dict) or isinstance(new, dict):
            if old != new:
                lines.append(f"== {name}: {old} -> {new}")
            continue
        same, old, new = _pair(old, new, lambda f: tuple(f[k] for k in (*_VALUES, *_PLACE, "message")))
        moved, old, new = _pair(old, new, lambda f: tuple(f[k] for k in (*_VALUES, "message")))
        reworded, gone, came = _pair(old, new, lambda f: tuple(f[k] for k in (*_VALUES, *_PLACE)))
        counts = {"gone": len(gone), "new": len(came), "moved": len(moved), "reworded": len(reworded)}
        totals.update(counts)
        totals["before"] += len(same) + len(gone) + len(moved) + len(reworded)
        totals["after"] += len(same) + len(came) + len(moved) + len(reworded)
        if not any(counts.values()):
            lines.append(f"== {name}: {len(same)} findings, unchanged")
            continue
        lines.append(f"== {name}: " + ", ".join(f"{n} {what}" for what, n in counts.items() if n))
        for f in gone:
            lines.append(f"  - {f['severity']:7} {f['rule']:13} {f['message']}")
        for f in came:
            lines.append(f"  + {f['severity']:7} {f['rule']:13} {f['message']}")
        for o, n in moved:
            lines.append(f"  > {o['rule']:13} {o['message'][:40]}…: {_place(o)} -> {_place(n)}")
        for o, n in reworded:
            lines.append(f"  ~ {o['rule']:13} {o['message']}\n  {'':16}-> {n['message']}")
    lines.append(
        f"in all: {totals['before']} -> {totals['after']} findings; {totals['gone']} gone, "
        f"{totals['new']} new, {totals['moved']} moved to another cell, {totals['reworded']} reworded"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diff", nargs=2, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--no-pdf", action="store_true", help="leave out the PDFs made by LibreOffice")
    parser.add_argument("--scans", action="store_true", help="the scans too (OCR: slow)")
    args = parser.parse_args()
    if args.diff:
        before, after = (json.loads(Path(p).read_text(encoding="utf-8")) for p in args.diff)
        print(diff(before, after))
        return 0
    json.dump(dump(not args.no_pdf, args.scans), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

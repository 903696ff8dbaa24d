"""How many of the generated report variants are refused, or read with table 三 mostly missing.

    .venv/bin/python bench/refusals.py [--baseline /path/to/other/checkout] [--list]

The variants are the test suite's (tests/fixtures/variants.py): every title form in every
format, and whole portal pages on one line. Each is read with `read_document` as the API reads
an upload. "refused" counts a ProblemError (by its code); "t3 missing" a draft where fewer than
half of table 三's cells hold a figure (read, inferred or OCR); "wrong figure" one holding a
figure other than the report's (must stay 0); "meta" one whose body or year is missing or not
the report's; "date" one whose publication date is not the one the variant prints (or is any
date when it prints none). With --baseline, the same bytes are read by another checkout's `app`
too (e.g. main's), printed above ours.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HELD = {"read", "inferred", "ocr"}


def _variants() -> dict[str, tuple[bytes, dict]]:
    """Each variant's bytes and what a reader must find in it (body, year, every figure)."""
    sys.path.insert(0, str(ROOT))
    from tests.fixtures import variants

    def expected(report: dict, dated: bool) -> dict:
        figures = {
            f"{table}|{row}|{column}": str(value)
            for table in ("table2", "table3", "table4")
            for row, columns in report[table].items()
            for column, value in columns.items()
        }
        published = report["published_on"] if dated else None
        return {"organ": report["organ"], "year": report["year"], "published": published, "figures": figures}

    variants.convert_pdfs()
    found = {
        f"{name}/{fmt}": (
            variants.variant(name, fmt),
            expected(variants.FORMS[name].report, variants.FORMS[name].dated or fmt == "html"),
        )
        for name, fmt in variants.CASES
    }
    for name, (report, _) in variants.ONE_LINE.items():
        found[f"one_line_{name}/text"] = (variants.one_line_variant(name), expected(report, True))
    return found


def read_all(folder: Path) -> dict[str, str]:
    """Each variant's outcome, read by the `app` first on sys.path: refused:<code>, t3_missing,
    wrong_figure, meta, date or ok."""
    from app.errors import ProblemError
    from app.extract.pipeline import read_document
    from app.extract.sniff import sniff

    outcomes = {}
    for path in sorted(folder.glob("*.bin")):
        data, want = path.read_bytes(), json.loads(path.with_suffix(".json").read_text())
        name = path.stem.replace("__", "/")
        try:
            draft = read_document(data, sniff(data))
        except ProblemError as problem:
            outcomes[name] = f"refused:{problem.code}"
            continue
        held = {k: f for k, f in draft.figures.items() if f.value is not None and str(f.status) in HELD}
        t3 = [key for key in want["figures"] if key.startswith("table3|")]  # the layout's cells
        if sum(1 for key in t3 if tuple(key.split("|")) in held) * 2 < len(t3):
            outcomes[name] = "t3_missing"
        elif any(str(f.value) != want["figures"].get("|".join(k)) for k, f in held.items()):
            outcomes[name] = "wrong_figure"
        elif (draft.organ, draft.year) != (want["organ"], want["year"]):
            outcomes[name] = "meta"
        elif (draft.published_on.isoformat() if draft.published_on else None) != want["published"]:
            outcomes[name] = "date"
        else:
            outcomes[name] = "ok"
    return outcomes


def _summary(outcomes: dict[str, str]) -> str:
    kinds = Counter("refused" if o.startswith("refused") else o for o in outcomes.values())
    codes = Counter(o.split(":", 1)[1] for o in outcomes.values() if o.startswith("refused"))
    detail = ", ".join(f"{code} {n}" for code, n in codes.most_common())
    return (
        f"{len(outcomes)} variants: {kinds['refused']} refused ({detail or 'none'}), "
        f"{kinds['t3_missing']} with table 三 mostly missing, {kinds['wrong_figure']} with a wrong figure, "
        f"{kinds['meta']} with body or year missing or wrong, {kinds['date']} with the publication date "
        f"missing or wrong, {kinds['ok']} read in full"
    )


def _by_format(outcomes: dict[str, str]) -> list[str]:
    formats = sorted({name.split("/")[1] for name in outcomes})
    rows = []
    for fmt in formats:
        mine = [o for n, o in outcomes.items() if n.endswith(f"/{fmt}")]
        bad = sum(1 for o in mine if o != "ok")
        refused = sum(1 for o in mine if o.startswith("refused"))
        rows.append(f"  {fmt:<16} {len(mine):>3} variants, {refused:>3} refused, {bad:>3} not read in full")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", type=Path, help="another checkout whose app reads the same bytes")
    parser.add_argument("--list", action="store_true", help="print each variant that is not read")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nianbao-refusals-") as tmp:
        folder = Path(tmp)
        for name, (data, want) in _variants().items():
            (folder / f"{name.replace('/', '__')}.bin").write_bytes(data)
            (folder / f"{name.replace('/', '__')}.json").write_text(json.dumps(want, ensure_ascii=False))
        results = {"this checkout": read_all(folder)}
        if args.baseline:
            # the other checkout's app first on the path; this file's own imports are stdlib only
            code = (
                f"import sys; sys.path.insert(0, {str(args.baseline.resolve())!r}); "
                f"sys.path.insert(1, {str(ROOT / 'bench')!r}); import refusals, json, pathlib; "
                f"print(json.dumps(refusals.read_all(pathlib.Path({tmp!r}))))"
            )
            done = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=args.baseline
            )
            results = {f"baseline ({args.baseline})": json.loads(done.stdout.splitlines()[-1]), **results}
    for label, outcomes in results.items():
        print(f"{label}: {_summary(outcomes)}")
        print("\n".join(_by_format(outcomes)))
        if args.list:
            for name, outcome in outcomes.items():
                if outcome != "ok":
                    print(f"    {name}: {outcome}")


if __name__ == "__main__":
    main()

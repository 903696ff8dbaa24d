"""What the checks beyond the tables cost, beside the table rules on the same draft (a ratio).

    .venv/bin/python bench/narrative.py [--runs 51]

For each seed read from its text: "tables" is `validate` on the draft with its narrative
removed (the 勾稽 rules only); "all" is `validate` with the narrative (adds TEXT, STRUCTURE,
TIMELY); "repeat" is REPEAT against the same narrative a year earlier (the worst case: every
sentence is looked up).
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from app.extract.layout import parse  # noqa: E402
from app.extract.text import extract_text  # noqa: E402
from app.rules.engine import validate  # noqa: E402
from app.rules.narrative import check_repeat  # noqa: E402


def median_ms(func: Callable[[], object], runs: int) -> float:
    func()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=51)
    runs = parser.parse_args().runs
    print(f"{'seed':28} {'chars':>6} {'tables ms':>10} {'all ms':>8} {'ratio':>6} {'repeat ms':>10}")
    for path in sorted((ROOT / "tests" / "data" / "seeds").glob("*.txt")):
        draft = parse(extract_text(path.read_text(encoding="utf-8")))
        bare = copy.deepcopy(draft)
        bare.narrative = ""
        previous = copy.deepcopy(draft)
        previous.year = (draft.year or 2000) - 1
        tables = median_ms(lambda bare=bare: validate(bare), runs)
        full = median_ms(lambda draft=draft: validate(draft), runs)
        repeat = median_ms(lambda d=draft, p=previous: check_repeat(d, p), runs)
        print(
            f"{path.stem:28} {len(draft.narrative):>6} {tables:>10.2f} {full:>8.2f} "
            f"{full / tables:>6.2f} {repeat:>10.2f}"
        )


if __name__ == "__main__":
    main()

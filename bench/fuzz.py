"""Schemathesis against a running server, for minutes, on SQLite and on PostgreSQL: generated
requests (valid and invalid, every operation of openapi/openapi.json) must never get a 500.

    .venv/bin/python bench/fuzz.py [--db sqlite|postgresql|both] [--seconds 180]

The server runs as in production (one uvicorn process, keys enforced, the run's admin key sent
with every request). Figures: requests answered, by status class, and the server's own faults —
the answers it logged as unexpected errors, which the /gov/v1 envelope would otherwise hide
behind HTTP 200. The baseline is schemathesis's own not_a_server_error check over the same run.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from bench.server import admin_token, database, drop, serve, unexpected_errors  # noqa: E402

_SERIES = re.compile(
    r'^nianbao_http_requests_total\{method="[^"]*",route="[^"]*",status="(\d+)"\} ([0-9.e+]+)$'
)


def _answered(base: str, token: str) -> Counter:
    """Requests the server answered, by status, from its own metrics."""
    exposition = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {token}"}).text
    counts: Counter = Counter()
    for line in exposition.splitlines():
        if match := _SERIES.match(line):
            counts[int(match.group(1))] += int(float(match.group(2)))
    return counts


def run(kind: str, seconds: int) -> bool:
    workdir = tempfile.mkdtemp(prefix="nianbao-fuzz-")
    url = database(kind, workdir, f"nianbao_fuzz_{os.getpid()}")
    try:
        with serve(url, workdir) as server:
            token = admin_token(server.env)
            checks = subprocess.run(
                [
                    str(Path(sys.executable).with_name("schemathesis")),
                    "run",
                    f"{server.base}/openapi.json",
                    "--checks",
                    "not_a_server_error",
                    "--max-time",
                    str(seconds),
                    "--workers",
                    "2",
                    "--header",
                    f"Authorization: Bearer {token}",
                    "--suppress-health-check",
                    "all",
                    "--generation-database",
                    "none",
                    "--no-color",
                    "--request-timeout",
                    "60",
                ],
                cwd=workdir,
                capture_output=True,
                text=True,
            )
            answered = _answered(server.base, token)
            faults = unexpected_errors(server.log)
    finally:
        drop(url)
    lines = checks.stdout.splitlines()
    cases = next((line.strip() for line in lines if re.match(r"\s*\d+ generated", line)), "?")
    failed = re.search(r"(\d+) failed", cases)
    crashes = len(re.findall(r"^\S*Error: ", checks.stdout, re.MULTILINE))
    total = sum(answered.values())
    by_class = Counter(f"{status // 100}xx" for status in answered.elements())
    print(f"\n== {kind}: schemathesis for {seconds} s, every operation, valid and invalid inputs")
    print(f"   answered {total} requests: " + ", ".join(f"{k} × {v}" for k, v in sorted(by_class.items())))
    print(f"   500 × {answered[500]}; server faults logged × {faults}")
    print(f"   schemathesis: {cases}; its own internal errors × {crashes} (exit code {checks.returncode})")
    ok = answered[500] == 0 and faults == 0 and failed is None
    print(f"   no 500: {'yes' if ok else 'NO'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=int, default=180)
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    return 0 if all([run(kind, args.seconds) for kind in kinds]) else 1


if __name__ == "__main__":
    sys.exit(main())

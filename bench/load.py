"""200 concurrent uploads of mixed formats against a running uvicorn server, on SQLite and on
PostgreSQL: every document stored exactly once, no 5xx, latency and throughput printed.

    .venv/bin/python bench/load.py [--db sqlite|postgresql|both] [--uploads 200]

The server is started here (one uvicorn process, default settings) on a fresh database. The mix:
JSON bodies, text, DOCX and HTML files (each of its own body), one PDF sent five times, and
repeats of some JSON bodies — so the same bytes arrive concurrently and must be stored once.
The baseline is the same server answering JSON uploads one at a time, measured in the same run.
A 503 "busy" (the extraction pool is full, the database connection was lost) or a 409 "conflict"
is retried after its Retry-After, as a client should; those are counted apart from real server
errors.

On PostgreSQL, every backend of the run's own database is terminated (pg_terminate_backend) twice
while the uploads are under way, as a failover or an administrator would: still no 5xx, and every
report acknowledged (201 or 200) is read back afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import hashlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fixtures import documents, html_page, reports  # noqa: E402

from bench.server import unexpected_errors  # noqa: E402

PG_ADMIN = os.environ.get("NIANBAO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SEEDS = ROOT / "tests" / "data" / "seeds"


@dataclass
class Upload:
    kind: str
    json_body: bytes | None = None
    file: tuple[str, bytes, str] | None = None

    @property
    def digest_source(self) -> bytes:
        return self.json_body if self.json_body is not None else self.file[1]  # type: ignore[index]


def _seed_json(n: int) -> dict:
    names = sorted(p.stem for p in SEEDS.glob("*.txt"))
    expected = json.loads((SEEDS / "expected" / f"{names[n % len(names)]}.json").read_text("utf-8"))
    report = {k: expected[k] for k in ("organ", "year", "format", "table2", "table3", "table4")}
    report["organ"] = f"压测县第{n}局"
    return report


def _seed_text(n: int) -> bytes:
    names = sorted(p.stem for p in SEEDS.glob("*.txt"))
    name = names[n % len(names)]
    organ = json.loads((SEEDS / "expected" / f"{name}.json").read_text("utf-8"))["organ"]
    return (SEEDS / f"{name}.txt").read_text("utf-8").replace(organ, f"压测文本县第{n}局").encode()


def _docx(n: int) -> bytes:
    report = copy.deepcopy(reports.REPORT_2021)
    report["organ"] = f"压测文档县第{n}局"
    return documents._report_docx(report)


def _html(n: int, page: bytes) -> bytes:
    return page.replace(reports.REPORT_HTML["organ"].encode(), f"压测网页县第{n}局".encode())


def mix(total: int) -> list[Upload]:
    """About 40% JSON, 20% text, 15% DOCX, 12% HTML, 5 copies of one PDF, the rest JSON repeats."""
    counts = {"json": total * 40 // 100, "text": total * 20 // 100, "docx": total * 15 // 100}
    counts["html"] = total * 12 // 100
    page = html_page.html_portal()
    uploads = [
        Upload("json", json_body=json.dumps(_seed_json(n), ensure_ascii=False).encode())
        for n in range(counts["json"])
    ]
    uploads += [Upload("text", file=(f"{n}.txt", _seed_text(n), "text/plain")) for n in range(counts["text"])]
    uploads += [
        Upload("docx", file=(f"{n}.docx", _docx(n), "application/octet-stream"))
        for n in range(counts["docx"])
    ]
    uploads += [
        Upload("html", file=(f"{n}.html", _html(n, page), "text/html")) for n in range(counts["html"])
    ]
    try:
        pdf = documents.pdf_2021()
        uploads += [Upload("pdf", file=("report.pdf", pdf, "application/pdf")) for _ in range(5)]
    except Exception as error:  # LibreOffice missing: the bench still runs without PDF
        print(f"(no PDF in the mix: {error})")
    repeats = total - len(uploads)
    uploads += [Upload("json-again", json_body=uploads[n % counts["json"]].json_body) for n in range(repeats)]
    return uploads


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database(kind: str, workdir: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir}/load.db"
    name = f"nianbao_load_{os.getpid()}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def _drop(url: str) -> None:
    if url.startswith("postgresql"):
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)"))
        admin.dispose()


async def _send(client: httpx.AsyncClient, upload: Upload) -> tuple[int, float, int, str]:
    """(status, seconds, 503s retried, report id)."""
    busy = 0
    started = time.perf_counter()
    while True:
        if upload.json_body is not None:
            response = await client.post(
                "/api/v1/reports", content=upload.json_body, headers={"content-type": "application/json"}
            )
        else:
            response = await client.post("/api/v1/reports", files={"file": upload.file})
        if response.status_code in (409, 503) and "retry-after" in response.headers:
            busy += 1
            await asyncio.sleep(float(response.headers["retry-after"]))
            continue
        report_id = str(response.json().get("id")) if response.status_code < 300 else response.text[:200]
        return response.status_code, time.perf_counter() - started, busy, report_id


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _terminate_backends(url: str) -> int:
    """Terminate every connection to the run's database but this one; how many there were."""
    engine = create_engine(
        url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as connection:
        killed = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    engine.dispose()
    return killed


async def _terminating(url: str, at: tuple[float, ...], killed: list[int]) -> None:
    started = time.perf_counter()
    for moment in at:
        await asyncio.sleep(max(0.0, moment - (time.perf_counter() - started)))
        killed.append(await asyncio.to_thread(_terminate_backends, url))


async def _readable(client: httpx.AsyncClient, ids: list[str]) -> int:
    """How many of the acknowledged reports answer 200 when read back."""
    gate = asyncio.Semaphore(20)

    async def one(report_id: str) -> bool:
        async with gate:
            return (await client.get(f"/api/v1/reports/{report_id}")).status_code == 200

    return sum(await asyncio.gather(*(one(i) for i in ids)))


async def _run(base: str, uploads: list[Upload], baseline: list[Upload], terminate: str | None) -> dict:
    # Idle connections are dropped before uvicorn's keep-alive timeout (5 s) closes them: a request
    # sent on one just as the server closes it is reset (here, a retry after Retry-After).
    limits = httpx.Limits(
        max_connections=len(uploads), max_keepalive_connections=len(uploads), keepalive_expiry=2
    )
    async with httpx.AsyncClient(base_url=base, timeout=600, limits=limits) as client:
        sequential = [await _send(client, u) for u in baseline]
        killed: list[int] = []
        terminator = asyncio.create_task(_terminating(terminate, (2.0, 5.0), killed)) if terminate else None
        started = time.perf_counter()
        results = await asyncio.gather(*(_send(client, u) for u in uploads))
        wall = time.perf_counter() - started
        if terminator is not None:
            await terminator
        acknowledged = sorted({r[3] for r in results if r[0] in (200, 201)})
        readable = await _readable(client, acknowledged)
    return {
        "sequential": sequential,
        "results": results,
        "wall": wall,
        "killed": killed,
        "acknowledged": len(acknowledged),
        "readable": readable,
    }


@contextmanager
def serving(url: str, workdir: str) -> Iterator[str]:
    """A real uvicorn server (one process, default settings) on a migrated database: its base URL."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "NIANBAO_FILE_STORE": f"{workdir}/files",
        "NIANBAO_WORKER_THREADS": "0",
    }
    port = _free_port()
    log = open(f"{workdir}/server.log", "wb")  # noqa: SIM115
    server = None
    try:
        subprocess.run([sys.executable, "-m", "app.cli", "migrate"], cwd=ROOT, env=env, check=True)
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port), "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        yield base
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(30)
        log.close()


def run(kind: str, total: int) -> bool:
    workdir = tempfile.mkdtemp(prefix="nianbao-load-")
    url = _database(kind, workdir)
    with serving(url, workdir) as base:
        time.sleep(2)  # the extraction children start warm in the background
        uploads = mix(total)
        baseline = [Upload("json", json_body=json.dumps(_seed_json(10_000 + n)).encode()) for n in range(10)]
        outcome = asyncio.run(_run(base, uploads, baseline, url if kind == "postgresql" else None))

    results, wall = outcome["results"], outcome["wall"]
    statuses = [status for status, *_ in results]
    latencies = [seconds for _, seconds, *_ in results]
    busy = sum(b for _, _, b, _ in results)
    distinct = {hashlib.sha256(u.digest_source).hexdigest() for u in uploads if u.json_body is None}
    distinct_json = {u.json_body for u in uploads if u.json_body is not None}
    expected = len(distinct) + len(distinct_json)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        stored_reports = connection.execute(text("SELECT count(*) FROM report")).scalar_one() - len(baseline)
        stored_sources = connection.execute(text("SELECT count(*) FROM source_document")).scalar_one() - len(
            baseline
        )
    engine.dispose()
    _drop(url)

    base_p50 = statistics.median(s for _, s, *_ in outcome["sequential"])
    by_kind: dict[str, int] = {}
    for upload in uploads:
        by_kind[upload.kind] = by_kind.get(upload.kind, 0) + 1
    server_errors = [r for r in results if r[0] >= 500]
    p50, p95 = _percentile(latencies, 0.5), _percentile(latencies, 0.95)
    kinds = ", ".join(f"{k} {v}" for k, v in by_kind.items())
    print(f"\n== {kind}: {len(uploads)} concurrent uploads ({kinds})")
    print(
        f"   answers: 201 × {statuses.count(201)}, 200 (same bytes again) × {statuses.count(200)}, "
        f"4xx × {sum(400 <= s < 500 for s in statuses)}, 5xx × {len(server_errors)}; "
        f"503 busy retried × {busy}"
    )
    print(
        f"   stored: {stored_reports} reports, {stored_sources} source documents; "
        f"distinct documents sent: {expected}"
    )
    print(
        f"   latency p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms; "
        f"baseline (one JSON upload at a time) p50 {base_p50 * 1000:.0f} ms → p50 ratio {p50 / base_p50:.1f}×"
    )
    by_format: dict[str, list[float]] = {}
    for upload, seconds in zip(uploads, latencies, strict=True):
        by_format.setdefault(upload.kind, []).append(seconds)
    print(
        "   p50 by format, all at once: "
        + ", ".join(f"{k} {statistics.median(v) * 1000:.0f} ms" for k, v in by_format.items())
        + " (one at a time, beside the in-process reading and the bare library: bench/extract.py)"
    )
    rate = statuses.count(201) / wall
    print(
        f"   throughput: {rate:.1f} new reports/s, {len(uploads) / wall:.1f} answers/s (wall {wall:.1f} s); "
        f"baseline {1 / base_p50:.1f} reports/s → ratio {rate * base_p50:.1f}×"
    )
    faults = unexpected_errors(Path(workdir) / "server.log")
    print(f"   server faults logged (500 internal_error): {faults}")
    if outcome["killed"]:
        print(f"   backends terminated mid-load: {' then '.join(map(str, outcome['killed']))}")
    print(f"   acknowledged reports read back: {outcome['readable']} of {outcome['acknowledged']}")
    problems = [r[3] for r in results if r[0] >= 400][:3]
    if problems:
        print(f"   first problems: {problems}")
    ok = not server_errors and stored_reports == stored_sources == expected == statuses.count(201)
    ok = ok and outcome["readable"] == outcome["acknowledged"] and faults == 0
    print(f"   exactly once, no 5xx, every acknowledged report readable: {'yes' if ok else 'NO'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--uploads", type=int, default=200)
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    return 0 if all([run(kind, args.uploads) for kind in kinds]) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Worker processes share one queue and survive being killed: every file ends stored exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DATABASES
from live import ROOT, Live, distinct_report, open_live
from sqlalchemy.exc import OperationalError

pytestmark = pytest.mark.slow


def _worker(live: Live, log: Path, *args: str, lease: int = 2) -> subprocess.Popen:
    """A worker process; a short lease lets a killed worker's job be taken over quickly."""
    env = {**live.env, "NIANBAO_JOB_LEASE_SECONDS": str(lease), "NIANBAO_LOG_JSON": "true"}
    with log.open("ab") as handle:
        return subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker", *args],
            cwd=ROOT,
            env=env,
            stderr=handle,
            stdout=handle,
        )


def _batch(live: Live, count: int, tag: str) -> str:
    parts = [
        ("files", (f"{n}.json", json.dumps(distinct_report(n, tag)), "application/json"))
        for n in range(count)
    ]
    response = live.client.post("/api/v1/batches", files=parts)
    assert response.status_code == 202, response.text
    return response.json()["id"]


def _until(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)


def _jobs(live: Live, batch_id: str, where: str = "1=1") -> int:
    return live.scalar(f"SELECT count(*) FROM batch_job WHERE batch_id = '{batch_id}' AND {where}")


@pytest.fixture(params=DATABASES)
def live_db(request):
    yield from open_live(request.param)


@pytest.fixture
def pg_live():
    yield from open_live("postgresql")


@pytest.mark.pg
def test_two_worker_processes_share_one_batch_on_postgresql(pg_live, tmp_path):
    live = pg_live
    log = tmp_path / "workers.log"
    # a lease long enough that no job outlives it, however slow the machine: each is run once
    workers = [_worker(live, log, lease=300), _worker(live, log, lease=300)]
    try:
        _until(lambda: log.read_text().count("worker started") == 2, 60)
        batch_id = _batch(live, 60, "双")
        _until(lambda: _jobs(live, batch_id, "state = 'done'") == 60)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        codes = [worker.wait(30) for worker in workers]
    assert codes == [0, 0]
    assert live.scalar("SELECT count(*) FROM report") == 60
    assert live.scalar("SELECT count(*) FROM source_document") == 60
    assert _jobs(live, batch_id, "attempts = 1") == 60
    assert live.scalar("SELECT count(DISTINCT claimed_by) FROM batch_job") == 2


def test_a_worker_killed_mid_batch_is_restarted_and_the_batch_completes(live_db, tmp_path):
    live = live_db
    log = tmp_path / "worker.log"
    batch_id = _batch(live, 40, "断")
    worker = _worker(live, log)
    killed_while_running = False
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and _jobs(live, batch_id, "state IN ('done', 'failed')") < 40:
            # Freeze it, look: kill it only while it holds a claimed, unfinished job.
            os.kill(worker.pid, signal.SIGSTOP)
            try:
                running = _jobs(live, batch_id, "state = 'running'") and _jobs(
                    live, batch_id, "state = 'done'"
                )
            except OperationalError:  # frozen while holding SQLite's WAL index lock: look again later
                running = False
            if running:
                os.kill(worker.pid, signal.SIGKILL)
                killed_while_running = True
                break
            os.kill(worker.pid, signal.SIGCONT)
            time.sleep(0.02)
    finally:
        worker.kill()
        worker.wait(30)
    assert killed_while_running
    assert _jobs(live, batch_id, "state = 'done'") < 40

    time.sleep(2.5)  # the killed worker's lease runs out
    restarted = _worker(live, log, "--until-idle")
    assert restarted.wait(120) == 0
    batch = live.client.get(f"/api/v1/batches/{batch_id}").json()
    assert (batch["state"], batch["done"], batch["failed"]) == ("done", 40, 0)
    assert len({f["report_id"] for f in batch["files"]}) == 40
    assert live.scalar("SELECT count(*) FROM report") == 40
    assert live.scalar("SELECT count(*) FROM source_document") == 40
    assert live.scalar("SELECT count(*) FROM figure") == live.scalar(
        "SELECT count(*) FROM figure WHERE report_id IN (SELECT report_id FROM batch_job)"
    )
    assert live.scalar(f"SELECT sum(attempts) FROM batch_job WHERE batch_id = '{batch_id}'") in (40, 41)

"""The warm extraction pool: children are reused; one killed mid-file is replaced and the file read
again; a hung file hits the deadline; the memory limit holds, file after file."""

from __future__ import annotations

import os
import signal
import threading
import time

import pool_tasks
import pytest

from app import config
from app.errors import ProblemError
from app.extract import worker


@pytest.fixture
def setting(monkeypatch):
    def set_(name: str, value: str) -> None:
        monkeypatch.setenv(f"NIANBAO_{name.upper()}", value)
        config.get_settings.cache_clear()

    yield set_
    monkeypatch.undo()
    config.get_settings.cache_clear()


def _alive() -> list[int]:
    """Idle children of the pool that are running."""
    pool = worker._pool()
    with pool._lock:
        return [child.pid for child in pool._idle if child.process.is_alive()]  # type: ignore[misc]


def test_files_are_read_by_warm_children_that_stay():
    worker.warm()
    size = worker._pool().size
    assert size == config.get_settings().extraction_concurrency == 2
    assert len(_alive()) == size
    first = worker.run_bounded(pool_tasks.pid)
    assert first != os.getpid()
    assert first in _alive()
    assert [worker.run_bounded(pool_tasks.pid) for _ in range(5)] == [first] * 5  # the same warm child


def test_a_child_killed_mid_file_is_replaced_and_the_file_read_again():
    worker.warm()
    before = set(_alive())
    answer: list[int] = []
    reading = threading.Thread(target=lambda: answer.append(worker.run_bounded(pool_tasks.nap, 1.5)))
    reading.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and set(_alive()) == before:
        time.sleep(0.01)  # until the file is in a child (it leaves the idle ones)
    (busy,) = before - set(_alive())
    os.kill(busy, signal.SIGKILL)
    reading.join(30)
    assert answer and answer[0] != busy  # answered, by the fresh child that read it again
    assert busy not in _alive()
    assert len(_alive()) == worker._pool().size


def test_a_file_that_kills_its_children_is_413_and_the_pool_recovers():
    worker.warm()
    with pytest.raises(ProblemError) as error:
        worker.run_bounded(pool_tasks.die)
    assert (error.value.status, error.value.code) == (413, "file_too_complex")
    assert len(_alive()) == worker._pool().size
    assert worker.run_bounded(pool_tasks.pid) in _alive()


def test_a_hung_file_hits_the_deadline_and_its_child_is_replaced(setting):
    setting("extraction_timeout_seconds", "1")
    worker.warm()
    started = time.monotonic()
    with pytest.raises(ProblemError) as error:
        worker.run_bounded(pool_tasks.nap, 600)
    assert (error.value.status, error.value.code) == (422, "extraction_timeout")
    assert time.monotonic() - started < 30
    assert len(_alive()) == worker._pool().size
    assert worker.run_bounded(pool_tasks.pid) in _alive()


def test_the_memory_limit_holds_file_after_file(setting):
    setting("extraction_memory_mb", "768")
    worker.warm()
    limit = 768 * 1024 * 1024
    assert worker.run_bounded(pool_tasks.limit) == limit  # children started for the new limit
    with pytest.raises(ProblemError) as error:
        worker.run_bounded(pool_tasks.allocate, 1024)
    assert (error.value.status, error.value.code) == (413, "file_too_complex")
    assert worker.run_bounded(pool_tasks.allocate, 64) == 64 * 1024 * 1024
    # a file that claimed the OCR ceiling and kept what it mapped: its child is retired
    ocr_child = worker.run_bounded(pool_tasks.map_like_ocr, 900)
    assert ocr_child not in _alive()
    assert len(_alive()) == worker._pool().size
    assert {worker.run_bounded(pool_tasks.limit) for _ in range(4)} == {limit}
    with pytest.raises(ProblemError):
        worker.run_bounded(pool_tasks.allocate, 1024)

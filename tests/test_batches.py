"""Batches: many files or one ZIP in, one job per file, progress and each file's outcome out."""

from __future__ import annotations

import io
import json
import threading
import zipfile

import pytest
from live import distinct_report, live  # noqa: F401

from app.errors import ProblemError
from app.services import archives, jobs

CAPS = archives.Caps(max_files=10, max_file_bytes=1000, max_total_bytes=3000)


def _zip(entries: dict[str, bytes], flag_utf8: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _problem(call, status: int, code: str) -> None:
    with pytest.raises(ProblemError) as caught:
        call()
    assert (caught.value.status, caught.value.code) == (status, code)


def test_zip_entries_get_harmless_names():
    data = _zip({"../../etc/passwd.json": b"{}", "a\\..\\b\x00c.json": b"{}", "dir/": b"", "../..": b"x"})
    entries = archives.unzip(data, CAPS)
    assert [e.name for e in entries] == ["passwd.json", "b", "file-3"]  # zipfile stops a name at NUL
    assert archives.safe_name("..\\..\\x\x00y\r\n.pdf", 0) == "xy.pdf"
    assert archives.safe_name("../../", 4) == "file-5"


def test_gbk_names_from_windows_archives_are_read_right():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("xxxx.json"), b"{}")
    raw = buffer.getvalue().replace(b"xxxx.json", "年报.json".encode("gbk"))  # same length, no UTF-8 flag
    assert archives.unzip(raw, CAPS)[0].name == "年报.json"


def test_zip_bombs_and_lies_are_refused():
    big = b"0" * 1001
    _problem(lambda: archives.unzip(_zip({"a.json": big}), CAPS), 413, "too_large")
    _problem(
        lambda: archives.unzip(_zip({f"{n}.json": b"0" * 900 for n in range(4)}), CAPS), 413, "too_large"
    )
    _problem(lambda: archives.unzip(_zip({f"{n}.json": b"{}" for n in range(11)}), CAPS), 413, "too_large")
    # A header that declares 10 bytes for 900: only 11 are read, and the lie is caught.
    honest = _zip({"a.json": b"1" * 900})
    lying = honest.replace((900).to_bytes(4, "little"), (10).to_bytes(4, "little"))
    _problem(lambda: archives.unzip(lying, CAPS), 422, "invalid_archive")
    _problem(lambda: archives.unzip(b"PK\x03\x04 not really", CAPS), 422, "invalid_archive")
    _problem(lambda: archives.unzip(_zip({"dir/": b""}), CAPS), 422, "empty_batch")


def test_nested_archives_are_refused_but_a_docx_is_a_file():
    _problem(
        lambda: archives.unzip(_zip({"inner.zip": _zip({"a.json": b"{}"})}), CAPS), 422, "nested_archive"
    )
    _problem(lambda: archives.unzip(_zip({"a.json": b"\x1f\x8b\x08\x00"}), CAPS), 422, "nested_archive")
    docx = _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"})
    assert [
        e.name for e in archives.unzip(_zip({"report.docx": docx}), archives.Caps(10, 10_000, 30_000))
    ] == ["report.docx"]


def _run_workers(live_app) -> int:
    return jobs.work(engine=live_app.engine, stop=threading.Event(), until_idle=True)


def test_a_zip_batch_is_processed_by_the_workers(live):  # noqa: F811
    reports = [json.dumps(distinct_report(n, "批")).encode() for n in range(3)]
    data = _zip(
        {
            "reports/../一.json": reports[0],
            "二.json": reports[1],
            "三.json": reports[2],
            "again.json": reports[0],
            "empty.json": b"",
            "notes.bin": b"\x00\x01\x02 not a report",
        }
    )
    response = live.client.post("/api/v1/batches", files={"files": ("upload.zip", data, "application/zip")})
    assert response.status_code == 202, response.text
    batch = response.json()
    assert (batch["total"], batch["state"], batch["failed"]) == (6, "running", 1)
    assert [f["filename"] for f in batch["files"]] == [
        "一.json",
        "二.json",
        "三.json",
        "again.json",
        "empty.json",
        "notes.bin",
    ]

    assert _run_workers(live) == 5
    batch = live.client.get(f"/api/v1/batches/{batch['id']}").json()
    assert (batch["state"], batch["total"], batch["done"], batch["failed"], batch["pending"]) == (
        "done",
        6,
        4,
        2,
        0,
    )
    files = batch["files"]
    assert [f["state"] for f in files] == ["done", "done", "done", "done", "failed", "failed"]
    assert files[3]["report_id"] == files[0]["report_id"]
    assert [f["created"] for f in files[:4]] == [True, True, True, False]
    assert [f["error"]["code"] for f in files[4:]] == ["empty_file", "unsupported_type"]
    report = live.client.get(f"/api/v1/reports/{files[1]['report_id']}").json()
    assert report["organ"] == "测试批县第1局"
    assert report["source"]["filename"] == "二.json"


def test_many_files_in_one_form(live):  # noqa: F811
    parts = [
        ("files", (f"{n}.json", json.dumps(distinct_report(n, "表单")), "application/json")) for n in range(3)
    ]
    batch = live.client.post("/api/v1/batches", files=parts).json()
    assert batch["total"] == 3
    _run_workers(live)
    batch = live.client.get(f"/api/v1/batches/{batch['id']}").json()
    assert (batch["done"], batch["failed"]) == (3, 0)


def test_batch_problems(live):  # noqa: F811
    nested = _zip({"a.zip": _zip({"b.json": b"{}"})})
    response = live.client.post("/api/v1/batches", files={"files": ("a.zip", nested, "application/zip")})
    assert (response.status_code, response.json()["code"]) == (422, "nested_archive")
    two_zips = [("files", ("a.zip", _zip({"a.json": b"{}"}))), ("files", ("b.json", b"{}"))]
    assert live.client.post("/api/v1/batches", files=two_zips).json()["code"] == "nested_archive"
    response = live.client.post("/api/v1/batches", json={"files": []})
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")
    response = live.client.post("/api/v1/batches", files={"other": ("", b"")}, data={"x": "1"})
    assert response.json()["code"] in ("empty_batch",)
    assert live.client.get("/api/v1/batches/nothing").json()["code"] == "not_found"
    assert live.scalar("SELECT count(*) FROM batch_job WHERE filename LIKE 'b.json'") == 0


def test_a_batch_stores_only_what_its_sender_may(live):  # noqa: F811
    """The workers store each file with the scope of the key that sent the batch."""
    from conftest import seed_report_json
    from sqlmodel import Session

    from app.services import access

    with Session(live.engine) as session:
        key = access.create_key(session=session, name="beitun", scopes=["submit", "read"], region="659005")
        session.commit()
    bearer = {"Authorization": f"Bearer {key.token}"}
    parts = [
        (
            "files",
            (f"{name}.json", json.dumps(seed_report_json(name), ensure_ascii=False), "application/json"),
        )
        for name in ("001_67e027749f67ecd0", "002_3de73757d3cdff2d")  # 第十师北屯市, 昌吉市阿什里乡
    ]
    batch = live.client.post("/api/v1/batches", files=parts, headers=bearer).json()
    _run_workers(live)
    files = live.client.get(f"/api/v1/batches/{batch['id']}", headers=bearer).json()["files"]
    assert [f["state"] for f in files] == ["done", "failed"]
    assert files[1]["error"]["code"] == "out_of_scope" and files[1]["report_id"] is None
    assert live.scalar("SELECT count(*) FROM report WHERE organ = '昌吉市阿什里乡'") == 0
    assert (
        live.scalar("SELECT count(*) FROM audit_log WHERE action = 'report.create' AND actor LIKE 'key:%'")
        == 1
    )

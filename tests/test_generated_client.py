"""A Python client generated from the committed openapi/openapi.json (openapi-python-client, as an
integrator would) drives the running app: an upload, a JSON report, a list, sums as JSON, CSV and
XLSX, coverage, the /gov/v1 envelope. Only generated code talks to the app here."""

from __future__ import annotations

import csv
import importlib
import io
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import openpyxl
import pytest
import uvicorn
from conftest import DATA, SEEDS

from app.services import access

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "openapi" / "openapi.json"
NEW = "table3.new_received.total"
UPLOAD = SEEDS / "004_3754507d9f900802.txt"  # 二二三团开泽镇, 2024, 2019 layout
CONFIG = "project_name_override: nianbao-client\npackage_name_override: nianbao_client\npost_hooks: []\n"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """Generate the client, install it into a directory of its own, import it from there."""
    work = tmp_path_factory.mktemp("client")
    (work / "config.yml").write_text(CONFIG)
    generator = Path(sys.executable).parent / "openapi-python-client"
    project, site = work / "nianbao-client", work / "site"
    generate = [
        str(generator),
        "generate",
        "--path",
        str(SPEC),
        "--meta",
        "setup",
        "--output-path",
        str(project),
    ]
    done = subprocess.run([*generate, "--config", str(work / "config.yml")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr  # nothing left out
    # offline: the generated setup.py is built with this environment's setuptools
    pip = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--no-index",
        "--no-build-isolation",
    ]
    installed = subprocess.run([*pip, "--target", str(site), str(project)], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    sys.path.insert(0, str(site))
    try:
        yield importlib.import_module("nianbao_client")
    finally:
        sys.path.remove(str(site))
        for name in [m for m in sys.modules if m == "nianbao_client" or m.startswith("nianbao_client.")]:
            del sys.modules[name]


@pytest.fixture
def served(client) -> Iterator[str]:
    """The test's app (over its rolled-back session) under uvicorn on a free loopback port."""
    server = uvicorn.Server(uvicorn.Config(client.app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"nianbao_client.{name}")


def _api(tag: str, *operations: str) -> ModuleType:
    """The generated module of a tag, with the operations' modules imported."""
    for operation in operations:
        _module(f"api.{tag}.{operation}")
    return _module(f"api.{tag}")


@pytest.mark.slow
def test_the_generated_client_drives_every_kind_of_call(generated, served, session):
    key = access.create_key(session=session, name="门户", scopes=["submit", "read"])
    session.commit()
    models, types = _module("models"), _module("types")
    reports = _api("reports", "create_report", "list_reports", "get_report")
    aggregates = _api(
        "aggregates", "get_aggregates", "get_aggregates_csv", "get_aggregates_xlsx", "get_coverage_csv"
    )
    envelope = _api("platform_envelope", "gov_get_report")

    with generated.AuthenticatedClient(
        base_url=served, token=key.token, raise_on_unexpected_status=True
    ) as api:
        # An upload, the file part sent without a filename as this client does when none is given.
        body = models.CreateReportFilesBody(file=types.File(payload=io.BytesIO(UPLOAD.read_bytes())))
        uploaded = reports.create_report.sync_detailed(client=api, body=body)
        assert uploaded.status_code == 201, uploaded.content
        upload = uploaded.parsed
        assert isinstance(upload, models.ReportPublic)
        assert (upload.organ, upload.year, upload.format_) == ("二二三团开泽镇", 2024, models.Format.F2019)
        assert upload.source.filename is None and upload.source.media_type == "text/plain"

        # A JSON report.
        report = models.ReportMeta.from_dict(json.loads((DATA / "examples" / "report.json").read_bytes()))
        stored = reports.create_report.sync_detailed(client=api, body=report)
        assert stored.status_code == 201, stored.content
        assert stored.parsed.organ == "第十师北屯市" and stored.parsed.id != upload.id
        assert stored.parsed.table3["new_received"]["total"] == 297
        assert not stored.parsed.validation.valid  # the example carries its known errors

        listed = reports.list_reports.sync(client=api, year=2024)
        assert listed.total == 2
        assert {item.id for item in listed.items} == {upload.id, stored.parsed.id}
        again = reports.get_report.sync(client=api, report_id=stored.parsed.id)
        assert again.to_dict() == stored.parsed.to_dict()

        # Sums as JSON, then the same sums as a CSV text and an XLSX file.
        query = {"figures": NEW, "group_by": models.GroupBy.YEAR, "year": 2024}
        sums = aggregates.get_aggregates.sync(client=api, **query)
        assert isinstance(sums, models.AggregateResult)
        assert [(row.year, row.reports, row.values[NEW]) for row in sums.rows] == [(2024, 2, 297 + 1)]
        text = aggregates.get_aggregates_csv.sync(client=api, **query)
        assert isinstance(text, str)
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        assert rows[0][0] == "年度" and rows[2][:2] == ["2024", "2"] and "298" in rows[2]
        sheet = aggregates.get_aggregates_xlsx.sync(client=api, **query)
        assert isinstance(sheet, types.File)
        cells = openpyxl.load_workbook(sheet.payload).active.iter_rows(values_only=True)
        assert [["" if c is None else str(c) for c in row] for row in cells] == rows

        coverage = aggregates.get_coverage_csv.sync(client=api, year=2024)
        assert "第十师北屯市" in coverage and "二二三团开泽镇" in coverage

        # The platform envelope, through its own generated operation.
        wrapped = envelope.gov_get_report.sync(client=api, report_id=stored.parsed.id)
        assert wrapped.code == "0"
        assert wrapped.data.to_dict() == stored.parsed.to_dict()

"""The layers around the file handling, attacked: nothing received before authentication, keys that
belong to their caller, bounded metrics, no 500 from any input, a lost database connection, a
dead worker, names that look alike, and what is public. Each case asserts its status, that
nothing was stored, and that /healthz answers after it."""

from __future__ import annotations

import json
import threading
import time
import tracemalloc
import uuid

import anyio
import pytest
from conftest import DATABASES, SEEDS
from fastapi.testclient import TestClient
from live import Live, distinct_report, hold_reading, open_live
from sqlalchemy import create_engine, text
from sqlmodel import Session

from app import db
from app.middleware import Admission
from app.rules.naming import normalise_organ, organ_key
from app.services import access, jobs, report_writes, reports

MB = 1024 * 1024


@pytest.fixture(scope="module", params=DATABASES)
def guarded(request: pytest.FixtureRequest):
    """A live application with keys, so every caller must authenticate."""
    yield from open_live(request.param, NIANBAO_JOB_LEASE_SECONDS="2")


@pytest.fixture
def pg_live():
    yield from open_live("postgresql")


def _key(live: Live, *scopes: str, signing: bool = False) -> access.NewKey:
    with Session(live.engine) as session:
        new = access.create_key(
            session=session, name=uuid.uuid4().hex[:8], scopes=list(scopes), signing=signing
        )
        session.commit()
        session.refresh(new.key)
        session.expunge(new.key)
    return new


def _bearer(new: access.NewKey) -> dict[str, str]:
    return {"Authorization": f"Bearer {new.token}"}


def _counts(live: Live) -> tuple[int, ...]:
    tables = ("report", "figure", "source_document", "idempotency_record", "batch_job")
    return tuple(live.scalar(f"SELECT count(*) FROM {table}") for table in tables)


def _healthy(live: Live) -> None:
    assert live.client.get("/healthz").json() == {"status": "ok"}


# ---- 1. nothing received before authentication ---------------------------------------------------


def _send_unread(app, method: str, path: str, headers: dict, chunks: int) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """Send `chunks` MB to the application as a server would; (status, chunks never asked for,
    peak memory traced meanwhile). Every answer says the connection closes."""
    chunk = b"x" * MB
    left, found = [chunks], {}

    async def receive() -> dict:
        left[0] -= 1
        return {"type": "http.request", "body": chunk, "more_body": left[0] > 0}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            found["status"] = message["status"]
            assert (b"connection", b"close") in message["headers"]

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + [(b"content-length", str(chunks * MB).encode())],
        "client": ("203.0.113.9", 40000),
        "server": ("testserver", 80),
        "scheme": "http",
        "http_version": "1.1",
        "root_path": "",
    }
    tracemalloc.start()
    try:
        anyio.run(app, scope, receive, send)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return found["status"], left[0], peak


def test_an_unauthenticated_body_is_dropped_unread_and_every_body_is_counted(guarded):
    _key(guarded, "admin")
    before = _counts(guarded)
    forged = {"X-App-Key": "000000000000", "X-Timestamp": str(int(time.time())), "X-Nonce": "n" * 16}
    form = {"content-type": "multipart/form-data; boundary=x"}  # within the upload cap (20 MB)
    cases = [
        ("POST", "/api/v1/reports", {**forged, **form, "X-Signature": "0" * 64}),
        ("POST", "/api/v1/validate", {**form, "Idempotency-Key": "k-1"}),
        ("GET", "/api/v1/reports", {}),
    ]
    for method, path, headers in cases:
        status, left, peak = _send_unread(guarded.client.app, method, path, headers, chunks=20)
        # GET has a 64 KB cap (413 at once); the others are refused by their headers (401). The
        # 20 MB were received and dropped before the answer went out, never kept.
        assert status == (413 if method == "GET" else 401), (method, path, status)
        assert left == 0 and peak < 8 * MB, (method, path, left, peak)
    assert _counts(guarded) == before

    # A GET with a body waits its turn like a POST: past the bound it is 503 at once.
    async def unreachable(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        raise AssertionError("past the bound")

    sent: list[dict] = []

    async def one_chunk() -> dict:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def keep(message: dict) -> None:
        sent.append(message)

    admission = Admission(unreachable, limit=0, retry_after=10, max_body=MB)
    anyio.run(
        admission, {"type": "http", "method": "GET", "headers": [(b"content-length", b"2")]}, one_chunk, keep
    )
    assert sent[0]["status"] == 503
    _healthy(guarded)


# ---- 2. Idempotency-Key belongs to an authenticated caller ---------------------------------------


def test_an_idempotency_key_is_its_callers_only(guarded):
    first, other = _key(guarded, "submit", "read"), _key(guarded, "submit", "read")
    report = distinct_report(1, "幂等归属")
    key = {"Idempotency-Key": "order-77"}
    stored = guarded.client.post("/api/v1/reports", json=report, headers={**_bearer(first), **key})
    assert stored.status_code == 201
    before = _counts(guarded)

    # A wrong token, no token, or a forged signature with the key's (public) prefix replays nothing.
    forged = {"X-App-Key": first.key.prefix, "X-Timestamp": str(int(time.time())), "X-Nonce": "n" * 16}
    for headers in ({"Authorization": "Bearer nb_x_y"}, {}, {**forged, "X-Signature": "0" * 64}):
        refused = guarded.client.post("/api/v1/reports", json=report, headers={**headers, **key})
        assert refused.status_code == 401 and "idempotent-replayed" not in refused.headers
    assert _counts(guarded) == before  # and no record was written for them

    # Another caller's same key is its own: not blocked, not replayed.
    own = guarded.client.post("/api/v1/reports", json=report, headers={**_bearer(other), **key})
    assert own.status_code == 200 and "idempotent-replayed" not in own.headers
    # The owner gets its answer again, until its key is revoked.
    again = guarded.client.post("/api/v1/reports", json=report, headers={**_bearer(first), **key})
    assert again.headers["idempotent-replayed"] == "true" and again.json() == stored.json()
    with Session(guarded.engine) as session:
        access.revoke_key(session=session, key_id=first.key.id)
        session.commit()
    revoked = guarded.client.post("/api/v1/reports", json=report, headers={**_bearer(first), **key})
    assert revoked.status_code == 401 and "idempotent-replayed" not in revoked.headers
    principals = guarded.scalar("SELECT count(DISTINCT principal) FROM idempotency_record")
    assert principals == 2  # one record per caller: key:<id> of each
    assert guarded.scalar("SELECT count(*) FROM report") == before[0]
    _healthy(guarded)


# ---- 3. bounded metrics ----------------------------------------------------------------------------


def _series(live: Live) -> set[str]:
    exposition = live.client.get("/metrics").text
    return {line.split(" ")[0] for line in exposition.splitlines() if line.startswith("nianbao_http")}


def test_metrics_labels_are_bounded_whatever_the_caller_sends(guarded):
    reader = _key(guarded, "read")
    before = _counts(guarded)
    for n in range(60):
        guarded.client.request(f"PROBE{n}", f"/api/v1/reports/{uuid.uuid4().hex}", headers=_bearer(reader))
        guarded.client.get(f"/nowhere/{uuid.uuid4().hex}")
        guarded.client.request(f"PROBE{n}", f"/nowhere/{uuid.uuid4().hex}")
    _series(guarded)  # the metrics' own request is counted from its first call on
    grown = _series(guarded)
    for n in range(60):
        guarded.client.request(f"OTHER{n}", f"/x/{uuid.uuid4().hex}")
    assert _series(guarded) == grown  # 120 more odd requests, not one more series
    text_ = "\n".join(grown)
    assert "PROBE" not in text_ and "nowhere" not in text_
    assert 'method="other"' in text_ and 'route="unmatched"' in text_
    assert _counts(guarded) == before
    _healthy(guarded)


# ---- 4. no 500 from any input ----------------------------------------------------------------------


def test_numbers_past_the_database_are_the_callers_422_or_a_value_finding(guarded):
    reader, submitter = _key(guarded, "read"), _key(guarded, "submit", "read")
    before = _counts(guarded)
    for path in (
        f"/api/v1/reports/{2**31}",
        f"/api/v1/reports/{2**63}/validation",
        f"/api/v1/reports?year={2**31}",
        f"/api/v1/reports?limit={2**63}",
        f"/api/v1/aggregates?figures=table3.new_received.total&year_from={2**40}",
        f"/reports/{2**31}",
        f"/compare?a={2**31}&b=1",
        f"/reports?page={10**9}",
    ):
        response = guarded.client.get(path, headers=_bearer(reader))
        assert response.status_code in (200, 404, 422), (path, response.status_code)
    for organ in ("测试\x00局", "测试\x07局", "\u200b\u202e"):
        refused = guarded.client.post(
            "/api/v1/reports", json={**distinct_report(2), "organ": organ}, headers=_bearer(submitter)
        )
        assert refused.status_code == 422, organ
        assert refused.headers["content-type"].startswith("application/problem+json")
    # An early error on a body not yet read closes the connection rather than leaving bytes behind.
    early = guarded.client.post(
        "/api/v1/reports", content=b"{" * 1000, headers={"content-type": "application/json"}
    )
    assert early.status_code == 401 and early.headers["connection"] == "close"
    assert _counts(guarded) == before

    # Control characters in a file's text are dropped, on both databases alike; NUL makes it no text.
    seed = (SEEDS / "002_3de73757d3cdff2d.txt").read_text("utf-8")
    file_headers = _bearer(submitter)  # a text file: its first line names the body
    with_nul = seed.replace("昌吉市阿什里乡", "昌吉市\x00阿什里乡", 1).encode()
    refused = guarded.client.post(
        "/api/v1/reports", files={"file": ("r.txt", with_nul)}, headers=file_headers
    )
    assert refused.status_code == 415
    escaped = seed.replace("昌吉市阿什里乡", "昌吉市\x1b阿什\x07里乡", 1).encode()
    read = guarded.client.post("/api/v1/reports", files={"file": ("r.txt", escaped)}, headers=file_headers)
    assert read.status_code == 201 and read.json()["organ"] == "昌吉市阿什里乡"

    # Figures beyond what the figure column holds: a VALUE error, the text kept, no value stored,
    # alone or as one item of a bulk array (the other item stored as usual).
    huge = distinct_report(3, "溢出")
    huge["table3"]["new_received"]["total"] = 10**30
    payload = json.dumps(huge).replace('"amount_10k_yuan": "@"', "")
    huge_money = json.loads(json.dumps(distinct_report(13, "溢出")))
    huge_money["table2"]["fees"]["amount_10k_yuan"] = "@"
    money_payload = json.dumps(huge_money).replace('"@"', "1e400")
    json_type = {**_bearer(submitter), "content-type": "application/json"}
    money = guarded.client.post("/api/v1/reports", content=money_payload, headers=json_type)
    assert money.status_code == 201, money.text[:300]
    fees = next(f for f in money.json()["figures"] if f["row"] == "fees")
    assert (fees["value"], fees["status"], fees["raw"]) == (None, "unreadable", "1E+400")
    bulk = guarded.client.post(
        "/api/v1/reports/bulk",
        content=f"[{json.dumps(distinct_report(14, '溢出'))}, {payload}]",
        headers=json_type,
    )
    assert bulk.status_code == 200
    items = bulk.json()["items"]
    assert [item["status"] for item in items] == [201, 201] and items[1]["valid"] is False
    report = guarded.client.get(f"/api/v1/reports/{items[1]['id']}", headers=_bearer(submitter)).json()
    total = next(
        f
        for f in report["figures"]
        if (f["table"], f["row"], f["column"]) == ("table3", "new_received", "total")
    )
    assert (total["value"], total["status"], total["raw"]) == (None, "unreadable", str(10**30))
    value_findings = [f for f in report["validation"]["findings"] if f["rule"] == "VALUE"]
    assert [f["location"]["row"] for f in value_findings] == ["new_received"]
    ids = f"{money.json()['id']}, {items[1]['id']}"
    assert (
        guarded.scalar(f"SELECT count(*) FROM figure WHERE report_id IN ({ids}) AND abs(value) > 1e15") == 0
    )
    _healthy(guarded)


# ---- 5. a lost database connection -----------------------------------------------------------------


def _terminate_own_backend(session: Session, admin_url: str) -> None:
    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


class _LosingConnection:
    """reports.get, whose connection is terminated under it the next `times` calls."""

    def __init__(self, url: str) -> None:
        self.url, self.times, self.done = url, 0, 0
        self.original = reports.get

    def __call__(self, *, session: Session, report_id: int, **scope):  # type: ignore[no-untyped-def]
        if self.times:
            self.times -= 1
            self.done += 1
            _terminate_own_backend(session, self.url)
        return self.original(session=session, report_id=report_id, **scope)


@pytest.mark.pg
def test_a_terminated_backend_is_retried_once_then_503(pg_live, monkeypatch):
    submitter = _key(pg_live, "admin")
    created = pg_live.client.post(
        "/api/v1/reports", json=distinct_report(5, "断线"), headers=_bearer(submitter)
    )
    assert created.status_code == 201
    before = _counts(pg_live)
    losing = _LosingConnection(pg_live.url)
    monkeypatch.setattr(reports, "get", losing)
    path = f"/api/v1/reports/{created.json()['id']}"
    client = TestClient(pg_live.client.app, raise_server_exceptions=False)
    losing.times = 1
    retried = client.get(path, headers=_bearer(submitter))
    assert (retried.status_code, losing.done) == (200, 1)
    assert retried.json()["id"] == created.json()["id"]
    losing.times = 2  # the retry loses its connection too: 503, never 500
    lost = client.get(path, headers=_bearer(submitter))
    assert (lost.status_code, lost.json()["code"], losing.done) == (503, "busy", 3)
    assert int(lost.headers["retry-after"]) > 0
    assert _counts(pg_live) == before
    _healthy(pg_live)
    schema = client.get("/openapi.json").json()
    conflict = schema["paths"]["/api/v1/reports/bulk"]["post"]["responses"]["409"]
    assert "Retry-After" in conflict["headers"] and "conflict" in conflict["description"]


@pytest.mark.pg
def test_a_connection_lost_under_psycopgs_own_cursor_is_reported_as_lost(pg_live):
    """Reports are written through psycopg's own cursor (a pipelined INSERT, COPY). A backend
    terminated under it, whatever psycopg says (inside a pipeline: "cannot exit pipeline mode
    while busy"), comes out as SQLAlchemy's lost connection, which the request runs again."""
    from sqlalchemy.exc import DBAPIError

    with Session(pg_live.engine) as session:
        _terminate_own_backend(session, pg_live.url)
        connection = session.connection()
        with pytest.raises(DBAPIError) as raised, report_writes._driver_cursor(connection) as cursor:
            cursor.executemany("SELECT %s", [(1,), (2,)], returning=True)
        assert db.connection_lost(raised.value)
    _healthy(pg_live)


# ---- 6. a killed worker's job --------------------------------------------------------------------


@pytest.mark.slow
def test_a_dead_workers_job_is_taken_up_within_seconds_and_a_live_one_keeps_its_own(guarded, monkeypatch):
    submitter = _key(guarded, "admin")
    files = [("files", ("a.json", json.dumps(distinct_report(6, "接管")), "application/json"))]
    batch = guarded.client.post("/api/v1/batches", files=files, headers=_bearer(submitter))
    assert batch.status_code == 202
    before_reports = guarded.scalar("SELECT count(*) FROM report")
    dead = jobs.claim(engine=guarded.engine, worker="dead-worker")  # it claimed, then died
    assert dead is not None
    started = time.monotonic()
    while (claimed := jobs.claim(engine=guarded.engine, worker="live-worker")) is None:
        assert time.monotonic() - started < 10, "the job waited for the dead worker's lease"
        time.sleep(0.2)
    assert claimed == dead and time.monotonic() - started < 10

    # The live worker renews its lease while it reads: nobody takes the job from it meanwhile.
    reading_started, go_on = hold_reading(monkeypatch)
    runner = threading.Thread(
        target=jobs.run, kwargs={"engine": guarded.engine, "job_id": claimed, "worker": "live-worker"}
    )
    runner.start()
    assert reading_started.wait(10)
    time.sleep(5)  # two and a half leases
    assert jobs.claim(engine=guarded.engine, worker="thief") is None
    go_on.set()
    runner.join(30)
    status = guarded.client.get(f"/api/v1/batches/{batch.json()['id']}", headers=_bearer(submitter)).json()
    assert status["done"] == 1 and status["files"][0]["state"] == "done"
    assert guarded.scalar("SELECT count(*) FROM report") == before_reports + 1  # stored once
    _healthy(guarded)


# ---- 7. names that look alike ----------------------------------------------------------------------


def test_names_that_look_alike_are_one_body(guarded):
    submitter = _key(guarded, "submit", "read")
    printed = "北京市朝阳区\u200b教育\u3000委员会\u202c"
    assert normalise_organ(printed) == normalise_organ("北京市朝阳区教育 委员会") == "北京市朝阳区教育 委员会"
    assert normalise_organ("ＡＢＣ\t局\u00a0\u00a0") == "ABC 局"
    first = {**distinct_report(7), "organ": printed, "year": 2023}
    second = {**distinct_report(8), "organ": "北京市朝阳区教育委员会", "year": 2023}
    one = guarded.client.post("/api/v1/reports", json=first, headers=_bearer(submitter))
    two = guarded.client.post("/api/v1/reports", json=second, headers=_bearer(submitter))
    assert (one.status_code, two.status_code) == (201, 201)
    assert two.json()["version"] == 2  # the same body, a new version
    assert one.json()["organ"] == printed  # kept as printed
    keys = guarded.scalar(
        "SELECT count(DISTINCT organ_key) FROM report WHERE organ_key LIKE '北京市朝阳区教育%'"
    )
    assert keys == 1
    assert organ_key(printed) == "北京市朝阳区教育委员会"
    _healthy(guarded)


# ---- 8. what is public -------------------------------------------------------------------------------


def test_the_docs_are_public_by_default_and_behind_a_key_when_set():
    for live in open_live("sqlite", NIANBAO_PUBLIC_DOCS="false"):
        reader = _key(live, "read")
        before = _counts(live)
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert live.client.get(path).status_code == 401, path
            assert live.client.get(path, headers=_bearer(reader)).status_code == 200, path
        assert live.client.get("/static/app.css").status_code in (200, 404)  # assets: always public
        assert _counts(live) == before
        _healthy(live)
    for live in open_live("sqlite"):
        _key(live, "read")
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert live.client.get(path).status_code == 200, path
        assert live.client.get("/api/v1/reports").status_code == 401
        _healthy(live)


def test_db_connection_lost_is_recognised():
    from sqlalchemy.exc import OperationalError

    lost = OperationalError("SELECT 1", {}, Exception("terminating connection"), connection_invalidated=True)
    assert db.connection_lost(lost) and not db.connection_lost(
        OperationalError("SELECT 1", {}, Exception("x"))
    )

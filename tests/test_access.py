"""API keys, scopes, appKey signatures, and when a key is needed at all."""

from __future__ import annotations

import hashlib
import json
import time
import uuid

import pytest
from conftest import seed_report_json
from fastapi.testclient import TestClient

from app import config
from app.services import access

SEED = "002_3de73757d3cdff2d"


@pytest.fixture
def settings(monkeypatch):
    """Change a setting for one test."""

    def set_(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"NIANBAO_{name.upper()}", value)
        config.get_settings.cache_clear()

    yield set_
    monkeypatch.undo()
    config.get_settings.cache_clear()


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _report(organ: str = "访问控制测试局") -> dict:
    report = seed_report_json(SEED)
    report["organ"] = organ
    return report


def test_without_any_key_the_local_newcomer_may_do_everything(client):
    assert client.post("/api/v1/reports", json=_report()).status_code == 201
    assert client.get("/api/v1/reports").status_code == 200


def test_a_caller_from_elsewhere_needs_a_key_even_before_one_exists(client):
    remote = TestClient(client.app, client=("203.0.113.9", 40000))
    response = remote.get("/api/v1/reports")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"
    assert remote.get("/healthz").status_code == 200


def test_once_a_key_exists_every_caller_needs_one(client, session):
    reader = access.create_key(session=session, name="reader", scopes=["read"])
    submitter = access.create_key(session=session, name="portal-x", scopes=["submit", "read"])
    session.commit()
    assert client.get("/api/v1/reports").status_code == 401
    assert client.get("/api/v1/reports", headers=_bearer(reader.token)).status_code == 200
    refused = client.post("/api/v1/reports", json=_report(), headers=_bearer(reader.token))
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert client.post("/api/v1/reports", json=_report(), headers=_bearer(submitter.token)).status_code == 201
    assert (
        session.get(type(submitter.key), submitter.key.id).token_sha256
        == hashlib.sha256(submitter.token.encode()).hexdigest()
    )

    access.revoke_key(session=session, key_id=submitter.key.id)
    session.commit()
    assert client.get("/api/v1/reports", headers=_bearer(submitter.token)).status_code == 401
    forged = submitter.token[:-4] + "AAAA"
    assert client.get("/api/v1/reports", headers=_bearer(forged)).status_code == 401
    assert client.get("/api/v1/reports", headers=_bearer("not-a-key")).status_code == 401


def test_admin_implies_every_scope(client, session):
    admin = access.create_key(session=session, name="ops", scopes=["admin"])
    session.commit()
    assert client.post("/api/v1/reports", json=_report(), headers=_bearer(admin.token)).status_code == 201


def test_reads_open_to_anonymous_callers_by_setting_but_never_writes(client, session, settings):
    access.create_key(session=session, name="portal", scopes=["submit"])
    session.commit()
    settings(anonymous_read="true")
    anonymous = TestClient(client.app, client=("203.0.113.9", 40000))
    assert anonymous.get("/api/v1/rules").status_code == 200
    assert anonymous.post("/api/v1/reports", json=_report()).status_code == 401
    assert anonymous.post("/api/v1/validate", json=_report()).status_code == 401


def test_auth_on_refuses_the_local_newcomer(client, settings):
    settings(auth="on")
    assert client.get("/api/v1/reports").status_code == 401


def _signed(app_key: str, secret: str, method: str, path: str, query: str, body: bytes, **overrides) -> dict:
    timestamp = overrides.get("timestamp", str(int(time.time())))
    nonce = overrides.get("nonce", uuid.uuid4().hex)
    message = access.signing_string(method, path, query, timestamp, nonce, hashlib.sha256(body).hexdigest())
    return {
        "X-App-Key": app_key,
        "X-Timestamp": timestamp,
        "X-Nonce": nonce,
        "X-Signature": access.sign(secret, message),
        "content-type": "application/json",
    }


def test_app_key_signature(client, session):
    new = access.create_key(session=session, name="政务服务平台", scopes=["submit", "read"], signing=True)
    session.commit()
    app_key, secret = new.key.prefix, new.key.signing_secret
    body = json.dumps(_report("签名测试局")).encode()

    headers = _signed(app_key, secret, "POST", "/api/v1/reports", "", body)
    assert client.post("/api/v1/reports", content=body, headers=headers).status_code == 201
    replayed = client.post("/api/v1/reports", content=body, headers=headers)
    assert replayed.status_code == 401
    assert "X-Nonce" in replayed.json()["detail"]

    # The query is signed sorted, whatever order the caller sends it in.
    headers = _signed(app_key, secret, "GET", "/api/v1/reports", "year=2024&limit=5", b"")
    assert client.get("/api/v1/reports?limit=5&year=2024", headers=headers).status_code == 200

    stale = _signed(app_key, secret, "GET", "/api/v1/reports", "", b"", timestamp=str(int(time.time()) - 301))
    assert client.get("/api/v1/reports", headers=stale).status_code == 401
    tampered = _signed(app_key, secret, "POST", "/api/v1/reports", "", body)
    assert client.post("/api/v1/reports", content=body + b" ", headers=tampered).status_code == 401
    wrong_secret = _signed(app_key, "0" * 64, "GET", "/api/v1/reports", "", b"")
    assert client.get("/api/v1/reports", headers=wrong_secret).status_code == 401

    # The platform envelope is signed over the path the platform called.
    headers = _signed(app_key, secret, "GET", "/gov/v1/rules", "", b"")
    assert client.get("/gov/v1/rules", headers=headers).json()["code"] == "0"

"""People sign in to the pages: the form, the session cookie, CSRF, slowing failures, redirects."""

from __future__ import annotations

import re

from conftest import form_token, seed_report_json
from fastapi.testclient import TestClient
from people import PASSWORD, csrf_header, make_user, sign_in
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlmodel import Session, select

from app.main import create_app
from app.models.people import AuditEntry, UserAccount
from app.services import access, users
from app.web.auth import router as auth_router
from app.web.routes import router as web_router

SEED_001 = "001_67e027749f67ecd0"


def test_without_a_session_a_page_redirects_to_login_and_the_api_answers_401(client, session):
    make_user(session, "clerk", "clerk", organs=["第十师北屯市"])
    page = client.get("/reports?year=2024", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Freports%3Fyear%3D2024"
    assert client.get("/api/v1/reports").status_code == 401
    login = client.get("/login")
    assert login.status_code == 200 and 'name="username"' in login.text and 'name="password"' in login.text


def test_a_clerk_signs_in_by_the_form_and_uploads(client, session):
    make_user(session, "clerk", "clerk", organs=["第十师北屯市"])
    answer = sign_in(client, "clerk", target="/reports")
    assert answer.status_code == 303 and answer.headers["location"] == "/reports"
    listed = client.get("/reports")
    assert listed.status_code == 200 and "clerk" in listed.text and "退出" in listed.text
    token = form_token(client, "/")
    import json

    data = json.dumps(seed_report_json(SEED_001), ensure_ascii=False).encode()
    saved = client.post(
        "/check",
        files={"file": ("report.json", data, "application/json")},
        data={"action": "save", "csrf_token": token},
    )
    assert saved.status_code == 200 and "已保存" in saved.text
    stored = client.get("/api/v1/reports").json()
    assert [item["organ"] for item in stored["items"]] == ["第十师北屯市"]
    [report] = session.exec(
        select(AuditEntry).where(AuditEntry.action == "report.create", AuditEntry.actor == "user:clerk")
    ).all()
    assert report.target == "第十师北屯市 2024" and report.report_id == stored["items"][0]["id"]


def test_a_wrong_password_is_refused_and_repeated_failures_lock_for_a_while(client, session):
    make_user(session, "clerk", "clerk", organs=["第十师北屯市"])
    for _ in range(users.FREE_FAILURES):
        wrong = sign_in(client, "clerk", "not the password")
        assert wrong.status_code == 401 and "用户名或密码不正确" in wrong.text
    locked = sign_in(client, "clerk")  # the right password, but too soon
    assert locked.status_code == 429 and "秒后再试" in locked.text
    user = session.exec(select(UserAccount).where(UserAccount.username == "clerk")).one()
    assert user.failed_logins == users.FREE_FAILURES and user.locked_until is not None
    unknown = sign_in(client, "nobody", "whatever at all")
    assert unknown.status_code == 401 and "用户名或密码不正确" in unknown.text


def test_a_one_time_password_must_be_changed_first(client, session):
    new = users.create_user(session=session, username="sup", role="supervisor", region="659008")
    session.commit()
    assert new.password and new.user.must_change_password
    assert new.user.password_hash.startswith("$argon2id$") and new.password not in new.user.password_hash
    answer = sign_in(client, "sup", new.password)
    assert answer.headers["location"] == "/password"
    assert client.get("/reports", follow_redirects=False).headers["location"].startswith("/password")
    assert client.get("/api/v1/reports").json()["code"] == "password_change_required"
    token = form_token(client, "/password")
    short = client.post(
        "/password",
        data={"password": new.password, "new_password": "short", "confirm": "short", "csrf_token": token},
    )
    assert short.status_code == 422 and "至少 10 个字符" in short.text
    changed = client.post(
        "/password",
        data={"password": new.password, "new_password": PASSWORD, "confirm": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert client.get("/reports").status_code == 200


def test_the_session_cookie_is_httponly_lax_and_secure_behind_https(session):
    make_user(session, "clerk", "clerk", organs=["第十师北屯市"])
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        with _client(session, base) as client:
            cookie = sign_in(client, "clerk").headers["set-cookie"]
            assert cookie.startswith("nianbao_session=")
            flags = {part.strip().lower() for part in cookie.split(";")[1:]}
            assert "httponly" in flags and "samesite=lax" in flags
            assert ("secure" in flags) is secure


def test_signing_in_starts_a_new_session_and_signing_out_ends_it(session):
    """No session fixation: the cookie a visitor had before signing in never becomes a signed-in
    one, and the signed-in cookie stops working at sign-out even if it was copied."""
    make_user(session, "clerk", "clerk", organs=["第十师北屯市"])
    with _client(session) as client:
        form_token(client, "/login")
        before = client.cookies.get("nianbao_session")
        assert before
        sign_in(client, "clerk")
        after = client.cookies.get("nianbao_session")
        assert after and after != before
        token_after = form_token(client, "/reports")
        with _client(session) as other:
            other.cookies.set("nianbao_session", before)
            assert other.get("/reports", follow_redirects=False).status_code == 303
        with _client(session) as copied:
            copied.cookies.set("nianbao_session", after)
            assert copied.get("/reports").status_code == 200
        out = client.post("/logout", data={"csrf_token": token_after}, follow_redirects=False)
        assert out.status_code == 303 and out.headers["location"] == "/login"
        with _client(session) as copied:
            copied.cookies.set("nianbao_session", after)
            assert copied.get("/reports", follow_redirects=False).status_code == 303


def test_every_form_post_without_its_token_is_refused(client, session):
    make_user(session, "admin", "admin")
    sign_in(client, "admin")
    posts = sorted(
        route.path
        for router in (web_router, auth_router)
        for route in router.routes
        if "POST" in getattr(route, "methods", ())
    )
    assert {"/login", "/logout", "/check", "/password", "/admin/users"} <= set(posts)
    for path in posts:
        path = path.replace("{report_id}", "1")
        refused = client.post(
            path, data={"username": "admin", "password": PASSWORD, "action": "save", "text": "x"}
        )
        assert refused.status_code == 403, path
        assert "表单已失效" in refused.text, path
        wrong = client.post(path, data={"csrf_token": "forged", "username": "admin", "password": PASSWORD})
        assert wrong.status_code == 403, path
    # still signed in: the refused posts did nothing (logout included)
    assert client.get("/reports").status_code == 200


def test_writes_through_the_api_on_a_session_need_the_token_header(client, session):
    make_user(session, "clerk", "clerk", organs=["第十师北屯市"])
    sign_in(client, "clerk")
    report = seed_report_json(SEED_001)
    refused = client.post("/api/v1/reports", json=report)
    assert refused.status_code == 403 and refused.json()["code"] == "csrf"
    assert client.get("/api/v1/reports").json()["total"] == 0
    stored = client.post("/api/v1/reports", json=report, headers=csrf_header(client))
    assert stored.status_code == 201 and stored.json()["created_by"] == "user:clerk"


def test_keys_keep_working_for_machines_once_people_exist(client, session):
    make_user(session, "clerk", "clerk", organs=["第十师北屯市"])
    key = access.create_key(session=session, name="portal", scopes=["submit", "read"])
    session.commit()
    bearer = {"Authorization": f"Bearer {key.token}"}
    stored = client.post("/api/v1/reports", json=seed_report_json(SEED_001), headers=bearer)
    assert stored.status_code == 201 and stored.json()["created_by"] == f"key:{key.key.id}:portal"
    assert client.get("/api/v1/reports", headers=bearer).json()["total"] == 1


def test_admins_manage_people_on_a_page_and_others_may_not(client, session):
    make_user(session, "admin", "admin")
    make_user(session, "clerk", "clerk", organs=["第十师北屯市"])
    sign_in(client, "clerk")
    assert client.get("/admin/users").status_code == 403
    client.cookies.clear()
    sign_in(client, "admin")
    token = form_token(client, "/admin/users")
    made = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "action": "create",
            "username": "sup4",
            "role": "supervisor",
            "region": "659008",
        },
    )
    assert made.status_code == 200
    one_time = re.search(r'<code id="one-time">([^<]+)</code>', made.text)
    assert one_time and "sup4" in made.text
    bad = client.post(
        "/admin/users", data={"csrf_token": token, "action": "create", "username": "c2", "role": "clerk"}
    )
    assert bad.status_code == 422 and "至少一个填报单位" in bad.text
    user = session.exec(select(UserAccount).where(UserAccount.username == "sup4")).one()
    assert user.role == "supervisor" and user.region_code == "659008" and user.must_change_password
    actions = session.exec(
        select(AuditEntry.action, AuditEntry.actor).where(AuditEntry.target == "sup4")
    ).all()
    assert ("user.create", "user:admin") in actions


def _client(session: Session, base: str = "http://testserver") -> TestClient:
    from app.db import get_session

    app = create_app()

    def _session():
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

    app.dependency_overrides[get_session] = _session
    return TestClient(app, base_url=base)


def test_after_signing_in_only_a_path_of_this_site_is_followed(client, session):
    make_user(session, "clerk", "clerk", organs=["第十师北屯市"])
    for target, followed in (
        ("/reports?year=2024", "/reports?year=2024"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
    ):
        client.cookies.clear()
        assert sign_in(client, "clerk", target=target).headers["location"] == followed


def test_passwords_are_hashed_at_the_configured_cost_and_rehashed_when_it_changes(session):
    make_user(session, "cost", "supervisor")
    user = session.exec(select(UserAccount).where(UserAccount.username == "cost")).one()
    assert "$argon2id$v=19$m=8192,t=1,p=1$" in user.password_hash  # the suite's NIANBAO_PASSWORD_* settings
    dearer = PasswordHash((Argon2Hasher(time_cost=2, memory_cost=8 * 1024, parallelism=1),))
    user.password_hash = dearer.hash(PASSWORD)
    session.flush()
    users.sign_in(session=session, username="cost", password=PASSWORD)
    assert "$argon2id$v=19$m=8192,t=1,p=1$" in user.password_hash

"""Signing in in a real browser: headless Chromium against the app under uvicorn, with the
people made by the `nianbao users create` command, as an operator would."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import SEEDS
from playwright.sync_api import Browser, Page, expect, sync_playwright
from test_web_browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, WAIT_MS, _free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
SEED_001 = "001_67e027749f67ecd0"
PASSWORD = "correct horse battery"


def _cli(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, the admin's one-time password): a clerk of 北屯 with a chosen password and an
    admin with a one-time one, made on the command line before the app starts."""
    work = tmp_path_factory.mktemp("signin")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'web.db'}",
        "NIANBAO_FILE_STORE": str(work / "files"),
        "NIANBAO_SESSION_SECRET_FILE": str(work / "session-secret"),
    }
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, env=env, check=True)
    made = _cli(
        env,
        "users",
        "create",
        "clerk1",
        "--role",
        "clerk",
        "--organ",
        "第十师北屯市",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert "role:      clerk" in made and "password:" not in made
    admin = _cli(env, "users", "create", "boss", "--role", "admin")
    one_time = re.search(r"password:\s+(\S+)", admin)
    assert one_time
    key = _cli(env, "keys", "create", "--name", "beitun", "--region", "659005")
    assert "region:  659005" in key
    port = _free_port()
    log = (work / "uvicorn.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                pytest.fail(f"uvicorn exited: {(work / 'uvicorn.log').read_text()}")
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("the application did not become ready")
        yield base, one_time.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: scripts/test installs the Debian package"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def tab(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)
    yield page
    context.close()


def _sign_in(page: Page, name: str, password: str) -> None:
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_a_clerk_signs_in_uploads_and_signs_out(tab: Page, served: tuple[str, str]):
    base, _ = served
    tab.goto(f"{base}/reports")
    expect(tab).to_have_url(re.compile(r"/login\?next=%2Freports$"))
    _sign_in(tab, "clerk1", "not the password")
    expect(tab.locator(".problem")).to_contain_text("用户名或密码不正确")
    _sign_in(tab, "clerk1", PASSWORD)
    expect(tab).to_have_url(f"{base}/reports")
    expect(tab.locator("form.who")).to_contain_text("clerk1")
    [cookie] = [c for c in tab.context.cookies() if c["name"] == "nianbao_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]

    tab.goto(f"{base}/")
    tab.set_input_files("#file", str(SEEDS / f"{SEED_001}.txt"))
    tab.get_by_role("button", name="保存", exact=True).click()
    expect(tab.locator("#result .saved")).to_contain_text("已保存")
    tab.goto(f"{base}/reports")
    expect(tab.locator("table.report-list tbody tr")).to_have_count(1)
    expect(tab.locator("table.report-list tbody")).to_contain_text("第十师北屯市")

    tab.get_by_role("button", name="退出").click()
    expect(tab).to_have_url(f"{base}/login")
    tab.goto(f"{base}/reports")
    expect(tab).to_have_url(re.compile(r"/login\?next="))


def test_an_admin_changes_the_one_time_password_first(tab: Page, served: tuple[str, str]):
    base, one_time = served
    tab.goto(f"{base}/login")
    _sign_in(tab, "boss", one_time)
    expect(tab).to_have_url(f"{base}/password")
    tab.get_by_label("当前密码").fill(one_time)
    tab.get_by_label("新密码（至少 10 个字符）").fill("a new long password")
    tab.get_by_label("再次输入新密码").fill("a new long password")
    tab.get_by_role("button", name="保存新密码").click()
    expect(tab).to_have_url(f"{base}/")
    tab.goto(f"{base}/admin/users")
    expect(tab.locator("table.list")).to_contain_text("clerk1")
    expect(tab.locator("table.list")).to_contain_text("填报人员")

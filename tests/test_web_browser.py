"""The pages in a real browser: headless Chromium driven by Playwright against the app under uvicorn.

The app runs in a subprocess on a free port over a temporary SQLite database migrated with
alembic, exactly as it is served. Screenshots of every page land in tests/artifacts/ (not
committed) at 1366×768 and at a phone width.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import docx
import httpx
import openpyxl
import pytest
from conftest import SEEDS, seed_report_json
from playwright.sync_api import Browser, Page, expect, sync_playwright

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# Waits, not speed limits: a busy machine may take a while to read a file the first time.
WAIT_MS = 60_000
expect.set_options(timeout=WAIT_MS)

SEED_000 = "000_b5dc321a53ba7bbe"
SEED_001 = "001_67e027749f67ecd0"
SEED_002 = "002_3de73757d3cdff2d"
SEED_003 = "003_15b7e0ad82ac5c7e"
RESULT_TOTAL = [f"table3.result.total.{c}" for c in ("natural_person", "other_org", "total")]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The application under uvicorn on a fresh, migrated SQLite database."""
    work = tmp_path_factory.mktemp("web")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'web.db'}",
        "NIANBAO_FILE_STORE": str(work / "files"),
    }
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, env=env, check=True)
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
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: scripts/test installs the Debian package"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    yield page
    context.close()


def _seed_file(tmp_path: Path, name: str, report: dict | None = None) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(report or seed_report_json(name), ensure_ascii=False), encoding="utf-8")
    return path


def _shoot(page: Page, name: str) -> None:
    """A full-page screenshot at the desktop size, then at a phone width, where the tables and
    charts scroll inside their boxes and the page itself never scrolls sideways."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=ARTIFACTS / f"{name}-1366.png", full_page=True)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    page.screenshot(path=ARTIFACTS / f"{name}-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def _check(page: Page, server: str, path: Path, button: str = "检查") -> None:
    page.goto(f"{server}/")
    page.set_input_files("#file", str(path))
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator("#result .verdict")).to_be_visible()


def _stored(server: str, organ: str) -> int:
    return httpx.get(f"{server}/api/v1/reports", params={"organ": organ}).json()["total"]


def test_seed_001_shows_the_result_total_outlined_as_errors(page: Page, server: str, tmp_path: Path):
    _check(page, server, SEEDS / f"{SEED_001}.txt")
    expect(page.locator("#result .verdict")).to_contain_text("处错误")
    outlined = page.locator("td.fig.sev-error").evaluate_all("tds => tds.map(td => td.dataset.cell)")
    assert set(RESULT_TOTAL) <= set(outlined)
    natural = page.locator('td[data-cell="table3.result.total.natural_person"]')
    expect(natural).to_have_text("164")
    # Drawn red by the browser, not only named so in the markup.
    assert natural.evaluate("td => getComputedStyle(td).outlineColor") == "rgb(198, 40, 40)"
    # The narrative says there was no 行政复议; table 四 says one: a warning, outlined amber.
    narrative = page.locator("tr.finding", has_text="TEXT").filter(has_text="行政复议")
    expect(narrative.first).to_contain_text("警告")
    expect(page.locator('td[data-cell="table4.reconsideration.total"]')).to_have_class(
        re.compile(r"\bsev-warning\b")
    )
    # Where it was read, on hover.
    expect(natural).to_have_attribute("title", re.compile(r"出处：第 \d+ 页第 \d+ 行\n原文：164"))
    assert "第十师北屯市" in page.locator("#result h2").inner_text()
    expect(page.locator("#result .unsaved")).to_be_visible()
    # Checking keeps nothing.
    assert _stored(server, "北屯") == 0

    # A finding, chosen from the keyboard, marks every cell it read and its reported cell.
    finding = page.locator("tr.finding", has_text="T3-RESULT-SUM").first
    finding.get_by_role("button").focus()
    page.keyboard.press("Enter")
    expect(page.locator("td.hl")).to_have_count(22)
    expect(page.locator("td.hl-primary")).to_have_count(1)
    expect(page.locator("td.hl-primary")).to_have_attribute("data-cell", RESULT_TOTAL[0])
    expect(finding.locator("td").last).to_contain_text("两倍")
    expect(page.locator("tr.finding", has_text="T3-RESULT-SUM").nth(1)).to_contain_text("提示：同上一条")
    _shoot(page, "check-seed-001")


def test_seed_002_shows_no_error(page: Page, server: str):
    _check(page, server, SEEDS / f"{SEED_002}.txt")
    expect(page.locator("#result .verdict")).to_contain_text("未发现勾稽错误")
    expect(page.locator("#result .n-error")).to_have_text("0")
    expect(page.locator("td.fig.sev-error")).to_have_count(0)
    expect(page.locator("td.fig")).to_have_count(10 + 25 * 7 + 15)
    _shoot(page, "check-seed-002")


def test_pasted_text_is_checked_too(page: Page, server: str):
    page.goto(f"{server}/")
    page.get_by_label("或粘贴报告内容").fill((SEEDS / f"{SEED_002}.txt").read_text(encoding="utf-8"))
    page.get_by_role("button", name="检查", exact=True).click()
    expect(page.locator("#result .verdict")).to_contain_text("未发现勾稽错误")
    expect(page.locator("#result h2")).to_contain_text("阿什里乡")


def test_blank_and_inferred_cells_are_marked_in_the_seeds(page: Page, server: str):
    _check(page, server, SEEDS / f"{SEED_000}.txt")
    blank = page.locator('td[data-cell="table4.reconsideration.total"]')
    expect(blank).to_have_class(re.compile(r"\bst-blank\b"))
    assert blank.inner_text() != "0"
    _shoot(page, "check-seed-000")
    _check(page, server, SEEDS / f"{SEED_003}.txt")
    inferred = page.locator("td.fig.st-inferred")
    assert inferred.count() > 0
    expect(inferred.first).to_have_attribute("title", re.compile("状态：由勾稽关系推出"))
    _shoot(page, "check-seed-003")


def test_blank_cells_look_different_from_zero_and_say_where_they_came_from(
    page: Page, server: str, tmp_path: Path
):
    report = seed_report_json(SEED_002)
    report["table3"]["carried_over"]["natural_person"] = None
    _check(page, server, _seed_file(tmp_path, "blank", report))
    blank = page.locator('td[data-cell="table3.carried_over.natural_person"]')
    zero = page.locator('td[data-cell="table3.carried_over.commercial_enterprise"]')
    expect(blank).to_have_text("空")
    expect(zero).to_have_text("0")
    assert blank.evaluate("td => getComputedStyle(td).backgroundImage") != "none"
    assert zero.evaluate("td => getComputedStyle(td).backgroundImage") == "none"
    expect(blank).to_have_attribute(
        "title", "表三“二、上年结转政府信息公开申请数量”·自然人\n状态：空白\n问题：⚠ 警告（见核对结果）"
    )


def test_save_then_find_it_in_the_list_and_compare_versions(page: Page, server: str, tmp_path: Path):
    wrong = seed_report_json(SEED_001)
    wrong["organ"] = "第十师北屯市测试局"
    _check(page, server, _seed_file(tmp_path, "wrong", wrong), button="保存")
    expect(page.locator("#result .saved")).to_contain_text("第 1 版")
    assert _stored(server, "北屯市测试局") == 1

    fixed = json.loads(json.dumps(wrong))
    fixed["table3"]["result.total"].update({"natural_person": 82, "other_org": 215, "total": 297})
    _check(page, server, _seed_file(tmp_path, "fixed", fixed), button="保存")
    expect(page.locator("#result .saved")).to_contain_text("第 2 版")
    expect(page.locator("td.fig.sev-error")).to_have_count(0)

    page.goto(f"{server}/reports")
    page.get_by_label("机关名称").fill("测试局")
    page.get_by_label("勾稽错误").select_option("0")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator(".count")).to_contain_text("共 1 份报告")
    _shoot(page, "reports")
    page.get_by_role("link", name="第十师北屯市测试局").click()
    expect(page.locator(".versions")).to_contain_text("第 2 版（当前）")
    _shoot(page, "report")

    page.get_by_role("link", name="与当前版本对比").click()
    expect(page.locator("h2#diff-h")).to_have_text("改动的数（3 处）")
    changed = page.locator('.side td.changed[data-cell="table3.result.total.natural_person"]')
    expect(changed).to_have_count(2)
    expect(changed.first).to_have_text("164")
    expect(changed.last).to_have_text("82")
    _shoot(page, "compare")


def test_overview_of_the_fourth_division_shows_the_seeds_sums(page: Page, server: str):
    for name in (SEED_000, SEED_003):
        _check(page, server, SEEDS / f"{name}.txt", button="保存")
        expect(page.locator("#result .saved")).to_be_visible()
    page.goto(f"{server}/overview")
    page.get_by_label("地区（名称或区划代码）").fill("第四师可克达拉市")
    page.get_by_label("起始年度").fill("2024")
    page.get_by_label("截止年度").fill("2025")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("h2#ov-h")).to_contain_text("第四师可克达拉市")
    kaifaqu = page.locator('tr[data-region="659008900000"]')
    expect(kaifaqu.locator('[data-figure="t2-2"]')).to_have_text("86")  # 行政许可
    expect(kaifaqu.locator('[data-figure="t2-5"]')).to_have_text("923.71")  # 收费（万元）
    total = page.locator("tr.total")
    expect(total.locator("td").first).to_have_text("2")
    expect(total.locator('[data-figure="t2-2"]')).to_have_text("86")
    expect(page.locator("svg.chart")).to_have_count(6)
    expect(page.locator(".coverage")).to_contain_text("可克达拉经开区（最近一次：2024 年度）")
    _shoot(page, "overview")

    with page.expect_download() as download:
        page.get_by_role("link", name="Excel（XLSX）").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    saved = ARTIFACTS / "overview.xlsx"
    download.value.save_as(saved)
    book = openpyxl.load_workbook(saved)
    header, codes, *rows, total = list(book.active.iter_rows(values_only=True))
    assert header[0] == "地区代码"
    licensing = codes.index("table2.licensing.decisions")
    by_region = {row[0]: row[licensing] for row in rows}
    assert by_region["659008900000"] == 86 and set(by_region) == {"659008900000", "XPCC04R067"}
    assert total[0] == "合计" and total[licensing] == 86


def test_drill_down_from_the_corps_to_a_division_to_its_regiment(page: Page, server: str):
    for name in (SEED_000, SEED_003):  # stored before: the same bytes are the same report
        _check(page, server, SEEDS / f"{name}.txt", button="保存")
        expect(page.locator("#result .saved")).to_be_visible()
    page.goto(f"{server}/overview")
    page.get_by_label("地区（名称或区划代码）").fill("新疆生产建设兵团")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("h2#ov-h")).to_contain_text("新疆生产建设兵团")
    division = page.locator('tr[data-region="659008000000"]')
    expect(division.locator("td").first).to_have_text("2")
    division.get_by_role("link", name="第四师可克达拉市").click()
    expect(page.locator("h2#ov-h")).to_contain_text("第四师可克达拉市（659008000000）")
    regiment = page.locator('tr[data-region="XPCC04R067"]')
    expect(regiment.locator("th")).to_contain_text("六十七团")
    expect(regiment.locator("td").first).to_have_text("1")
    _shoot(page, "overview-division")
    regiment.get_by_role("link", name="六十七团").click()
    expect(page.locator("h2#ov-h")).to_contain_text("六十七团（XPCC04R067）")
    expect(page.locator("tr.total td").first).to_have_text("1")


def test_phone_width_scrolls_the_table_not_the_page(page: Page, server: str):
    page.set_viewport_size(PHONE)
    _check(page, server, SEEDS / f"{SEED_001}.txt")
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= PHONE["width"]
    table3 = page.locator(".scroll", has=page.locator("table.t3"))
    assert table3.evaluate("el => el.scrollWidth > el.clientWidth")


def test_the_findings_download_from_the_check_page_and_the_report_page(page: Page, server: str):
    """The 核对意见 before saving, then from the stored report's page: the same findings."""
    stored = _stored(server, "北屯")
    _check(page, server, SEEDS / f"{SEED_001}.txt")
    expect(page.locator("tr.finding.sev-row-error").first).to_contain_text("✖ 错误")
    page.get_by_label("核对意见").select_option("docx")
    with page.expect_download() as download:
        page.get_by_role("button", name="下载核对意见").click()
    assert download.value.suggested_filename.endswith(".docx")
    before = ARTIFACTS / "check-001.docx"
    download.value.save_as(before)
    messages = page.locator("tr.finding td:last-child").evaluate_all(
        "tds => tds.map(td => td.firstChild.textContent)"
    )
    assert _stored(server, "北屯") == stored  # downloading saves nothing

    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("#result .saved")).to_be_visible()
    page.get_by_role("link", name="打开已保存的报告").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Word（DOCX）").click()
    after = ARTIFACTS / "report-001.docx"
    download.value.save_as(after)
    for path in (before, after):
        listing = docx.Document(str(path)).tables[1]
        said = [row.cells[6].text for row in listing.rows[1:]]
        assert len(said) == len(messages)
        assert all(text.startswith(message.strip()) for text, message in zip(said, messages, strict=True))
    page.goto(f"{server}/reports/abc")
    expect(page.locator(".problem")).to_contain_text("报告编号应为整数")

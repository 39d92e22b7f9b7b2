"""The board in a real browser (Debian's chromium, driven by Playwright): it shows the seeded data,
updates itself without a reload when a separate `statusboard mcp` process writes, shows an item's
history, works from the keyboard, and logs no console error on the way."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from statusboard.config import Settings
from statusboard.wiring import build_app
from tests.web.conftest import Board, seed_board

pytestmark = pytest.mark.slow
playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
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
START_TIMEOUT_S = 30
WAIT_MS = 10_000  # how long the page may take to show a write: far above the 1 s it is built for


def _env(database_url: str) -> dict[str, str]:
    home = os.environ.get("HOME", "/tmp")
    return {"PATH": os.environ["PATH"], "HOME": home, "STATUSBOARD_DATABASE_URL": database_url}


@pytest.fixture
def seeded(database_url: str) -> Board:
    app = build_app(Settings(database_url=database_url))
    try:
        return seed_board(app)
    finally:
        app.close()


@pytest.fixture
def board_url(seeded: Board, database_url: str, tmp_path: Path) -> Iterator[str]:
    """`statusboard serve` on a free port, as a separate process."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "statusboard", "serve", "--port", "0"],
        env=_env(database_url),
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stderr is not None
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stderr], daemon=True).start()  # type: ignore[union-attr]
    try:
        line = lines.get(timeout=START_TIMEOUT_S)
        match = re.search(r"http://127\.0\.0\.1:(\d+)/mcp", line)
        assert match, line
        yield f"http://127.0.0.1:{match.group(1)}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=START_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=START_TIMEOUT_S)


@pytest.fixture
def page(board_url: str, tmp_path: Path) -> Iterator[Any]:
    """A page in a fresh chromium profile (closed before the server stops); fails the test if the
    page logs an error."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does when it is missing)")
    problems: list[str] = []
    with playwright_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        context.set_default_timeout(WAIT_MS)
        tab = context.new_page()
        tab.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        tab.on("pageerror", lambda error: problems.append(str(error)))
        try:
            yield tab
        finally:
            context.close()
    assert problems == [], f"the page logged errors: {problems}"


def _live(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#live-state.live")  # the event stream is open


def test_the_board_shows_the_seeded_data(page: Any, board_url: str, seeded: Board) -> None:
    _live(page, board_url)
    tree = page.locator(".tree-section")
    for title in ("Invoice extraction", "Sprint 14 session", "Parse Excel exports", "OCR scanned receipts"):
        assert tree.get_by_role("link", name=title).is_visible()
    claimed = page.locator(f'.tree [data-id="{seeded.claimed["id"]}"]')
    assert "claude-1" in claimed.inner_text()
    assert re.search(r"1[45]:\d\d left", claimed.locator(".lease").inner_text())
    assert "waiting for OCR licence" in page.locator("#blocked-heading + ol").inner_text()
    assert "Globex Ledger" in page.locator(".broken").inner_text()
    assert "Faster Excel parsing" in page.locator(".timeline").inner_text()


async def _write_over_mcp(database_url: str, cwd: Path, arguments: dict[str, Any]) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "statusboard", "mcp"],
        env=_env(database_url) | {"STATUSBOARD_CLIENT_ID": "agent-in-another-process"},
        cwd=str(cwd),
    )
    async with Client(params, read_timeout_seconds=START_TIMEOUT_S) as client:
        result = await client.call_tool("create_work_item", arguments)
        assert result.is_error is False, result.content


def _in_a_thread(fn: Any, *args: Any) -> None:
    """Runs an async function to its end on its own event loop (Playwright's sync API holds this thread's)."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            anyio.run(fn, *args)
        except BaseException as exc:
            failures.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=START_TIMEOUT_S * 2)
    assert not worker.is_alive(), "the MCP write did not finish"
    if failures:
        raise failures[0]


def test_a_write_by_a_separate_mcp_process_appears_without_a_reload(
    page: Any, board_url: str, seeded: Board, database_url: str, tmp_path: Path
) -> None:
    _live(page, board_url)
    page.evaluate("window.loadedOnce = true")
    arguments = {"item_type": "task", "title": "Written by another agent", "parent_id": seeded.session["id"]}
    _in_a_thread(_write_over_mcp, database_url, tmp_path, arguments)
    page.locator(".tree-section").get_by_role("link", name="Written by another agent").wait_for()
    assert page.evaluate("window.loadedOnce") is True, "the page was reloaded"
    assert "agent-in-another-process" in page.locator(".feed").inner_text()


def test_an_item_page_shows_its_history(page: Any, board_url: str, seeded: Board) -> None:
    _live(page, board_url)
    page.locator(".tree-section").get_by_role("link", name="OCR scanned receipts").click()
    page.wait_for_url(f"**/items/{seeded.blocked['id']}")
    page.wait_for_selector("#live-state.live")
    history = page.locator("table.history").inner_text()
    assert re.search(r"copilot\s+update\s+metadata\.blocked_reason: — → waiting for OCR licence", history)
    assert re.search(r"status: active → blocked", history)
    assert re.search(r"alice\s+create", history)
    assert "Sprint 14 session" in page.locator(".crumbs").inner_text()


def test_the_board_works_from_the_keyboard(page: Any, board_url: str) -> None:
    _live(page, board_url)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the board"
    page.get_by_label("Title contains").focus()
    page.keyboard.type("excel")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=excel**")
    page.wait_for_selector("#live-state.live")
    tree = page.locator(".tree-section")
    assert tree.get_by_role("link", name="Parse Excel exports").is_visible()
    assert tree.get_by_role("link", name="OCR scanned receipts").count() == 0
    link = tree.get_by_role("link", name="Parse Excel exports")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/items/**")
    assert page.locator("h1").inner_text().endswith("Parse Excel exports")

"""The board in a real browser where tokens are on (an agent is registered, so `statusboard serve`
requires them): an anonymous viewer is refused and sees only the sign-in form; a token given
once at /login opens the board, which then stays live on its session cookie."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from statusboard.config import Settings
from statusboard.wiring import build_app
from tests.web.conftest import seed_board
from tests.web.test_board_browser import CHROMIUM, CHROMIUM_ARGS, START_TIMEOUT_S, WAIT_MS, _env

pytestmark = pytest.mark.slow
playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def viewer_token(database_url: str) -> str:
    """The seed's board, and one registered agent (a viewer): its token."""
    app = build_app(Settings(database_url=database_url))
    try:
        seed_board(app)
        return app.agents.add("watcher", "viewer").token
    finally:
        app.close()


@pytest.fixture
def board_url(viewer_token: str, database_url: str, tmp_path: Path) -> Iterator[str]:
    """`statusboard serve` with its defaults (tokens, since an agent is registered), as a process."""
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
        match = re.search(r"http://127\.0\.0\.1:(\d+)/mcp.*tokens required", line)
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
def browser_page(board_url: str, tmp_path: Path) -> Iterator[tuple[Any, list[str]]]:
    """A page in a fresh chromium profile, with what it logged as errors."""
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
            yield tab, problems
        finally:
            context.close()


def test_with_tokens_on_the_board_refuses_an_anonymous_viewer(
    browser_page: tuple[Any, list[str]], board_url: str
) -> None:
    page, _ = browser_page
    response = page.goto(board_url)
    assert response.status == 401
    assert page.get_by_role("heading", name="Sign in").is_visible()
    assert page.locator(".tree-section").count() == 0
    assert "Parse Excel exports" not in page.content()
    assert page.context.cookies() == []
    events = page.evaluate("fetch('/events').then(r => r.status)")
    assert events == 401


def test_a_token_given_once_at_login_opens_the_live_board(
    browser_page: tuple[Any, list[str]], board_url: str, viewer_token: str
) -> None:
    page, problems = browser_page
    page.goto(f"{board_url}/login")
    page.get_by_label("Token").fill("sb_0123456789abcdef_not-a-token")
    page.get_by_role("button", name="Sign in").click()
    assert "unknown or was revoked" in page.get_by_role("alert").inner_text()
    page.get_by_label("Token").fill(viewer_token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#live-state.live")  # the page, and its event stream, on the session cookie
    assert page.locator(".tree-section").get_by_role("link", name="Parse Excel exports").is_visible()
    (cookie,) = page.context.cookies()
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict" and cookie["value"] != viewer_token
    assert page.evaluate("document.cookie") == ""  # no script reads it
    assert [p for p in problems if "401" not in p] == []  # the refused sign-in above is the only error

"""`statusboard log`: one line per change-log entry for people, the last N or everything after a
seq, and --follow printing writes as they commit, also those of other processes."""

from __future__ import annotations

import io
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import anyio
import pytest

from statusboard.config import Settings
from statusboard.interfaces.cli.log import _print_log, run_log
from statusboard.interfaces.cli.log_lines import entry_line, local_time
from statusboard.interfaces.cli.main import main
from statusboard.wiring import App, build_app
from tests.conftest import mcp_client

WAIT_S = 30


def log_lines(database_url: str, *, since: int | None = None, limit: int = 20) -> list[str]:
    out = io.StringIO()
    assert run_log(Settings(database_url=database_url), follow=False, since=since, limit=limit, out=out) == 0
    return out.getvalue().splitlines()


async def call_tool(app: App, tool: str, arguments: dict[str, Any], actor: str = "agent-a") -> dict[str, Any]:
    """One tool call through an MCP client that declares `actor`."""
    async with mcp_client(app, actor) as client:
        result = await client.call_tool(tool, arguments)
    assert result.is_error is False, result.content
    return dict(result.structured_content or {})


def call(app: App, tool: str, arguments: dict[str, Any], actor: str = "agent-a") -> dict[str, Any]:
    return anyio.run(call_tool, app, tool, arguments, actor)


def create(app: App, title: str, actor: str = "agent-a") -> dict[str, Any]:
    return call(app, "create_work_item", {"item_type": "task", "title": title}, actor)


def test_an_entry_reads_as_seq_time_actor_op_entity_title_and_fields() -> None:
    entry = {
        "seq": 42,
        "entity": "work_item",
        "entity_id": "3f2a9c1e-0000-4000-8000-000000000000",
        "version": 3,
        "op": "update",
        "actor": "claude-code",
        "at": "2026-03-01T13:05:09+00:00",
        "fields": {"status": "completed", "metadata": {"estimated_hours": 3}, "blocked_reason": "x" * 80},
    }
    line = entry_line(entry, "Write the parser")
    assert line == (
        f"#42  {local_time(entry['at'])}  claude-code  update  work_item 3f2a9c1e  "
        '"Write the parser"  status=completed metadata{estimated_hours} blocked_reason'
    )


def test_an_entry_never_shows_a_claim_token() -> None:
    entry = {
        "seq": 7,
        "entity": "work_item",
        "entity_id": "3f2a9c1e-0000-4000-8000-000000000000",
        "version": 1,
        "op": "claim",
        "actor": "a",
        "at": "2026-03-01T13:05:09+00:00",
        "fields": {"holder": "a", "claim_token": "secret-token-value", "nested": {"claim_token": "x"}},
    }
    line = entry_line(entry, None)
    assert "secret-token-value" not in line and "claim_token" not in line


def test_log_prints_each_write_with_the_title_of_its_item(app: App, database_url: str) -> None:
    item = create(app, "Write the parser")
    call(app, "update_work_item", {"id": item["id"], "version": 1, "status": "completed"}, "agent-b")
    lines = log_lines(database_url)
    assert len(lines) == 2
    assert lines[0].startswith("#1  ") and "agent-a  create  work_item" in lines[0] and '"Write the parser"' in lines[0]
    # The update's entry carries no title: it is looked up.
    assert "agent-b  update  work_item" in lines[1] and '"Write the parser"' in lines[1]
    assert "status=completed" in lines[1]


def test_log_shows_the_last_n_entries_or_every_entry_after_a_seq(app: App, database_url: str) -> None:
    for n in range(5):
        create(app, f"item {n}")
    assert [line.split()[0] for line in log_lines(database_url, limit=2)] == ["#4", "#5"]
    assert [line.split()[0] for line in log_lines(database_url, since=2, limit=1)] == ["#3", "#4", "#5"]
    assert log_lines(database_url, limit=0) == []


def test_log_fails_with_one_line_when_the_database_does_not_answer(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STATUSBOARD_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert main(["log"]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("statusboard: ")


class LineStream(io.StringIO):
    """Stands for stdout: hands each printed line to the test as it comes."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: queue.Queue[str] = queue.Queue()
        self._partial = ""

    def write(self, text: str) -> int:
        *complete, self._partial = (self._partial + text).split("\n")
        for line in complete:
            self.lines.put(line)
        return len(text)


@pytest.mark.anyio
async def test_follow_prints_the_writes_after_the_last_entries(app: App) -> None:
    await call_tool(app, "create_work_item", {"item_type": "task", "title": "before"})
    out = LineStream()
    async with anyio.create_task_group() as group:
        group.start_soon(_print_log, app, True, None, 1, out)
        assert '"before"' in await anyio.to_thread.run_sync(out.lines.get, True, WAIT_S)
        await call_tool(app, "create_work_item", {"item_type": "task", "title": "after"})
        line = await anyio.to_thread.run_sync(out.lines.get, True, WAIT_S)
        group.cancel_scope.cancel()
    assert line.startswith("#2  ") and '"after"' in line


@pytest.mark.slow
def test_follow_prints_a_write_made_by_another_process_and_ctrl_c_ends_it(database_url: str, tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "STATUSBOARD_DATABASE_URL": database_url}
    follower = subprocess.Popen(
        [sys.executable, "-m", "statusboard", "log", "--follow"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    printed: queue.Queue[str] = queue.Queue()
    said: queue.Queue[str] = queue.Queue()
    assert follower.stdout is not None and follower.stderr is not None
    threading.Thread(target=lambda: [printed.put(line) for line in follower.stdout], daemon=True).start()  # type: ignore[union-attr]
    threading.Thread(target=lambda: [said.put(line) for line in follower.stderr], daemon=True).start()  # type: ignore[union-attr]
    try:
        assert "following the change log" in said.get(timeout=WAIT_S)
        writer = build_app(Settings(database_url=database_url))
        try:
            create(writer, "written elsewhere", actor="another-process")
        finally:
            writer.close()
        line = printed.get(timeout=WAIT_S)
        assert "another-process  create  work_item" in line and '"written elsewhere"' in line
        follower.send_signal(signal.SIGINT)
        assert follower.wait(timeout=WAIT_S) == 0
    finally:
        if follower.poll() is None:
            follower.kill()
            follower.wait(timeout=WAIT_S)

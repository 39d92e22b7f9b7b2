"""What `statusboard mcp` answers to lines a client should not have sent, and to a client that
writes its requests and closes its end at once: every request gets an answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow
TIMEOUT_S = 60
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}},
}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def exchange(tmp_path: Path, text: str) -> list[dict[str, Any]]:
    """Writes `text` to a fresh server's stdin, closes it, and returns every message it wrote back."""
    env = {"PATH": os.environ["PATH"], "STATUSBOARD_DATABASE_URL": f"sqlite:///{tmp_path / 'status.db'}"}
    done = subprocess.run(
        [sys.executable, "-m", "statusboard", "mcp"],
        input=text,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def lines(*messages: dict[str, Any] | str) -> str:
    return "".join((m if isinstance(m, str) else json.dumps(m)) + "\n" for m in messages)


def test_an_unreadable_line_is_answered_with_a_parse_error_and_the_session_goes_on(tmp_path: Path) -> None:
    ping = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "ping", "arguments": {}}}
    answers = exchange(
        tmp_path, lines(INITIALIZE, INITIALIZED, "this is not json", '{"jsonrpc": "2.0", "id": 9', "", ping)
    )
    errors = [a["error"] for a in answers if "error" in a]
    assert errors == [{"code": -32700, "message": "Parse error"}] * 2  # the blank line asked nothing
    assert all(a["id"] is None for a in answers if "error" in a)
    assert any(a.get("id") == 2 and not a["result"].get("isError") for a in answers)


def test_a_message_that_is_not_json_rpc_is_an_invalid_request_naming_its_id(tmp_path: Path) -> None:
    answers = exchange(tmp_path, lines(INITIALIZE, INITIALIZED, '{"jsonrpc": "2.0", "id": 7, "method": 5}', '{"a": 1}'))
    errors = [(a["id"], a["error"]["code"]) for a in answers if "error" in a]
    assert errors == [(7, -32600), (None, -32600)]


def test_every_request_written_before_stdin_closes_is_answered(tmp_path: Path) -> None:
    calls = [
        {
            "jsonrpc": "2.0",
            "id": 100 + n,
            "method": "tools/call",
            "params": {"name": "create_work_item", "arguments": {"item_type": "task", "title": f"task {n}"}},
        }
        for n in range(12)
    ]
    answers = exchange(tmp_path, lines(INITIALIZE, INITIALIZED, *calls))
    answered = {a["id"] for a in answers if "result" in a and not a["result"].get("isError")}
    assert answered >= {call["id"] for call in calls}

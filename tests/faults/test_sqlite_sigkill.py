"""SQLite default: a `statusboard mcp` server killed with SIGKILL in the middle of writes
leaves a database that passes `PRAGMA integrity_check` and holds every acknowledged write.

The test drives a real `statusboard mcp` subprocess with raw JSON-RPC over its stdin and
stdout, so that it knows the server's PID and can pipeline many tool calls without waiting
for their replies. Once some replies are in and many requests are still unanswered, it
sends SIGKILL. A write counts as acknowledged when its success reply reached the pipe
(every reply read before or after the kill). Then plain sqlite3 checks the file, and the
next round's fresh server opens the killed database and writes again. Three rounds on one
file, each killed at a different point; a last server confirms the file is still writable.

Every wait is bounded (a reader thread feeds a queue read with timeouts); nothing sleeps.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mcp_types as types
import pytest

START_TIMEOUT_S = 60.0  # from launch to the initialize reply (imports and migrations, on a busy machine)
REPLY_TIMEOUT_S = 30.0  # between two replies while writes are in flight
EXIT_TIMEOUT_S = 10.0  # for the killed (or closed) server to be reaped
BURST = 100  # writes pipelined per round: creates, and updates of the items earlier rounds left
KILL_AFTER_REPLIES = (30, 45, 60)  # one round per entry: SIGKILL after this many burst replies
CLIENT_ID = "sigkill-test"

Ack = tuple[str, int]  # (work item id, acknowledged version)


@dataclass
class Server:
    """One `statusboard mcp` subprocess spoken to in raw JSON-RPC (newline-delimited)."""

    proc: subprocess.Popen[bytes]
    stderr_path: Path
    replies: queue.Queue[dict[str, Any] | None] = field(default_factory=queue.Queue)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()

    def call_tool(self, name: str, arguments: dict[str, Any]) -> int:
        """Writes one tools/call request without waiting for its reply; returns its id."""
        request_id = next(self.ids)
        params = {"name": name, "arguments": arguments}
        self.send({"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params})
        return request_id

    def next_reply(self, timeout: float) -> dict[str, Any] | None:
        """The next response from the server (None once its stdout is closed)."""
        while True:
            try:
                message = self.replies.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"no reply from the server within {timeout}s\n{self.stderr_tail()}")
            if message is None or "id" in message:
                return message  # anything else is a notification: skip it

    def stderr_tail(self) -> str:
        text = self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""
        return "server stderr (tail):\n" + text[-3000:]


@contextlib.contextmanager
def stdio_server(database: Path, workdir: Path, name: str) -> Iterator[Server]:
    """Starts `python -m statusboard mcp` on `database` and completes the MCP handshake."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(workdir)),
        "STATUSBOARD_DATABASE_URL": f"sqlite:///{database}",
        "STATUSBOARD_CLIENT_ID": CLIENT_ID,
        "STATUSBOARD_CACHE_PATH": str(workdir / "cache.db"),
        "STATUSBOARD_MARKDOWN_PATH": str(workdir / "project_status.md"),
        "STATUSBOARD_GIT_REPO": str(workdir),
    }
    stderr_path = workdir / f"{name}.stderr"
    with stderr_path.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "statusboard", "mcp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
            cwd=workdir,
        )
    server = Server(proc, stderr_path)
    reader = threading.Thread(target=_read_lines, args=(proc, server.replies), name=f"{name}-stdout", daemon=True)
    reader.start()
    try:
        server.send(
            {
                "jsonrpc": "2.0",
                "id": 0,
                "method": "initialize",
                "params": {
                    "protocolVersion": types.LATEST_PROTOCOL_VERSION,
                    "capabilities": {},
                    "clientInfo": {"name": CLIENT_ID, "version": "1"},
                },
            }
        )
        reply = server.next_reply(START_TIMEOUT_S)
        assert reply is not None and "result" in reply, f"initialize failed: {reply}\n{server.stderr_tail()}"
        server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        yield server
    finally:
        if proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError):  # a killed server's unread input is moot
                proc.stdin.close()  # a live server ends at the end of its input
        try:
            proc.wait(timeout=EXIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=EXIT_TIMEOUT_S)
        reader.join(timeout=EXIT_TIMEOUT_S)  # the server is gone, so its stdout is at its end
        if proc.stdout is not None:
            proc.stdout.close()


def _read_lines(proc: subprocess.Popen[bytes], replies: queue.Queue[dict[str, Any] | None]) -> None:
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if line.strip():
                replies.put(json.loads(line))
    except (OSError, ValueError) as exc:  # a closed pipe, or a line that is not JSON
        replies.put({"id": None, "reader_error": repr(exc)})
    finally:
        replies.put(None)


def _tool_body(reply: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    """(acknowledged, body) of a tools/call reply."""
    result = reply.get("result")
    if result is None:
        return False, reply
    body = result.get("structuredContent")
    if body is None:
        body = json.loads(result["content"][0]["text"])
    return (not result.get("isError", False) and body.get("success") is True), body


def _collect(server: Server, pending: dict[int, str], count: int) -> list[Ack]:
    """Reads `count` replies to requests in `pending` (removing them); every one must succeed."""
    acks = []
    for _ in range(count):
        reply = server.next_reply(REPLY_TIMEOUT_S)
        assert reply is not None, f"the server closed its stdout\n{server.stderr_tail()}"
        acks.append(_acknowledged(server, pending, reply))
    return acks


def _acknowledged(server: Server, pending: dict[int, str], reply: dict[str, Any]) -> Ack:
    tool = pending.pop(reply["id"], None)
    assert tool is not None, f"a reply to no pending request: {reply}"
    ok, body = _tool_body(reply)
    assert ok, f"{tool} was refused: {body}\n{server.stderr_tail()}"
    return _canonical(body["id"]), int(body["version"])


def _canonical(item_id: str) -> str:
    return str(uuid.UUID(str(item_id)))


def _burst_and_kill(server: Server, existing: dict[str, int], kill_after: int, round_no: int) -> tuple[list[Ack], int]:
    """Pipelines BURST writes without waiting: updates of the `existing` items (id: current version),
    one each, interleaved with new creates. SIGKILLs the server after `kill_after` replies.
    Returns every acknowledged write, and how many requests were answered."""
    pending: dict[int, str] = {}
    updates = iter(list(existing.items())[: BURST // 2])
    for n in range(BURST):
        target = next(updates, None) if n % 2 else None
        arguments: dict[str, Any]
        if target is None:
            arguments = {"item_type": "task", "title": f"round {round_no} write {n}"}
            pending[server.call_tool("create_work_item", arguments)] = "create"
        else:
            arguments = {"id": target[0], "version": target[1], "title": f"round {round_no} write {n}"}
            pending[server.call_tool("update_work_item", arguments)] = "update"

    acks = _collect(server, pending, kill_after)
    os.kill(server.proc.pid, signal.SIGKILL)
    returncode = server.proc.wait(timeout=EXIT_TIMEOUT_S)
    assert returncode == -signal.SIGKILL, f"the server ended with {returncode}, not by SIGKILL"

    # Whatever reached the pipe before the kill was acknowledged too: a client may have read it.
    while (reply := server.next_reply(EXIT_TIMEOUT_S)) is not None:
        acks.append(_acknowledged(server, pending, reply))
    return acks, len(acks)


def _check_database(database: Path, acks: list[Ack]) -> dict[str, int]:
    """integrity_check is ok; every acknowledged write is in the items and in the change log; and
    no write is half there (each item's current version is logged, each logged version reached).
    Returns each item's version."""
    conn = sqlite3.connect(database, timeout=10)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        items = {
            _canonical(row[0]): (int(row[1]), row[2])
            for row in conn.execute("SELECT id, version, deleted_at FROM work_items")
        }
        logged = {
            (_canonical(row[0]), int(row[1]))
            for row in conn.execute("SELECT entity_id, version FROM change_log WHERE entity = 'work_item'")
        }
    finally:
        conn.close()
    missing = [ack for ack in acks if ack[0] not in items]
    assert not missing, f"{len(missing)} acknowledged creates are gone, e.g. {missing[:3]}"
    behind = [(ack, items[ack[0]][0]) for ack in acks if items[ack[0]][0] < ack[1]]
    assert not behind, f"{len(behind)} items are behind their acknowledged version, e.g. {behind[:3]}"
    deleted = [ack for ack in acks if items[ack[0]][1] is not None]
    assert not deleted, f"acknowledged items were deleted: {deleted[:3]}"
    unlogged = [ack for ack in acks if ack not in logged]
    assert not unlogged, f"{len(unlogged)} acknowledged writes have no change_log entry, e.g. {unlogged[:3]}"
    unlogged_items = [(item_id, version) for item_id, (version, _) in items.items() if (item_id, version) not in logged]
    assert not unlogged_items, f"items whose current version has no change_log entry: {unlogged_items[:3]}"
    orphans = [entry for entry in logged if entry[0] not in items or items[entry[0]][0] < entry[1]]
    assert not orphans, f"change_log entries for writes the items do not show: {orphans[:3]}"
    return {item_id: version for item_id, (version, _) in items.items()}


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sigkill_mid_write_keeps_every_acknowledged_write(database_url: str, tmp_path: Path) -> None:
    database = Path(database_url.removeprefix("sqlite:///"))
    acknowledged: list[Ack] = []
    versions: dict[str, int] = {}  # every item in the file and its version, as read after the last kill
    for round_no, kill_after in enumerate(KILL_AFTER_REPLIES):
        # From the second round on, this fresh server opens the database the last one died on,
        # and updates the items that survived it (acknowledged or not).
        with stdio_server(database, tmp_path / "servers", f"round-{round_no}") as server:
            acks, answered = _burst_and_kill(server, versions, kill_after, round_no)
        assert answered < BURST, f"round {round_no}: all {BURST} writes were answered before the kill; kill earlier"
        acknowledged += acks
        versions = _check_database(database, acknowledged)

    # The killed database still takes writes: a new item, and an update of an acknowledged one.
    last_id, last_version = acknowledged[-1]
    current = versions[last_id]
    assert current >= last_version
    with stdio_server(database, tmp_path / "servers", "after") as server:
        pending = {
            server.call_tool("create_work_item", {"item_type": "task", "title": "after the kills"}): "create",
            server.call_tool(
                "update_work_item", {"id": last_id, "version": current, "title": "updated after"}
            ): "update",
        }
        after = _collect(server, pending, 2)
    assert sorted(version for _, version in after) == sorted([1, current + 1])
    _check_database(database, acknowledged + after)

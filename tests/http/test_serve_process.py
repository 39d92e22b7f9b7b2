"""`statusboard serve` and `statusboard agent` as real processes: who may start a server where,
the call log on stderr, and a revoke by the command reaching a running server."""

from __future__ import annotations

import re
import time
from pathlib import Path

import anyio
import httpx2
import pytest

from statusboard.services.agents import REVALIDATE
from tests.http.conftest import call, mcp_over_http, post_mcp
from tests.http.processes import add_agent, command_env, run_cli, serve

pytestmark = pytest.mark.slow
NAME = r'"(?:[^"\\]|\\.)*"|[^\s"]+'  # plain, or quoted as JSON
LOG_LINE = re.compile(
    rf"^(?P<time>\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z) actor=(?P<actor>{NAME}) tool=(?P<tool>{NAME}) "
    r"outcome=(?P<outcome>\S+) ms=(?P<ms>\d+\.\d)$"
)


@pytest.mark.parametrize("auth", [["--auth", "none"], []], ids=["auth-none", "no-agent-registered"])
def test_serve_refuses_a_non_loopback_bind_without_tokens(database_url: str, tmp_path: Path, auth: list[str]) -> None:
    env = command_env(database_url)
    if auth:  # even with agents registered, --auth none is loopback only
        add_agent("claude-1", "agent", env=env, cwd=tmp_path)
    done = run_cli("serve", "--host", "0.0.0.0", "--port", "0", *auth, env=env, cwd=tmp_path)
    assert done.returncode != 0
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("statusboard: refusing to serve on 0.0.0.0")


def test_serve_on_a_non_loopback_bind_requires_tokens_once_an_agent_is_registered(
    database_url: str, tmp_path: Path
) -> None:
    env = command_env(database_url)
    token = add_agent("claude-1", "agent", env=env, cwd=tmp_path)
    with serve("--host", "0.0.0.0", env=env, cwd=tmp_path) as served:
        assert post_mcp(served.url).status_code == 401
        assert post_mcp(served.url, token).status_code == 200


def test_serve_on_loopback_without_agents_serves_every_client_as_itself(database_url: str, tmp_path: Path) -> None:
    env = command_env(database_url)
    with serve(env=env, cwd=tmp_path) as served:
        assert post_mcp(served.url).status_code == 200


def test_agent_add_prints_the_token_alone_on_the_last_line_of_stdout(database_url: str, tmp_path: Path) -> None:
    env = command_env(database_url)
    added = run_cli("agent", "add", "claude-1", "--role", "viewer", env=env, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    *_, last = added.stdout.splitlines()
    assert re.fullmatch(r"sb_[0-9a-f]{16}_[A-Za-z0-9_-]{43}", last)
    listed = run_cli("agent", "list", env=env, cwd=tmp_path)
    assert re.search(r"^claude-1\s+viewer\s", listed.stdout, re.MULTILINE) and last not in listed.stdout
    twice = run_cli("agent", "add", "claude-1", env=env, cwd=tmp_path)
    assert twice.returncode != 0 and twice.stdout == "" and len(twice.stderr.strip().splitlines()) == 1
    assert run_cli("agent", "revoke", "claude-1", env=env, cwd=tmp_path).returncode == 0
    assert "claude-1" not in run_cli("agent", "list", env=env, cwd=tmp_path).stdout
    assert "claude-1" in run_cli("agent", "list", "--all", env=env, cwd=tmp_path).stdout
    unknown = run_cli("agent", "revoke", "claude-1", env=env, cwd=tmp_path)
    assert unknown.returncode != 0 and unknown.stderr.strip() == "statusboard: agent not found: claude-1"


def test_each_tool_call_logs_one_line_without_tokens_or_arguments(database_url: str, tmp_path: Path) -> None:
    env = command_env(database_url, STATUSBOARD_CLIENT_ID="everyone")
    writer = add_agent("claude 1", "agent", env=env, cwd=tmp_path)
    viewer = add_agent("watcher", "viewer", env=env, cwd=tmp_path)

    async def calls(url: str) -> None:
        async with mcp_over_http(url, writer, name="declared") as client:
            assert (await call(client, "create_work_item", {"item_type": "task", "title": "SECRET-TITLE"}))[0] == "ok"
            assert (await call(client, "create_work_item", {"item_type": "task"}))[0] == "ValidationError"
        async with mcp_over_http(url, viewer, mode="legacy") as client:
            assert (await call(client, "trigger_archiving"))[0] == "PermissionDeniedError"
            with pytest.raises(Exception, match="unknown tool"):
                await client.call_tool("no_such_tool", {})

    with serve(env=env, cwd=tmp_path) as served:
        anyio.run(calls, served.url)
        lines = served.stop()
    logged = [m.groupdict() for m in map(LOG_LINE.match, lines) if m]
    assert [(e["actor"], e["tool"], e["outcome"]) for e in logged] == [
        ('"claude 1"', "create_work_item", "ok"),
        ('"claude 1"', "create_work_item", "ValidationError"),
        ("watcher", "trigger_archiving", "PermissionDeniedError"),
        ("watcher", "no_such_tool", "ProtocolError:-32602"),
    ]
    text = "\n".join(lines)
    assert writer not in text and viewer not in text and "SECRET-TITLE" not in text


def test_a_token_revoked_by_the_command_is_refused_by_the_running_server(database_url: str, tmp_path: Path) -> None:
    env = command_env(database_url)
    token = add_agent("claude-1", "agent", env=env, cwd=tmp_path)
    with serve(env=env, cwd=tmp_path) as served:
        assert post_mcp(served.url, token).status_code == 200
        assert run_cli("agent", "revoke", "claude-1", env=env, cwd=tmp_path).returncode == 0
        deadline = time.monotonic() + 10 * REVALIDATE.total_seconds() + 10
        status = 200
        while status != 401 and time.monotonic() < deadline:  # bounded: REVALIDATE says how soon
            status = post_mcp(served.url, token).status_code
        assert status == 401
        assert httpx2.get(f"{served.url}/health", timeout=10).json() == {"status": "ok"}

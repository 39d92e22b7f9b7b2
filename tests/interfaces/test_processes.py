"""The commands as real processes: stdio MCP, HTTP MCP with /health, db upgrade, failures."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import mcp_types as types
import pytest
from mcp import Client, StdioServerParameters

from statusboard.storage import schema
from statusboard.storage.engine import build_engine

STARTUP_TIMEOUT_S = 30


def command_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "STATUSBOARD_DATABASE_URL": database_url}
    return env | extra


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "statusboard", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=STARTUP_TIMEOUT_S,
    )


def test_db_upgrade_creates_the_schema_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'status.db'}"
    done = run_cli("db", "upgrade", env=command_env(url), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    engine = build_engine(url)
    assert schema.current_revision(engine) == schema.head_revision()
    engine.dispose()


def test_default_database_is_created_under_the_working_directory(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    done = run_cli("db", "upgrade", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / ".statusboard" / "status.db").is_file()


def test_a_failing_command_exits_non_zero_with_one_line_on_stderr(tmp_path: Path) -> None:
    done = run_cli("db", "upgrade", env=command_env("mysql://nowhere/db"), cwd=tmp_path)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("statusboard: ")


def test_unreachable_postgres_fails_fast_with_a_reason(tmp_path: Path) -> None:
    done = run_cli("db", "upgrade", env=command_env("postgresql://nobody@127.0.0.1:1/none"), cwd=tmp_path)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1].startswith("statusboard: ")


@pytest.mark.anyio
async def test_stdio_server_records_the_declared_client_name(database_url: str, tmp_path: Path) -> None:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "statusboard", "mcp"], env=command_env(database_url), cwd=str(tmp_path)
    )
    info = types.Implementation(name="claude-desktop", version="1")
    async with Client(params, client_info=info, read_timeout_seconds=STARTUP_TIMEOUT_S) as client:
        created = await client.call_tool("create_work_item", {"item_type": "task", "title": "over stdio"})
        assert created.is_error is False
        item_id = created.structured_content["id"]
        read = await client.call_tool("query_work_item", {"id": item_id})
    assert read.structured_content["created_by"] == "claude-desktop"


@pytest.fixture
def http_server(database_url: str, tmp_path: Path) -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "statusboard", "serve", "--port", "0"],
        env=command_env(database_url),
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stderr is not None
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stderr], daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        line = lines.get(timeout=STARTUP_TIMEOUT_S)
        match = re.search(r"http://127\.0\.0\.1:(\d+)/mcp", line)
        assert match, line
        yield f"http://127.0.0.1:{match.group(1)}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=STARTUP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STARTUP_TIMEOUT_S)


@pytest.mark.anyio
async def test_http_server_serves_mcp_and_health(http_server: str) -> None:
    with urllib.request.urlopen(f"{http_server}/health", timeout=STARTUP_TIMEOUT_S) as health:
        assert health.status == 200
        assert json.loads(health.read()) == {"status": "ok"}  # the details are for admins (tests/http)
    info = types.Implementation(name="copilot", version="1")
    async with Client(f"{http_server}/mcp", client_info=info, read_timeout_seconds=STARTUP_TIMEOUT_S) as client:
        health_tool = (await client.call_tool("get_health", {})).structured_content
        assert health_tool["primary"]["state"] == "up" and health_tool["journal"]["pending"] == 0
        created = await client.call_tool("create_work_item", {"item_type": "project", "title": "over http"})
        assert created.is_error is False
        assert created.structured_content["created_by"] == "copilot"
        bad = await client.call_tool("create_work_item", {"item_type": "project"})
    assert bad.is_error is True and bad.structured_content["error"] == "ValidationError"


def test_status_prints_json_or_markdown_and_writes_the_file(database_url: str, tmp_path: Path) -> None:
    target = tmp_path / "out" / ".project_status.md"
    env = command_env(database_url, STATUSBOARD_MARKDOWN_PATH=str(target))
    as_json = run_cli("status", env=env, cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    assert report["vendor_health"]["total_vendors"] == 0 and report["active_work_items"]["total_count"] == 0
    assert not target.exists()
    as_markdown = run_cli("status", "--format", "markdown", "--write", env=env, cwd=tmp_path)
    assert as_markdown.returncode == 0, as_markdown.stderr
    assert as_markdown.stdout.startswith("# Project Status\n## Vendors (0 total)\n")
    assert target.read_text(encoding="utf-8") == as_markdown.stdout
    assert as_markdown.stderr.strip() == f"statusboard: wrote {target.resolve()}"


def test_status_fails_with_one_line_when_the_file_cannot_be_written(database_url: str, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    env = command_env(database_url, STATUSBOARD_MARKDOWN_PATH=str(blocker / "status.md"))
    done = run_cli("status", "--write", env=env, cwd=tmp_path)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("statusboard: ")


def test_status_falls_back_when_the_primary_is_unreachable_and_never_writes_from_a_fallback(
    tmp_path: Path,
) -> None:
    from tests.support.postgres import free_port

    status_file = tmp_path / ".project_status.md"
    text = "# Project Status\n## Vendors (2 total)\n- vendor_a: operational\n- vendor_b: broken\n"
    status_file.write_text(text, encoding="utf-8")
    env = command_env(
        f"postgresql://postgres@127.0.0.1:{free_port()}/gone",
        STATUSBOARD_MARKDOWN_PATH=str(status_file),
        STATUSBOARD_CACHE_PATH=str(tmp_path / "cache.db"),
        STATUSBOARD_GIT_REPO=str(tmp_path),  # not a git repository: the file on disk answers
    )
    done = run_cli("status", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["data_source"] == "markdown_file" and "using_markdown_fallback" in report["warnings"]
    assert report["vendor_health"]["total_vendors"] == 2 and report["vendor_health"]["broken_count"] == 1
    assert "unreachable; served from markdown_file" in done.stderr

    refused = run_cli("status", "--write", env=env, cwd=tmp_path)
    assert refused.returncode == 6, refused.stderr
    assert "was not written" in refused.stderr and status_file.read_text(encoding="utf-8") == text


def test_migrate_prints_a_summary_and_fails_with_one_line(database_url: str, tmp_path: Path) -> None:
    from tests.support.legacy_files import legacy_status_file

    good = tmp_path / "good.md"
    good.write_text(legacy_status_file(vendors=4, deployments=2, enhancements=2, prompts=2), encoding="utf-8")
    env = command_env(database_url)
    dry = run_cli("migrate", str(good), "--dry-run", env=env, cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "vendor_count" in dry.stdout and "dry run: nothing was changed" in dry.stdout
    assert "migrating [" in dry.stderr
    done = run_cli("migrate", str(good), "--json", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["success"] is True and report["imported"]["vendors"] == 4

    bad = tmp_path / "bad.md"
    bad.write_text("# Project Status\n## Vendors (1 total)\n- vendor_x: confused\n", encoding="utf-8")
    failed = run_cli("migrate", str(bad), env=env, cwd=tmp_path)
    assert failed.returncode != 0
    assert "line 3:" in failed.stdout and "rolled back" in failed.stdout
    last = failed.stderr.strip().splitlines()[-1]
    assert last.startswith("statusboard: migration failed (vendor_count")


@pytest.mark.parametrize("blocked", ["database", "cache", "status file", "working directory"])
def test_a_server_that_cannot_create_its_files_refuses_to_start(tmp_path: Path, blocked: str) -> None:
    """A regular file stands where a directory must be created: nothing can be made under it, for
    any user (root included), as where an AI client launches the server from a directory it
    cannot write."""
    (tmp_path / "blocker").write_text("a file, not a directory")
    under_blocker = str(tmp_path / "blocker" / "inside" / "file")
    settings = {
        "database": {"STATUSBOARD_DATABASE_URL": f"sqlite:///{under_blocker}"},
        "cache": {"STATUSBOARD_CACHE_PATH": under_blocker},
        "status file": {"STATUSBOARD_MARKDOWN_PATH": under_blocker},
        "working directory": {},
    }[blocked]
    cwd = tmp_path
    if blocked == "working directory":  # the defaults: .statusboard/ under the working directory
        (tmp_path / ".statusboard").write_text("a file, not a directory")
        expected = str(tmp_path / ".statusboard" / "status.db")
    else:
        expected = under_blocker
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **settings}
    for command in (["mcp"], ["serve", "--port", "0"]):
        done = subprocess.run(
            [sys.executable, "-m", "statusboard", *command],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=STARTUP_TIMEOUT_S,
        )
        assert done.returncode != 0, command
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith(f"statusboard: cannot create {expected}: "), lines

"""`statusboard init` in a user's project: the state directory kept out of git, the client
configurations with absolute paths, the schema, idempotence and never overwriting someone's entry."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import mcp_types as types
import pytest
from mcp import Client, StdioServerParameters

from statusboard.config import SETTINGS
from statusboard.interfaces.cli.main import main
from statusboard.storage import schema
from statusboard.storage.engine import build_engine
from tests.conftest import fresh_postgres_database
from tests.support.postgres import PostgresCluster

SERVER_START_TIMEOUT_S = 30
PATH_SETTINGS = (
    "STATUSBOARD_DATABASE_URL",
    "STATUSBOARD_CACHE_PATH",
    "STATUSBOARD_MARKDOWN_PATH",
    "STATUSBOARD_GIT_REPO",
)


@pytest.fixture(autouse=True)
def _no_settings_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    for setting in SETTINGS:
        monkeypatch.delenv(setting.name, raising=False)


def init(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["init", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def snapshot(project: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(path.relative_to(project)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(project.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }


def test_init_writes_both_client_configs_with_absolute_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = init(capsys)
    assert code == 0
    claude = read_json(tmp_path / ".mcp.json")["mcpServers"]["statusboard"]
    vscode = read_json(tmp_path / ".vscode" / "mcp.json")["servers"]["statusboard"]
    assert claude == vscode
    assert claude["type"] == "stdio" and claude["args"][-1] == "mcp"
    assert Path(claude["command"]).is_absolute() and os.access(claude["command"], os.X_OK)
    env = claude["env"]
    assert sorted(env) == sorted(PATH_SETTINGS)
    assert env["STATUSBOARD_DATABASE_URL"] == f"sqlite:///{tmp_path / '.statusboard' / 'status.db'}"
    assert env["STATUSBOARD_CACHE_PATH"] == str(tmp_path / ".statusboard" / "cache.db")
    assert env["STATUSBOARD_MARKDOWN_PATH"] == str(tmp_path / ".project_status.md")
    assert env["STATUSBOARD_GIT_REPO"] == str(tmp_path)
    assert ".mcp.json" in out and ".vscode/mcp.json" in out


def test_init_takes_the_settings_from_the_environment_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STATUSBOARD_MARKDOWN_PATH", "docs/STATUS.md")
    monkeypatch.setenv("STATUSBOARD_DATABASE_URL", "sqlite:///state/board.db")
    assert init(capsys, "--client", "claude-code")[0] == 0
    env = read_json(tmp_path / ".mcp.json")["mcpServers"]["statusboard"]["env"]
    assert env["STATUSBOARD_MARKDOWN_PATH"] == str(tmp_path / "docs" / "STATUS.md")
    assert env["STATUSBOARD_DATABASE_URL"] == f"sqlite:///{tmp_path / 'state' / 'board.db'}"
    assert (tmp_path / "state" / "board.db").is_file()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_init_keeps_the_state_directory_out_of_git_and_nothing_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True, timeout=30)
    assert init(capsys)[0] == 0
    untracked = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.split()
    assert not any(name.startswith(".statusboard") for name in untracked)
    assert ".mcp.json" in untracked and ".vscode/mcp.json" in untracked
    assert not (tmp_path / ".gitignore").exists()  # the project's own .gitignore is left alone


def test_init_creates_the_schema_of_a_new_sqlite_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert init(capsys, "--client", "vscode")[0] == 0
    engine = build_engine(f"sqlite:///{tmp_path / '.statusboard' / 'status.db'}")
    assert schema.current_revision(engine) == schema.head_revision()
    engine.dispose()


def test_init_keeps_a_postgresql_url_and_creates_its_schema(
    pg_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = fresh_postgres_database(pg_cluster, migrated=False)
    monkeypatch.setenv("STATUSBOARD_DATABASE_URL", url)
    assert init(capsys, "--client", "claude-code")[0] == 0
    assert read_json(tmp_path / ".mcp.json")["mcpServers"]["statusboard"]["env"]["STATUSBOARD_DATABASE_URL"] == url
    engine = build_engine(url)
    assert schema.current_revision(engine) == schema.head_revision()
    engine.dispose()


def test_running_init_twice_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert init(capsys)[0] == 0
    before = snapshot(tmp_path)
    code, out, _ = init(capsys)
    assert code == 0
    assert snapshot(tmp_path) == before
    assert "unchanged" in out


def test_init_keeps_what_else_a_config_file_holds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = {"command": "npx", "args": ["other-server"]}
    (tmp_path / ".mcp.json").write_text(json.dumps({"mcpServers": {"other": other}, "note": 1}))
    (tmp_path / ".vscode").mkdir()
    inputs = [{"type": "promptString", "id": "key"}]
    (tmp_path / ".vscode" / "mcp.json").write_text(json.dumps({"inputs": inputs, "servers": {"other": other}}))
    code, out, _ = init(capsys)
    assert code == 0
    claude = read_json(tmp_path / ".mcp.json")
    vscode = read_json(tmp_path / ".vscode" / "mcp.json")
    assert claude["mcpServers"]["other"] == other and claude["note"] == 1 and "statusboard" in claude["mcpServers"]
    assert vscode["servers"]["other"] == other and vscode["inputs"] == inputs and "statusboard" in vscode["servers"]
    assert "added" in out


def test_init_refuses_to_replace_an_entry_it_did_not_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hand_written = {"mcpServers": {"statusboard": {"command": "/opt/sb/bin/statusboard", "args": ["mcp"]}}}
    (tmp_path / ".mcp.json").write_text(json.dumps(hand_written))
    before = snapshot(tmp_path)
    code, _, err = init(capsys)
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and "--force" in err and ".mcp.json" in err
    assert snapshot(tmp_path) == before  # nothing written, not even the other client's file


def test_init_force_replaces_that_entry_and_keeps_the_rest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = {"command": "npx", "args": ["other-server"]}
    foreign = {"command": "/opt/sb/bin/statusboard", "args": ["mcp"]}
    (tmp_path / ".mcp.json").write_text(json.dumps({"mcpServers": {"statusboard": foreign, "other": other}}))
    code, out, _ = init(capsys, "--client", "claude-code", "--force")
    assert code == 0 and "replaced" in out
    servers = read_json(tmp_path / ".mcp.json")["mcpServers"]
    assert servers["other"] == other and servers["statusboard"]["args"][-1] == "mcp" and "env" in servers["statusboard"]


def test_init_updates_its_own_entry_when_the_settings_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert init(capsys, "--client", "claude-code")[0] == 0
    monkeypatch.setenv("STATUSBOARD_MARKDOWN_PATH", "STATUS.md")
    code, out, _ = init(capsys, "--client", "claude-code")
    assert code == 0 and "updated" in out
    env = read_json(tmp_path / ".mcp.json")["mcpServers"]["statusboard"]["env"]
    assert env["STATUSBOARD_MARKDOWN_PATH"] == str(tmp_path / "STATUS.md")


def test_init_leaves_a_config_that_is_not_plain_json_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode" / "mcp.json").write_text('{\n  // servers\n  "servers": {}\n}\n')
    before = snapshot(tmp_path)
    code, out, err = init(capsys, "--client", "vscode")
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and "not plain JSON" in err
    assert '"statusboard"' in out  # the entry to add by hand
    assert snapshot(tmp_path) == before


def test_init_for_claude_desktop_prints_its_block_and_writes_no_client_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = init(capsys, "--client", "claude-desktop")
    assert code == 0
    assert not (tmp_path / ".mcp.json").exists() and not (tmp_path / ".vscode").exists()
    block = json.loads(out[out.index("{") : out.rindex("}") + 1])
    entry = block["mcpServers"]["statusboard"]
    assert entry["args"][-1] == "mcp" and sorted(entry["env"]) == sorted(PATH_SETTINGS)


def test_the_printed_claude_mcp_add_line_registers_the_same_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = init(capsys, "--client", "claude-code")
    assert code == 0
    line = next(line.strip() for line in out.splitlines() if line.strip().startswith("claude mcp add"))
    words = shlex.split(line)
    # The name before the -e flags: `-e` takes several values and would take the name as one.
    assert words[:6] == ["claude", "mcp", "add", "statusboard", "--scope", "project"]
    separator = words.index("--")
    flags = words[6:separator]
    env = dict(flag.split("=", 1) for flag in flags[1::2])
    assert flags[::2] == ["-e"] * len(env)
    entry = read_json(tmp_path / ".mcp.json")["mcpServers"]["statusboard"]
    assert env == entry["env"] and words[separator + 1 :] == [entry["command"], *entry["args"]]


def test_init_fails_with_one_line_where_the_server_could_not_create_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("STATUSBOARD_CACHE_PATH", "a-file/cache.db")
    code, _, err = init(capsys)
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and "a-file" in err
    assert not (tmp_path / ".mcp.json").exists()


@pytest.mark.slow
@pytest.mark.anyio
async def test_the_written_entry_serves_the_project_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    assert init(capsys, "--client", "claude-code")[0] == 0
    entry = read_json(project / ".mcp.json")["mcpServers"]["statusboard"]
    elsewhere = tmp_path / "elsewhere"  # AI clients often start servers from a directory of their own
    elsewhere.mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **entry["env"]}
    params = StdioServerParameters(command=entry["command"], args=entry["args"], env=env, cwd=str(elsewhere))
    info = types.Implementation(name="claude-code", version="1")
    async with Client(params, client_info=info, read_timeout_seconds=SERVER_START_TIMEOUT_S) as client:
        created = await client.call_tool("create_work_item", {"item_type": "task", "title": "from the config"})
    assert created.is_error is False
    done = subprocess.run(
        [sys.executable, "-m", "statusboard", "log"], cwd=project, capture_output=True, text=True, timeout=30
    )
    assert "from the config" in done.stdout
    assert list(elsewhere.iterdir()) == []

"""The README's set-up, end to end: `pipx install` a copy of this checkout into a temporary pipx
home, `statusboard init` in a fresh git project, then one tool call through the server command
that init wrote, started the way an AI client starts it (from another directory).

Installing needs a package index (as a user's install does): the CI machine has one. pipx itself
is taken from PATH, or installed into a virtualenv of its own first.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import mcp_types as types
import pytest
from mcp import Client, StdioServerParameters

from tests.cli.checkout import INSTALL_TIMEOUT_S, copy_checkout

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3 * INSTALL_TIMEOUT_S)]
COMMAND_TIMEOUT_S = 60


def run(argv: list[str], *, cwd: Path, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{argv}: {done.stderr[-2000:]}"
    return done


def pipx_command(tmp_path: Path, env: dict[str, str]) -> list[str]:
    found = shutil.which("pipx")
    if found:
        return [found]
    tool = tmp_path / "pipx-venv"
    run([sys.executable, "-m", "venv", str(tool)], cwd=tmp_path, env=env, timeout=COMMAND_TIMEOUT_S)
    pip = [str(tool / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "pipx"]
    run(pip, cwd=tmp_path, env=env, timeout=INSTALL_TIMEOUT_S)
    return [str(tool / "bin" / "pipx")]


@pytest.mark.anyio
async def test_pipx_install_then_init_gives_a_server_that_answers_a_tool_call(tmp_path: Path) -> None:
    checkout = copy_checkout(tmp_path / "checkout")
    bin_dir = tmp_path / "bin"
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("STATUSBOARD_", "PIPX_", "VIRTUAL_ENV"))
    }
    env |= {"PIPX_HOME": str(tmp_path / "pipx"), "PIPX_BIN_DIR": str(bin_dir), "PIPX_MAN_DIR": str(tmp_path / "man")}
    pipx = pipx_command(tmp_path, env)
    run([*pipx, "install", str(checkout)], cwd=tmp_path, env=env, timeout=INSTALL_TIMEOUT_S)
    statusboard = str(bin_dir / "statusboard")

    project = tmp_path / "project"
    project.mkdir()
    if shutil.which("git"):
        run(["git", "init", "-q"], cwd=project, env=env, timeout=COMMAND_TIMEOUT_S)
    assert run([statusboard, "--version"], cwd=project, env=env, timeout=COMMAND_TIMEOUT_S).stdout.startswith(
        "statusboard "
    )
    run([statusboard, "init"], cwd=project, env=env, timeout=COMMAND_TIMEOUT_S)
    entry = json.loads((project / ".mcp.json").read_text())["mcpServers"]["statusboard"]
    assert entry["command"] == statusboard

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    server_env = {"PATH": "/usr/bin:/bin", "HOME": env.get("HOME", "/tmp"), **entry["env"]}
    params = StdioServerParameters(command=entry["command"], args=entry["args"], env=server_env, cwd=str(elsewhere))
    info = types.Implementation(name="claude-code", version="1")
    async with Client(params, client_info=info, read_timeout_seconds=COMMAND_TIMEOUT_S) as client:
        assert (await client.call_tool("ping", {})).is_error is False
        created = await client.call_tool("create_work_item", {"item_type": "task", "title": "installed"})
    assert created.is_error is False

    log = run([statusboard, "log"], cwd=project, env=env, timeout=COMMAND_TIMEOUT_S).stdout
    assert '"installed"' in log and "claude-code" in log

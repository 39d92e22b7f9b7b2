"""scripts/setup installs once: when nothing it depends on changed, it does not call pip, so
./scripts/serve starts without a package index. Shown on a copy of this checkout, with a `pip`
that fails and leaves a mark put first on the module path (`python -m pip` finds it) and PATH.

The first setup installs from a package index (the CI machine has one).
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import threading
from pathlib import Path

import pytest

from tests.cli.checkout import INSTALL_TIMEOUT_S, copy_checkout

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2 * INSTALL_TIMEOUT_S)]
COMMAND_TIMEOUT_S = 60
FAILING_PIP = """import pathlib, sys
pathlib.Path({mark!r}).write_text(" ".join(sys.argv))
sys.exit("pip was called: this test has no package index")
"""


def without_pip(tmp_path: Path, env: dict[str, str]) -> tuple[dict[str, str], Path]:
    mark = tmp_path / "pip-was-called"
    stub = tmp_path / "no-pip"
    (stub / "pip").mkdir(parents=True)
    (stub / "pip" / "__init__.py").write_text("")
    (stub / "pip" / "__main__.py").write_text(FAILING_PIP.format(mark=str(mark)))
    (stub / "bin").mkdir()
    for name in ("pip", "pip3"):
        script = stub / "bin" / name
        script.write_text(f"#!/bin/sh\necho called > {mark}\nexit 1\n")
        script.chmod(0o755)
    return env | {"PYTHONPATH": str(stub), "PATH": f"{stub / 'bin'}:{env['PATH']}"}, mark


def setup(checkout: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["./scripts/setup", *args], cwd=checkout, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("STATUSBOARD_", "VIRTUAL_ENV"))}
    checkout = copy_checkout(tmp_path_factory.mktemp("setup") / "checkout")
    first = setup(checkout, env)
    assert first.returncode == 0, first.stderr[-2000:]
    return checkout, env


def test_setup_again_with_nothing_changed_does_not_call_pip(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    checkout, env = installed
    offline, mark = without_pip(tmp_path, env)
    again = setup(checkout, offline)
    assert again.returncode == 0, again.stderr
    assert not mark.exists()


def test_serve_starts_without_a_package_index_once_set_up(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    checkout, env = installed
    offline, mark = without_pip(tmp_path, env)
    server = subprocess.Popen(
        ["./scripts/serve", "--port", "0"], cwd=checkout, env=offline, stderr=subprocess.PIPE, text=True
    )
    lines: queue.Queue[str] = queue.Queue()
    assert server.stderr is not None
    threading.Thread(target=lambda: [lines.put(line) for line in server.stderr], daemon=True).start()  # type: ignore[union-attr]
    try:
        line = lines.get(timeout=COMMAND_TIMEOUT_S)
        assert re.search(r"serving MCP at http://127\.0\.0\.1:\d+/mcp", line), line
    finally:
        server.terminate()
        server.wait(timeout=COMMAND_TIMEOUT_S)
    assert not mark.exists()


def test_setup_installs_again_when_pyproject_changes(installed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    checkout, env = installed
    offline, mark = without_pip(tmp_path, env)
    pyproject = checkout / "pyproject.toml"
    original = pyproject.read_text()
    pyproject.write_text(original + "\n# a dependency changed\n")
    try:
        changed = setup(checkout, offline)
    finally:
        pyproject.write_text(original)
    assert changed.returncode != 0 and mark.exists()  # it asked pip, which this test took away
    assert setup(checkout, offline).returncode != 0  # and it does not count that failed attempt as an install

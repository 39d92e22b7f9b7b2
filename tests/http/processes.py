"""`statusboard` as real processes: the `agent` commands, and `serve` with its stderr read line by line."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

START_TIMEOUT_S = 30.0
SERVING = re.compile(r"serving MCP at http://(\S+):(\d+)/mcp")


def command_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "STATUSBOARD_DATABASE_URL": database_url}
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return env | extra


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "statusboard", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT_S,
    )


def add_agent(name: str, role: str, *, env: dict[str, str], cwd: Path) -> str:
    done = run_cli("agent", "add", name, "--role", role, env=env, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[-1]


@dataclass
class Served:
    url: str  # on 127.0.0.1, whatever address it was bound to
    process: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)

    def stop(self) -> list[str]:
        """Stops the server; gives every line it wrote on stderr."""
        self.process.terminate()
        try:
            self.process.wait(timeout=START_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=START_TIMEOUT_S)
        self._reader.join(timeout=START_TIMEOUT_S)
        out = []
        while not self.lines.empty():
            out.append(self.lines.get_nowait())
        return out

    _reader: threading.Thread = field(init=False)


@contextmanager
def serve(*args: str, env: dict[str, str], cwd: Path) -> Iterator[Served]:
    """`statusboard serve --port 0 ARGS` until the block ends; every stderr line after the
    serving line lands in `lines`."""
    process = subprocess.Popen(
        [sys.executable, "-m", "statusboard", "serve", "--port", "0", *args],
        env=env,
        cwd=cwd,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    startup: queue.Queue[str] = queue.Queue()
    served = Served("", process)

    def read() -> None:
        target = startup
        for line in process.stderr:  # type: ignore[union-attr]
            target.put(line.rstrip("\n"))
            if SERVING.search(line):
                target = served.lines
        startup.put("")  # the end of stderr

    served._reader = threading.Thread(target=read, daemon=True)
    served._reader.start()
    try:
        while True:
            line = startup.get(timeout=START_TIMEOUT_S)
            found = SERVING.search(line)
            if found:
                served.url = f"http://127.0.0.1:{found.group(2)}"
                break
            assert line, "serve ended before it served"
        yield served
    finally:
        if process.poll() is None:
            served.stop()

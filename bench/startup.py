"""How long `statusboard mcp` takes from launch to its first answered call, next to a bare MCP server.

Run from the repository root:

    .venv/bin/python -m bench.startup [--runs 20] [--baseline NAME=PYTHON ...]

Each target is launched as a stdio subprocess, the same way an AI client launches it; this
process writes `initialize`, `notifications/initialized` and a `tools/call` of `ping` at once
(the lines wait in the pipe until the server reads them) and times from the launch until the
call's answer comes back. Targets:
- `bare`: the SDK's low-level Server with one no-op tool, served over stdio (`bench/bare_mcp.py`);
- `statusboard`: `python -m statusboard mcp` from this checkout, on a migrated SQLite file;
- each `--baseline NAME=PYTHON`: `PYTHON -m statusboard mcp` from another checkout's virtualenv
  (e.g. `main=/work/main/.venv/bin/python`), on a file of its own, so both are measured in the
  same run and share the machine's moods.

The targets run in turn, their order rotating each round, after one untimed round (the
interpreters' bytecode caches and the OS's file cache warm). Prints each target's p50 / p90 and
its ratio to `bare`: the ratio of the medians, and the median of the rounds' own ratios.
Never use this in a test: it prints figures and asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.query_work_item import percentile_ms
from statusboard.storage import schema
from statusboard.storage.engine import build_engine

ANSWER_TIMEOUT_S = 60
LINES = (
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "bench-startup", "version": "1"},
        },
    },
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "ping", "arguments": {}}},
)
REQUEST = b"".join(json.dumps(line).encode() + b"\n" for line in LINES)


@dataclass(frozen=True)
class Target:
    name: str
    command: list[str]
    env: dict[str, str]


def first_call_s(target: Target, cwd: Path) -> float:
    """Seconds from launching the target until its answer to the first tools/call arrives."""
    began = time.perf_counter()
    proc = subprocess.Popen(
        target.command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=target.env,
        cwd=cwd,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(REQUEST)
        proc.stdin.flush()
        while True:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"{target.name} ended before answering (exit {proc.wait(ANSWER_TIMEOUT_S)})")
            message = json.loads(line)
            if message.get("id") == 2:
                took = time.perf_counter() - began
                if "result" not in message or message["result"].get("isError"):
                    raise RuntimeError(f"{target.name} answered ping with {message}")
                return took
    finally:
        proc.stdin.close()
        try:
            proc.wait(ANSWER_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def statusboard_target(name: str, python: str, home: Path, pythonpath: str | None) -> Target:
    directory = home / name
    directory.mkdir()
    url = f"sqlite:///{directory / 'status.db'}"
    engine = build_engine(url)
    schema.upgrade(engine)  # an existing project's database: the start-up only checks its revision
    engine.dispose()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "STATUSBOARD_DATABASE_URL": url,
        "STATUSBOARD_CACHE_PATH": str(directory / "cache.db"),
        "STATUSBOARD_MARKDOWN_PATH": str(directory / "status.md"),
    }
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    return Target(name, [python, "-m", "statusboard", "mcp"], env)


def targets(home: Path, baselines: list[str]) -> list[Target]:
    here = Path(__file__).resolve().parent.parent
    ours = os.pathsep.join([str(here / "src"), str(here)])
    bare = Target("bare", [sys.executable, "-m", "bench.bare_mcp"], {"PATH": os.environ["PATH"], "PYTHONPATH": ours})
    found = [bare, statusboard_target("statusboard", sys.executable, home, ours)]
    for baseline in baselines:
        name, _, python = baseline.partition("=")
        if not python:
            raise SystemExit(f"--baseline wants NAME=PYTHON, not {baseline!r}")
        found.append(statusboard_target(name, python, home, None))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed rounds (each launches every target once)")
    parser.add_argument(
        "--baseline",
        action="append",
        default=[],
        metavar="NAME=PYTHON",
        help="also time PYTHON -m statusboard mcp (another checkout's virtualenv)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sb-startup-") as tmp:
        home = Path(tmp)
        chosen = targets(home, args.baseline)
        samples: dict[str, list[float]] = {target.name: [] for target in chosen}
        for round_number in range(args.runs + 1):
            turn = round_number % len(chosen)
            for target in chosen[turn:] + chosen[:turn]:
                took = first_call_s(target, home)
                if round_number > 0:
                    samples[target.name].append(took)
    load1, load5, _ = os.getloadavg()
    print(f"start-up to the first answered call (ping), {args.runs} runs; load average {load1:.1f} / {load5:.1f}")
    print(f"{'target':<14} {'p50 ms':>8} {'p90 ms':>8} {'x bare (medians)':>17} {'x bare (per round)':>19}")
    bare = samples["bare"]
    for name, taken in samples.items():
        ordered = sorted(taken)
        per_round = statistics.median(t / b for t, b in zip(taken, bare, strict=True))
        ratio = statistics.median(taken) / statistics.median(bare)
        print(
            f"{name:<14} {percentile_ms(ordered, 0.5):>8.0f} {percentile_ms(ordered, 0.9):>8.0f}"
            f" {ratio:>16.2f}x {per_round:>18.2f}x"
        )


if __name__ == "__main__":
    main()

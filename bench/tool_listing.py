"""How many bytes a client loads when it lists the tools, per toolset (STATUSBOARD_TOOLSETS).

    .venv/bin/python -m bench.tool_listing                       # this checkout
    .venv/bin/python -m bench.tool_listing --before ../main      # and another checkout, for comparison

Every client puts the whole `tools/list` answer into its model's context, on every session. This
counts the input side of it: each tool's name, title, description, input schema and
annotations, as compact UTF-8 JSON (a JSON list of those objects), exactly as the SDK sends them:
the answer is taken from the wire by a middleware on an in-process server, on both protocol eras
(2025-11-25 with a handshake, 2026-07-28 without), since the SDK shapes results per protocol
version. The output side (`outputSchema`) is counted apart, in the `whole answer` column, which
is every byte of the result object.

`--before DIR` measures the checkout at DIR (its `src`) the same way, in a subprocess; a checkout
without toolsets lists every tool whatever the set asked for, so only its `all` row is shown.
Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

from statusboard.config import Settings
from statusboard.interfaces.mcp.server import build_server
from statusboard.wiring import build_app

INPUT_SIDE = ("name", "title", "description", "inputSchema", "annotations")
ERAS = {"legacy": "2025-11-25", "auto": "2026-07-28"}
SETS = ("all", "agent", "records", "admin")


class WireCapture:
    """Keeps the tools/list result as the runner serialized it, per protocol version."""

    def __init__(self) -> None:
        self.results: dict[str, dict[str, Any]] = {}

    async def __call__(self, ctx: Any, call_next: Any) -> Any:
        result = await call_next(ctx)
        if ctx.method == "tools/list":
            self.results[ctx.protocol_version] = result
        return result


def compact(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


async def measure(toolsets: str) -> dict[str, dict[str, int]]:
    """Per protocol version: tools listed, input-side bytes, whole-answer bytes."""
    with tempfile.TemporaryDirectory() as directory:
        env = {
            "STATUSBOARD_DATABASE_URL": f"sqlite:///{directory}/status.db",
            "STATUSBOARD_CACHE_PATH": f"{directory}/cache.db",
            "STATUSBOARD_MARKDOWN_PATH": f"{directory}/.project_status.md",
            "STATUSBOARD_TOOLSETS": toolsets,
        }
        app = build_app(Settings.from_env(env))
        try:
            server = build_server(app)
            capture = WireCapture()
            server.middleware.append(capture)
            for mode in ERAS:
                async with Client(server, mode=mode) as client:  # type: ignore[arg-type]
                    await client.list_tools()
        finally:
            app.close()
    figures = {}
    for version, result in capture.results.items():
        tools = result["tools"]
        inputs = [{key: tool[key] for key in INPUT_SIDE if key in tool} for tool in tools]
        figures[version] = {"tools": len(tools), "input": compact(inputs), "whole": compact(result)}
    return figures


def measure_all(sets: tuple[str, ...]) -> dict[str, dict[str, dict[str, int]]]:
    return {toolset: anyio.run(measure, toolset) for toolset in sets}


def measure_checkout(directory: Path) -> dict[str, dict[str, dict[str, int]]]:
    """The same figures for the checkout at `directory`, measured in a subprocess."""
    env = {**os.environ, "PYTHONPATH": f"{directory / 'src'}{os.pathsep}{Path(__file__).parents[1]}"}
    done = subprocess.run(
        [sys.executable, "-m", "bench.tool_listing", "--json", "--sets", "all"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    figures: dict[str, dict[str, dict[str, int]]] = json.loads(done.stdout)
    return figures


def table(rows: list[tuple[str, dict[str, dict[str, int]]]], reference: int) -> None:
    versions = list(ERAS.values())
    print("tools/list input side (name, title, description, inputSchema, annotations), compact JSON bytes")
    header = f"{'':<16}{'tools':>6}" + "".join(f"{v:>13}" for v in versions) + f"{'of all':>9}{'whole answer':>15}"
    print(header)
    for label, figures in rows:
        first = figures[versions[0]]
        cells = "".join(f"{figures[v]['input']:>13,}" for v in versions)
        share = f"{100 * first['input'] / reference:>8.0f}%"
        print(f"{label:<16}{first['tools']:>6}{cells}{share}{figures[versions[-1]]['whole']:>15,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=Path, help="another checkout to measure the same way (e.g. main)")
    parser.add_argument("--sets", default=",".join(SETS), help="toolsets to measure, comma-separated")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    sets = tuple(name for name in args.sets.split(",") if name)
    after = measure_all(sets)
    if args.json:
        print(json.dumps(after))
        return
    rows: list[tuple[str, dict[str, dict[str, int]]]] = []
    if args.before is not None:
        rows.append(("before: all", measure_checkout(args.before.resolve())["all"]))
    rows += [(name, figures) for name, figures in after.items()]
    table(rows, after["all"][ERAS["legacy"]]["input"] if "all" in after else 1)


if __name__ == "__main__":
    main()

"""How many bytes do list answers take, and how long do they take to serve?

Run from the repository root:

    .venv/bin/python -m bench.answers [--backend sqlite|postgresql|both] [--rows 200] [--repeat 20]

The `records` benchmark's x100 data set (5,000 work items: project > session > task, titles
like "Work Item 17", a priority in each item's metadata) is loaded straight into the tables.
Then an in-process MCP client (the SDK's, which checks every answer against the tool's output
schema) lists `--rows` items with list_work_items: as summary rows (the default), and whole
(`detail: "full"`). For each it prints the bytes of the answer's JSON (its text content; the
structured content is the same object), of the whole tools/call result on the wire (both
copies, the text escaped), and the median time of `--repeat` calls. It also lists
list_ready_work and list_changes at their limits (the loaded rows wrote no change log, so 1,000
items are updated through the service first: one entry each, its `fields` the one changed).

Run against another checkout (PYTHONPATH=<checkout>/src:. .venv/bin/python -m bench.answers)
to get that checkout's figures: a server that knows no `detail` argument shows its default
only. Never use this in a test.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
from mcp import Client
from sqlalchemy import Engine, select

from bench.query_work_item import BACKENDS
from bench.records import DATA_SETS, load
from statusboard.config import Settings
from statusboard.domain.work_items import WorkItemChanges
from statusboard.interfaces.mcp.server import build_server
from statusboard.storage import schema
from statusboard.storage.engine import build_engine
from statusboard.storage.tables import work_items
from statusboard.wiring import App, build_app

DATA = next(data for data in DATA_SETS if data.name == "x100")
CHANGES = 1000  # list_changes' limit: one full page


def write_changes(app: App, engine: Engine) -> None:
    """CHANGES updates through the service, so the change log holds a page of real entries."""
    with engine.connect() as conn:
        rows = conn.execute(select(work_items.c.id, work_items.c.version).limit(CHANGES)).all()
    for item_id, version in rows:
        app.work_items.update("bench", str(item_id), version, WorkItemChanges(status="blocked"))


async def measure(app: App, tool: str, arguments: dict[str, Any], repeat: int) -> str:
    info = types.Implementation(name="bench", version="1")
    async with Client(build_server(app), client_info=info, read_timeout_seconds=60) as client:
        result = await client.call_tool(tool, arguments)
        if result.is_error:
            return f"{tool} {arguments}: refused ({result.content[0].text[:80]})"  # type: ignore[union-attr]
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            await client.call_tool(tool, arguments)
            times.append(time.perf_counter() - start)
    body = result.content[0].text  # type: ignore[union-attr]
    wire = result.model_dump_json(by_alias=True, exclude_none=True)
    rows = result.structured_content or {}
    count = len(rows.get("items", rows.get("changes", [])))
    ms = statistics.median(times) * 1000
    sizes = f"json {len(body):>8,}  wire {len(wire):>8,}"
    return f"{tool:<16} {arguments!s:<36} rows {count:>4}  {sizes}  p50 {ms:7.2f} ms"


def run_backend(backend: str, rows: int, repeat: int, workdir: Path) -> list[str]:
    with BACKENDS[backend]() as url_for:
        url = url_for(DATA.items)
        engine = build_engine(url)
        schema.upgrade(engine)
        load(engine, DATA, random.Random(7))
        app = build_app(Settings(database_url=url, markdown_path=str(workdir / "status.md")))
        try:
            write_changes(app, engine)
            engine.dispose()
            calls: list[tuple[str, dict[str, Any]]] = [
                ("list_work_items", {"limit": rows}),
                ("list_work_items", {"limit": rows, "detail": "full"}),
                ("list_ready_work", {"limit": rows}),
                ("list_ready_work", {"limit": rows, "detail": "full"}),
                ("list_changes", {"limit": 1000}),
            ]
            return [f"{backend}: " + anyio.run(measure, app, tool, args, repeat) for tool, args in calls]
        finally:
            app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    backends = list(BACKENDS) if args.backend == "both" else [args.backend]
    print(f"load average: {os.getloadavg()[0]:.2f}; {DATA.items} work items")
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            for line in run_backend(backend, args.rows, args.repeat, Path(tmp)):
                print(line)


if __name__ == "__main__":
    main()

"""How soon does a write by one process reach a resource subscriber of another server process?

Run from the repository root:

    .venv/bin/python -m bench.notifications [--backend sqlite|postgresql|both] [--writes 200] [--warmup 10]

Two `statusboard mcp` processes serve the subscribers, one per protocol generation: a 2026-07-28
client listening (`subscriptions/listen`) and a 2025-11-25 client subscribed
(`resources/subscribe`), both to one work item's resource. This process (a third one, as another
agent would be) updates that item through the service, one write at a time, and times from the
start of each write until each subscriber's client has the notification; the next write starts
once both have it, after a random pause of up to 100 ms (so writes do not fall in step with the
SQLite watchers' polls). The path timed: the commit, the servers' change watchers waking (PostgreSQL
NOTIFY; SQLite a poll of the last seq every 100 ms), the read of the new entry, the notification
over stdio. The write alone is timed too, for scale. Prints p50 / p99 / max per backend and
generation. Aim (the contract): within 1 s. Never use this in a test: it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
from mcp import Client, StdioServerParameters

from bench.query_work_item import BACKENDS, percentile_ms
from statusboard.config import Settings
from statusboard.domain.validation import validated
from statusboard.domain.work_items import NewWorkItem, WorkItemChanges
from statusboard.wiring import App, build_app

AIM_MS = 1000.0
DELIVERY_TIMEOUT_S = 30.0
JITTER_S = 0.1  # SQLite's watcher polls every 100 ms
MODES = {"2026-07-28 listen": "auto", "2025-11-25 subscribe": "legacy"}


class Arrivals:
    """When each subscriber last heard of the resource, and a way to wait for the next time."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self._arrived = anyio.Event()

    def note(self, who: str) -> None:
        self.at[who] = time.perf_counter()
        self._arrived.set()
        self._arrived = anyio.Event()

    async def all_of(self, who: list[str]) -> None:
        with anyio.fail_after(DELIVERY_TIMEOUT_S):
            while any(name not in self.at for name in who):
                await self._arrived.wait()


@asynccontextmanager
async def subscriber(url: str, home: Path, name: str, uri: str, arrivals: Arrivals) -> AsyncIterator[None]:
    """A `statusboard mcp` process, and a client of it subscribed to `uri` in the generation `name` says."""
    home.mkdir()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "STATUSBOARD_DATABASE_URL": url,
        "STATUSBOARD_CACHE_PATH": str(home / "cache.db"),
        "STATUSBOARD_MARKDOWN_PATH": str(home / "status.md"),
    }
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    params = StdioServerParameters(command=sys.executable, args=["-m", "statusboard", "mcp"], env=env, cwd=str(home))

    async def on_message(message: Any) -> None:
        if isinstance(message, types.ResourceUpdatedNotification):
            arrivals.note(name)

    mode = MODES[name]
    handler = on_message if mode == "legacy" else None
    async with Client(params, mode=mode, message_handler=handler, read_timeout_seconds=DELIVERY_TIMEOUT_S) as client:
        if mode == "legacy":
            await client.subscribe_resource(uri)
            yield
            return
        async with client.listen(resource_subscriptions=[uri]) as stream, anyio.create_task_group() as group:

            async def follow() -> None:
                async for _ in stream:
                    arrivals.note(name)

            group.start_soon(follow)
            yield
            group.cancel_scope.cancel()


def _touch(app: App, item_id: str, n: int) -> None:
    version = app.work_items.query(item_id)["version"]
    app.work_items.update("bench-writer", item_id, version, validated(WorkItemChanges, {"title": f"touched {n}"}))


async def measure(url: str, home: Path, writes: int, warmup: int) -> dict[str, list[float]]:
    app = build_app(Settings(database_url=url, cache_path=str(home / "cache.db"), markdown_path=str(home / "s.md")))
    try:
        item_id = app.work_items.create("bench-writer", NewWorkItem(item_type="task", title="watched"))["id"]
        uri = f"statusboard://work-items/{item_id}"
        arrivals = Arrivals()
        rng = random.Random(7)
        names = list(MODES)
        samples: dict[str, list[float]] = {name: [] for name in [*names, "the write alone"]}
        async with (
            subscriber(url, home / "a", names[0], uri, arrivals),
            subscriber(url, home / "b", names[1], uri, arrivals),
        ):
            for n in range(warmup + writes):
                arrivals.at.clear()
                # Untimed: a write right after the last delivery would fall in step with one server's poll.
                await anyio.sleep(rng.uniform(0, JITTER_S))
                began = time.perf_counter()
                await anyio.to_thread.run_sync(_touch, app, item_id, n)
                written = time.perf_counter()
                await arrivals.all_of(names)
                if n >= warmup:
                    samples["the write alone"].append(written - began)
                    for name in names:
                        samples[name].append(arrivals.at[name] - began)
        return samples
    finally:
        app.close()


def figures(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50, p99, worst = percentile_ms(ordered, 0.5), percentile_ms(ordered, 0.99), ordered[-1] * 1000
    return f"n {len(ordered):>4}  p50 {p50:8.1f} ms  p99 {p99:8.1f} ms  max {worst:8.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.notifications", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--writes", type=int, default=200, help="timed writes")
    parser.add_argument("--warmup", type=int, default=10, help="untimed writes first")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    rows: list[tuple[str, str, list[float]]] = []
    for backend in backends:
        with BACKENDS[backend]() as urls, tempfile.TemporaryDirectory(prefix="statusboard-bench-") as tmp:
            measured = anyio.run(measure, urls(0), Path(tmp), args.writes, args.warmup)
        for name, samples in measured.items():
            rows.append((backend, name, samples))
            print(f"{backend:<11} {name:<22} {figures(samples)}", flush=True)
    load1, load5, _ = os.getloadavg()
    print(f"\nwrite to notification: {os.cpu_count()} CPUs, load average {load1:.1f} / {load5:.1f} at the end")
    for backend, name, samples in rows:
        if name in MODES:
            p99 = percentile_ms(sorted(samples), 0.99)
            print(f"  {'PASS' if p99 < AIM_MS else 'MISS'}  {backend} {name}: p99 {p99:.1f} ms (aim < {AIM_MS:g} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

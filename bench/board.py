"""How fast is the board at 100 times the seed's data, and how soon does a write reach 50 viewers?

Run from the repository root:

    .venv/bin/python -m bench.board [--backend sqlite|postgresql|both] [--iterations 200] [--warmup 20]
        [--clients 50] [--writes 40]

Data: bench/records.py's x100 set (4,500 vendors, 5,000 work items, 1,000 deployments, 800
enhancements) loaded straight into the tables, then a few hundred writes through the services by
four agents (bench/board_data.py): claims, dependencies, blocked items, broken vendors.

Measures, each p50 / p99 / max:
- page: the server's work for one request, in-process, as the route does it off the event loop:
  the board's reads on one snapshot plus the template (`BoardPages`), for the board (default, its
  live fragment, filtered by a title search) and an item page; and the board's reads alone.
- http: GET / over HTTP to a `statusboard serve` subprocess (the same, plus HTTP, one at a time).
- fan-out: `--clients` event streams open on that server; this process writes one work item at a
  time through the service (a separate process from the server, as an agent would), and each
  stream's delivery of that write's entry is timed from the start of the write: write-to-delivery
  over clients x writes samples. The next write starts once every client got the last one.

Aims: board page p99 under 150 ms at x100; write-to-delivery p99 under 1 s with 50 clients.
Never use this in a test: it prints figures and asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.board_data import seed
from bench.query_work_item import BACKENDS, percentile_ms
from statusboard.config import Settings
from statusboard.domain.validation import validated
from statusboard.domain.work_items import WorkItemChanges
from statusboard.interfaces.web.routes import TREE_ROWS, BoardPages
from statusboard.services.board import BoardFilter
from statusboard.wiring import App, build_app

PAGE_P99_AIM_MS = 150.0
DELIVERY_P99_AIM_MS = 1000.0
START_TIMEOUT_S = 60
DELIVERY_TIMEOUT_S = 30.0
Row = tuple[str, str, list[float]]  # backend, measure, samples in seconds


Call = tuple[str, Callable[[], Any] | None, Callable[[], Any]]  # name, untimed preparation, timed call


def timed(calls: list[Call], iterations: int, warmup: int) -> dict[str, list[float]]:
    """Each call `iterations` times after `warmup`, the calls interleaved (order alternating)."""
    samples: dict[str, list[float]] = {name: [] for name, _, _ in calls}
    for i in range(warmup + iterations):
        for name, prepare, call in calls if i % 2 == 0 else list(reversed(calls)):
            if prepare is not None:
                prepare()
            began = time.perf_counter()
            call()
            if i >= warmup:
                samples[name].append(time.perf_counter() - began)
    return samples


def measure_pages(app: App, args: argparse.Namespace) -> dict[str, list[float]]:
    pages = BoardPages(app)
    items = app.board.board(BoardFilter(), 10_000)["tree"]
    tasks = [
        row["id"] for row in items if row["item_type"] == "task" and row["status"] != "completed" and not row["holder"]
    ]
    rng = random.Random(7)
    writes = iter(range(10**9))

    def write() -> None:  # the board's reads are kept per seq: a write makes the next request read again
        _touch(app, rng.choice(tasks), next(writes))

    return timed(
        [
            ("page: board after a write (reads + template)", write, lambda: pages.board(BoardFilter(), TREE_ROWS)),
            ("page: board, nothing written since", None, lambda: pages.board(BoardFilter(), TREE_ROWS)),
            ("page: board reads after a write", write, lambda: app.board.board(BoardFilter(), TREE_ROWS)),
            ("page: live fragment, nothing written", None, lambda: pages.board(BoardFilter(), fragment=True)),
            ("page: searched by title, nothing written", None, lambda: pages.board(BoardFilter(search="item 12"))),
            ("page: item with history", None, lambda: pages.item(rng.choice(items)["id"])),
        ],
        args.iterations,
        args.warmup,
    )


@contextmanager
def served(url: str, workdir: Path) -> Any:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", ""), "STATUSBOARD_DATABASE_URL": url}
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "statusboard", "serve", "--port", "0"],
        env=env,
        cwd=workdir,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/mcp", line)
    try:
        if not match:
            raise SystemExit(f"the server did not start: {line}")
        yield f"127.0.0.1:{match.group(1)}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=START_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()


def measure_http(address: str, args: argparse.Namespace) -> list[float]:
    def get() -> None:
        with urllib.request.urlopen(f"http://{address}/", timeout=START_TIMEOUT_S) as response:
            response.read()

    return timed([("http", None, get)], args.iterations, args.warmup)["http"]


async def _stream(address: str, arrivals: dict[str, float], subscribed: asyncio.Event, wanted: list[str]) -> None:
    host, port = address.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET /events HTTP/1.0\r\nHost: {address}\r\n\r\n".encode())
    await writer.drain()
    try:
        while True:
            line = await reader.readline()
            if not line:
                return
            if line.startswith(b"retry:"):
                subscribed.set()
            elif line.startswith(b"data:") and wanted and wanted[0].encode() in line:
                arrivals.setdefault(wanted[0], time.perf_counter())
    finally:
        writer.close()


async def measure_fan_out(app: App, address: str, items: list[str], args: argparse.Namespace) -> list[float]:
    wanted: list[str] = []  # the item id of the write in flight
    arrivals = [dict[str, float]() for _ in range(args.clients)]
    ready = [asyncio.Event() for _ in range(args.clients)]
    streams = [asyncio.create_task(_stream(address, arrivals[n], ready[n], wanted)) for n in range(args.clients)]
    samples: list[float] = []
    try:
        await asyncio.wait_for(asyncio.gather(*(event.wait() for event in ready)), START_TIMEOUT_S)
        rng = random.Random(11)
        for n in range(args.writes):
            await asyncio.sleep(rng.uniform(0, 0.2))  # writes come at random, not in step with a poll
            item_id = items[n % len(items)]
            wanted[:] = [item_id]
            began = time.perf_counter()
            await asyncio.to_thread(_touch, app, item_id, n)
            deadline = time.perf_counter() + DELIVERY_TIMEOUT_S
            while sum(item_id in got for got in arrivals) < args.clients and time.perf_counter() < deadline:
                await asyncio.sleep(0.005)
            samples += [got[item_id] - began for got in arrivals if item_id in got]
            missed = args.clients - sum(item_id in got for got in arrivals)
            if missed:
                print(f"  write {n}: {missed} client(s) got nothing within {DELIVERY_TIMEOUT_S:g} s", flush=True)
    finally:
        for stream in streams:
            stream.cancel()
        await asyncio.gather(*streams, return_exceptions=True)
    return samples


def _touch(app: App, item_id: str, n: int) -> None:
    current = app.work_items.query(item_id)
    changes = validated(WorkItemChanges, {"title": f"Work Item touched {n}"})
    app.work_items.update("bench-writer", item_id, current["version"], changes)


def run_backend(backend: str, args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    with BACKENDS[backend]() as url_for:
        url = url_for(100)
        app = build_app(Settings(database_url=url))
        try:
            began = time.perf_counter()
            seeded = seed(app, "x100")
            print(f"{backend} x100: loaded and livened in {time.perf_counter() - began:.1f} s", flush=True)
            gc.collect()
            gc.freeze()  # as `statusboard serve` does once started (wiring.build_server_app)
            rows += [(backend, name, samples) for name, samples in measure_pages(app, args).items()]
            with tempfile.TemporaryDirectory() as workdir, served(url, Path(workdir)) as address:
                rows.append((backend, "http: GET /, nothing written since", measure_http(address, args)))
                free = [item for item in seeded.open_tasks if item not in seeded.claimed]
                delivered = asyncio.run(measure_fan_out(app, address, free, args))
                rows.append((backend, f"fan-out: write to delivery, {args.clients} streams", delivered))
        finally:
            app.close()
    for _, name, samples in rows[-8:]:
        print(f"  {name:<48} {_figures(samples)}", flush=True)
    return rows


def _figures(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50, p99, worst = percentile_ms(ordered, 0.5), percentile_ms(ordered, 0.99), ordered[-1] * 1000
    return f"n {len(ordered):>5}  p50 {p50:8.2f} ms  p99 {p99:8.2f} ms  max {worst:8.2f} ms"


def report(rows: list[Row]) -> None:
    load1, load5, _ = os.getloadavg()
    print(f"\nboard: {os.cpu_count()} CPUs, load average {load1:.1f} (1 min) / {load5:.1f} (5 min) at the end")
    for backend, name, samples in rows:
        print(f"{backend:<11} {name:<48} {_figures(samples)}")
    print("\naims:")
    for backend, name, samples in rows:
        p99 = percentile_ms(sorted(samples), 0.99)
        aim = PAGE_P99_AIM_MS if name.startswith("page: board") else None
        aim = DELIVERY_P99_AIM_MS if name.startswith("fan-out") else aim
        if aim is not None:
            print(f"  {'PASS' if p99 < aim else 'MISS'}  {backend} {name}: p99 {p99:.1f} ms (aim < {aim:g} ms)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.board", description="Benchmark the board.")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--iterations", type=int, default=200, help="timed requests per page measure")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first")
    parser.add_argument("--clients", type=int, default=50, help="event streams open during the fan-out")
    parser.add_argument("--writes", type=int, default=40, help="writes fanned out, one at a time")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for backend in ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]:
        rows += run_backend(backend, args)
    report(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

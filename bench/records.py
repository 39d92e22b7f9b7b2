"""How fast are query_vendor_status and generate_full_status, in-process and over MCP stdio?

Run from the repository root:

    .venv/bin/python -m bench.records [--backend sqlite|postgresql|both] [--iterations N] [--warmup N]

Data sets (vendors, work items, deployments, enhancements), loaded straight into the
tables with SQLAlchemy Core, then checked through the service:

- seed:   45, 50, 10, 8           (the user's scenario 8)
- v1000:  1,000 vendors, else as seed
- x100:   4,500, 5,000, 1,000, 800 (100 times the seed)

Measures, each p50/p99: the service calls in-process (the vendor query alternating with a
bare `SELECT 1` on the same kind of connection, its floor: on PostgreSQL one localhost round
trip), and the MCP tools over stdio to a
`python -m statusboard mcp` subprocess, alternating with the no-op `ping` measured in the
same run. `mcp in-process` calls the same tools on the same server code through the SDK's
in-memory transport: the difference to stdio is the transport (pipes, and JSON written and
parsed on both ends), which for a 1.2 MB status file grows faster than the message: the
SDK's stdio client joins each 64 KiB read onto everything read so far of the line.
`mcp linear-reader` is the same stdio server read by a client whose line reader is linear
(bench/linear_stdio.py), so its difference to `mcp` is that reader alone. Never use this in
a test.
"""

from __future__ import annotations

import argparse
import os
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from mcp.client._transport import Transport
from mcp.server import Server
from sqlalchemy import Engine, text

from bench.linear_stdio import linear_stdio_client
from bench.query_work_item import BACKENDS, Measure, stdio_server
from statusboard.config import Settings
from statusboard.domain.project_configuration import ConfigurationChanges
from statusboard.interfaces.mcp.server import build_server
from statusboard.storage import tables
from statusboard.wiring import App, build_app, build_server_app

ACTOR = "bench"
SEED = 8
CALL_TIMEOUT_S = 60.0
VENDOR_P99_TARGET_MS = 1.0
ROUND_TRIP = "service round trip (SELECT 1)"
STATUS_P99_TARGET_MS = 100.0
STATUS_AIM_SEED_MS = 20.0
VENDOR_METADATA = {
    "format_support": {"excel": True, "csv": True, "pdf": False, "ocr": False},
    "test_results": {"passing": 10, "total": 12, "skipped": 2},
    "extractor_version": "1.2.3",
    "manifest_compliant": True,
}


@dataclass(frozen=True)
class DataSet:
    name: str
    vendors: int
    items: int
    deployments: int
    enhancements: int
    measure_vendor: bool
    measure_status: bool


DATA_SETS = [
    DataSet("seed", 45, 50, 10, 8, True, True),
    DataSet("v1000", 1000, 50, 10, 8, True, False),
    DataSet("x100", 4500, 5000, 1000, 800, False, True),
]


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def load(engine: Engine, data: DataSet, rng: random.Random) -> list[str]:
    """Loads the data set in one transaction; returns the vendor names."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    audit = {"created_by": ACTOR, "updated_by": ACTOR}
    vendors, names = [], []
    for i in range(data.vendors):
        at = start + timedelta(seconds=i)
        name = f"vendor_{i}"
        names.append(name)
        status = "operational" if i % 3 else "broken"
        vendors.append(
            {
                "id": _id(rng),
                "version": 1,
                "name": name,
                "name_key": name,
                "status": status,
                "extractor_version": "1.2.3",
                "metadata": VENDOR_METADATA,
                "created_at": at,
                "updated_at": at,
                **audit,
            }
        )
    items: list[dict[str, Any]] = []
    parents: list[tuple[str, str, int]] = []  # (id, path, depth) of the latest project / session
    for i in range(data.items):
        item_type = ("project", "session", "task")[i % 3]
        item_id = _id(rng)
        parent = None if item_type == "project" else parents[-1]
        path = f"{parent[1] if parent else '/'}{item_id}/"
        depth = parent[2] + 1 if parent else 0
        if item_type != "task":
            parents.append((item_id, path, depth))
        at = start + timedelta(seconds=i)
        items.append(
            {
                "id": item_id,
                "version": 1,
                "item_type": item_type,
                "title": f"Work Item {i}",
                "status": rng.choice(["active", "active", "completed", "blocked"]),
                "parent_id": parent[0] if parent else None,
                "path": path,
                "depth": depth,
                "metadata": {"priority": rng.choice(["high", "medium", "low"])},
                "archived": False,
                "created_at": at,
                "updated_at": at,
                **audit,
            }
        )
    deployments, deployment_vendors, deployment_items = [], [], []
    for i in range(data.deployments):
        deployment_id = _id(rng)
        meta = {
            "pr_number": 100 + i,
            "pr_title": f"Deployment {i}",
            "commit_hash": "a" * 40,
            "test_summary": {"passed": 45, "failed": 0, "skipped": 2},
            "constitutional_compliance": True,
        }
        at = start + timedelta(hours=i)
        deployments.append(
            {
                "id": deployment_id,
                "timestamp": at,
                "commit_hash": "a" * 40,
                "pr_number": 100 + i,
                "metadata": meta,
                "created_at": at,
                "created_by": ACTOR,
            }
        )
        for vendor in rng.sample(vendors, min(2, len(vendors))):
            deployment_vendors.append({"deployment_id": deployment_id, "vendor_id": vendor["id"]})
        for item in rng.sample(items, min(2, len(items))):
            deployment_items.append({"deployment_id": deployment_id, "work_item_id": item["id"]})
    enhancements: list[dict[str, Any]] = []
    for i in range(data.enhancements):
        at = start + timedelta(seconds=i)
        enhancements.append(
            {
                "id": _id(rng),
                "version": 1,
                "title": f"Enhancement {i}",
                "description": None,
                "priority": rng.choice(["high", "medium", "low"]),
                "status": rng.choice(["planned", "approved", "in_progress", "completed"]),
                "target_quarter": f"2026-Q{i % 4 + 1}",
                "requires_principles": [],
                "created_at": at,
                "updated_at": at,
                **audit,
            }
        )
    with engine.begin() as conn:
        for table, rows in (
            (tables.vendors, vendors),
            (tables.work_items, items),
            (tables.deployments, deployments),
            (tables.deployment_vendors, deployment_vendors),
            (tables.deployment_work_items, deployment_items),
            (tables.enhancements, enhancements),
        ):
            if rows:
                conn.execute(table.insert(), rows)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    return names


def verify(app: App, data: DataSet) -> None:
    status = app.status.generate("markdown")
    counts = (
        status["vendor_health"]["total_vendors"],
        status["active_work_items"]["total_count"],
        len(status["recent_deployments"]),
    )
    if counts != (data.vendors, data.items, min(10, data.deployments)):
        raise SystemExit(f"{data.name}: loaded data reads back wrong: {counts}")
    if f"## Deployments ({data.deployments} total)" not in status["markdown"]:
        raise SystemExit(f"{data.name}: the markdown misses deployments")
    if app.vendors.query("VENDOR_0")["metadata"] != VENDOR_METADATA:
        raise SystemExit(f"{data.name}: vendor metadata reads back wrong")


Step = Callable[[], Any]


def timed(calls: list[tuple[Step | None, Step]], iterations: int, warmup: int) -> list[list[float]]:
    """Times each call, after its untimed preparation (a write, for a cold status)."""
    samples: list[list[float]] = [[] for _ in calls]
    for i in range(warmup + iterations):
        order = range(len(calls)) if i % 2 == 0 else reversed(range(len(calls)))
        for k in order:
            prepare, call = calls[k]
            if prepare is not None:
                prepare()
            began = time.perf_counter()
            call()
            took = time.perf_counter() - began
            if i >= warmup:
                samples[k].append(took)
    return samples


def any_case(name: str, rng: random.Random) -> str:
    return "".join(ch.upper() if rng.random() < 0.5 else ch for ch in name)


Samples = list[tuple[str, list[float]]]


def measure_service(app: App, data: DataSet, names: list[str], args: argparse.Namespace) -> Samples:
    rng = random.Random(SEED)
    out: Samples = []
    if data.measure_vendor:
        query = (None, lambda: app.vendors.query(any_case(rng.choice(names), rng)))
        # The floor under it, alternating with it: one statement that reads nothing, on the same
        # kind of connection. On PostgreSQL that is one localhost round trip.
        round_trip = (None, lambda: app.db.read_direct(lambda direct: direct.execute("SELECT 1").fetchone()))
        floor, vendor = timed([round_trip, query], args.iterations, args.warmup)
        out += [(ROUND_TRIP, floor), ("service query_vendor_status", vendor)]
    if data.measure_status:
        n = status_iterations(data, args.iterations)
        as_json, as_markdown = (lambda: app.status.generate("json")), (lambda: app.status.generate("markdown"))
        write, vendor_write = ServiceWrite(app), ServiceVendorWrite(app, names[1])
        calls: list[tuple[Step | None, Step]] = [(write, as_json), (write, as_markdown)]
        calls += [(as_json, as_json), (as_markdown, as_markdown)]
        samples = timed(calls, n, min(args.warmup, n))
        # A pass of their own: interleaved with the others, a JSON call after a vendor write
        # would leave the file's vendor section for the next markdown call (after a config write) to build.
        samples += timed([(vendor_write, as_json), (vendor_write, as_markdown)], n, min(args.warmup, n))
        labels = ["json cold", "md cold", "json warm", "md warm", "json cold vendor", "md cold vendor"]
        out += [(f"service generate_full_status {label}", s) for label, s in zip(labels, samples, strict=True)]
    return out


class ServiceWrite:
    """A small write (it flips git_dirty in the project configuration), so the next status is built anew."""

    def __init__(self, app: App) -> None:
        self._app = app
        self._version = app.configuration.get()["version"]

    def __call__(self) -> None:
        changes = ConfigurationChanges(git_dirty=self._version % 2 == 0)
        self._version = self._app.configuration.update(ACTOR, self._version, changes)["version"]


class ServiceVendorWrite:
    """A write to one vendor (its status flips), so the next status rebuilds what shows vendors."""

    def __init__(self, app: App, name: str) -> None:
        self._app = app
        self._name = name
        self._vendor = app.vendors.query(name)

    def __call__(self) -> None:
        status = "broken" if self._vendor["status"] == "operational" else "operational"
        self._vendor = self._app.vendors.update_status(ACTOR, self._name, self._vendor["version"], status=status)


def status_iterations(data: DataSet, iterations: int) -> int:
    return iterations if data.items < 1000 else max(20, iterations // 5)


async def measure_mcp(
    target: StdioServerParameters | Server[Any] | Transport, data: DataSet, names: list[str], args: argparse.Namespace
) -> list[tuple[str, Any]]:
    """The MCP measures: over stdio with the SDK's client (`StdioServerParameters`) or with the
    linear-reader one (a `Transport`), or in-process (a `Server`)."""
    rng = random.Random(SEED)
    as_json: Call = ("generate_full_status", {})
    as_markdown: Call = ("generate_full_status", {"output_format": "markdown"})
    write: Call = ("update_project_configuration", {})  # its arguments are filled in when it runs
    vendor_write: Call = ("update_vendor_status", {})  # likewise
    # (label, what to call untimed first, what to time)
    calls: list[tuple[str, Call | None, Callable[[], Call]]] = [("mcp ping", None, lambda: ("ping", {}))]
    if data.measure_vendor:
        pick = lambda: ("query_vendor_status", {"name": any_case(rng.choice(names), rng)})  # noqa: E731
        calls.append(("mcp query_vendor_status", None, pick))
    if data.measure_status:
        calls += [
            ("mcp generate_full_status json cold", write, lambda: as_json),
            ("mcp generate_full_status md cold", write, lambda: as_markdown),
            ("mcp generate_full_status json warm", as_json, lambda: as_json),
            ("mcp generate_full_status md warm", as_markdown, lambda: as_markdown),
            ("mcp generate_full_status json cold vendor", vendor_write, lambda: as_json),
            ("mcp generate_full_status md cold vendor", vendor_write, lambda: as_markdown),
        ]
    iterations = status_iterations(data, args.iterations) if data.measure_status else args.iterations
    samples: list[list[float]] = [[] for _ in calls]
    # The calls after a vendor write get a pass of their own (see measure_service).
    passes = [[k for k, call in enumerate(calls) if call[1] is not vendor_write]]
    passes += [[k for k, call in enumerate(calls) if call[1] is vendor_write]]
    async with Client(target, read_timeout_seconds=CALL_TIMEOUT_S, cache=None) as client:
        version = (await checked(client, ("get_project_configuration", {})))["version"]
        vendor = await checked(client, ("query_vendor_status", {"name": names[1]}))
        for i, ks in ((i, ks) for ks in passes if ks for i in range(min(args.warmup, iterations) + iterations)):
            order = ks if i % 2 == 0 else reversed(ks)
            for k in order:
                _, prepare, pick_call = calls[k]
                if prepare is write:
                    changed = {"version": version, "git_dirty": version % 2 == 0}
                    version = (await checked(client, ("update_project_configuration", changed)))["version"]
                elif prepare is vendor_write:
                    status = "broken" if vendor["status"] == "operational" else "operational"
                    flipped = {"name": names[1], "version": vendor["version"], "status": status}
                    vendor = await checked(client, ("update_vendor_status", flipped))
                elif prepare is not None:
                    await checked(client, prepare)
                name, arguments = pick_call()
                began = time.perf_counter()
                result = await client.call_tool(name, arguments)
                took = time.perf_counter() - began
                if result.is_error:
                    raise SystemExit(f"MCP {name} failed: {result.structured_content}")
                if i >= min(args.warmup, iterations):
                    samples[k].append(took)
    return [(label, s) for (label, _, _), s in zip(calls, samples, strict=True)]


Call = tuple[str, dict[str, Any]]


async def checked(client: Client, call: Call) -> dict[str, Any]:
    result = await client.call_tool(*call)
    if result.is_error or result.structured_content is None:
        raise SystemExit(f"MCP {call[0]} failed: {result.content}")
    return dict(result.structured_content)


def run_backend(backend: str, args: argparse.Namespace) -> list[Measure]:
    rows: list[Measure] = []
    with BACKENDS[backend]() as url_for:
        for index, data in enumerate(DATA_SETS):
            url = url_for(index)
            app = build_app(Settings(database_url=url, client_id=ACTOR))
            try:
                began = time.perf_counter()
                names = load(app.db.engine, data, random.Random(SEED + index))
                verify(app, data)
                print(f"{backend} {data.name}: loaded and checked in {time.perf_counter() - began:.1f} s", flush=True)
                service = measure_service(app, data, names, args)
            finally:
                app.close()
            new = with_round_trip(backend, data, service)
            new += with_ping(backend, data, "", anyio.run(measure_mcp, stdio_server(url, ACTOR), data, names, args))
            linear = linear_stdio_client(stdio_server(url, ACTOR))
            new += with_ping(backend, data, " linear-reader", anyio.run(measure_mcp, linear, data, names, args))
            server_app = build_server_app(Settings(database_url=url, client_id=ACTOR))
            try:
                in_process = anyio.run(measure_mcp, build_server(server_app), data, names, args)
            finally:
                server_app.close()
            new += with_ping(backend, data, " in-process", in_process)
            for row in new:
                print(f"  {row.measure:<64} p50 {row.pct(0.5):8.2f} ms   p99 {row.pct(0.99):8.2f} ms", flush=True)
            rows += new
    return rows


def with_round_trip(backend: str, data: DataSet, service: Samples) -> list[Measure]:
    """The service measures; the vendor query next to the bare round trip measured with it."""
    rows = {label: Measure(backend, 0, f"{data.name}: {label}", samples) for label, samples in service}
    if "service query_vendor_status" in rows:
        rows["service query_vendor_status"].baseline = rows[ROUND_TRIP]
    return list(rows.values())


def with_ping(backend: str, data: DataSet, way: str, mcp: list[tuple[str, Any]]) -> list[Measure]:
    """The MCP measures of one way, each next to the ping measured with it (the first)."""
    named = [(label.replace("mcp ", f"mcp{way} ", 1), samples) for label, samples in mcp]
    ping = Measure(backend, 0, f"{data.name}: {named[0][0]}", named[0][1])
    return [ping] + [Measure(backend, 0, f"{data.name}: {label}", s, ping) for label, s in named[1:]]


def report(rows: list[Measure]) -> None:
    load1, load5, _ = os.getloadavg()
    print(f"\nrecords: {os.cpu_count()} CPUs, load average {load1:.1f} (1 min) / {load5:.1f} (5 min) at the end")
    header = f"{'backend':<11} {'measure':<64} {'n':>5} {'p50 ms':>8} {'p99 ms':>8}  ratio p50/p99"
    print(header + "\n" + "-" * len(header))
    for row in rows:
        ratio = ""
        if row.baseline is not None:
            b = row.baseline
            unit = "SELECT 1" if b.measure.endswith(ROUND_TRIP) else "ping"
            ratio = f"{row.pct(0.5) / b.pct(0.5):.2f} / {row.pct(0.99) / b.pct(0.99):.2f} x {unit}"
        figures = f"{len(row.samples):>5} {row.pct(0.5):8.2f} {row.pct(0.99):8.2f}"
        print(f"{row.backend:<11} {row.measure:<64} {figures}  {ratio}")
    print("\ntargets (the linear-reader rows are for reference: the SDK's client is the real one):")
    for row in rows:
        if "linear-reader" in row.measure:
            continue
        p99 = row.pct(0.99)
        if row.measure.endswith("service query_vendor_status"):
            verdict = "PASS" if p99 < VENDOR_P99_TARGET_MS else "MISS"
            print(f"  {verdict}  {row.backend} {row.measure}: p99 {p99:.3f} ms (target < {VENDOR_P99_TARGET_MS:g} ms)")
        if "generate_full_status" in row.measure:
            limit = STATUS_P99_TARGET_MS if row.measure.startswith("x100") else STATUS_AIM_SEED_MS
            word = "target" if row.measure.startswith("x100") else "aim"
            verdict = "PASS" if p99 < limit else "MISS"
            print(f"  {verdict}  {row.backend} {row.measure}: p99 {p99:.2f} ms ({word} < {limit:g} ms)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.records", description="Benchmark vendor and status calls.")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--iterations", type=int, default=500, help="timed calls per measure (x100 status: a fifth)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed calls per measure first")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    rows: list[Measure] = []
    for backend in backends:
        rows += run_backend(backend, args)
    report(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

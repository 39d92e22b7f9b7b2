"""How fast is query_work_item on a full 6-level hierarchy, in-process and over MCP stdio?

Run from the repository root:

    .venv/bin/python -m bench.query_work_item [--backend sqlite|postgresql|both]
        [--sizes 1200,100000] [--iterations N] [--warmup N] [--explain]

For each backend and size it loads a hierarchy of exactly `size` work items (depth 0..5:
project > session > task > task > task > task) straight into the table with SQLAlchemy
Core, checks through the service that the data reads back correctly, then measures:

- service, leaf:      app.work_items.query(leaf)  (the full parent chain of five ancestors)
- service, mid+kids:  app.work_items.query(mid, include_children=True)  (a depth-3 item)
- mcp, query leaf:    call_tool("query_work_item", {"id": leaf}) round trip over stdio
- mcp, ping:          call_tool("ping", {}) round trip, interleaved with the query above

With `--ab`, the leaf query is also measured two ways in one loop, alternating each
iteration (the A/B of how the read runs its SQL; docs/decisions/0004-ways-to-run-sql.md):

- direct: as the service runs it, one statement on a kept driver connection (`read_direct`)
- pooled: the same service call with the kept connections taken away: a pooled connection
          per request (on SQLite a BEGIN and a ROLLBACK around it), the statement run by
          SQLAlchemy (`conn.execute`), as every other read runs

Targets are taken from random items of a pre-chosen list on every iteration. It prints
p50/p99 and, for MCP, the ratio to the no-op tool measured in the same run: on a small,
noisy machine the ratio means more than the absolute figure. Never use this in a test.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from statusboard.config import Settings
from statusboard.storage.repositories.item_view import ITEM_VIEW
from statusboard.storage.tables import work_items
from statusboard.wiring import App, build_app

LEVELS = 6  # depth 0..5
ITEM_TYPES = ["project", "session", "task", "task", "task", "task"]
MID_DEPTH = 3
TARGETS = 200  # items pre-chosen per kind; each iteration picks one at random
BATCH = 5_000
ACTOR = "bench"
SEED = 20261121
SERVICE_P99_TARGET_MS = 10.0
SERVICE_TARGET_SIZE = 100_000
MCP_RATIO_TARGET = 1.5
CALL_TIMEOUT_S = 30.0


# -- the hierarchy --------------------------------------------------------------------


def level_counts(total: int) -> list[int]:
    """Items per depth, summing to `total`: one root per 10,000 items, an even fan-out below."""
    roots = max(1, round(total / 10_000))
    low, high = 1.0, float(total)
    for _ in range(100):  # solve roots * (1 + r + ... + r^5) = total for the fan-out r
        r = (low + high) / 2
        low, high = (r, high) if roots * sum(r**k for k in range(LEVELS)) < total else (low, r)
    counts = [roots]
    for depth in range(1, LEVELS - 1):
        counts.append(max(counts[-1], round(roots * low**depth)))
    counts.append(total - sum(counts))
    if counts[-1] < counts[-2]:
        raise SystemExit(f"--sizes: {total} items are too few for a 6-level hierarchy")
    return counts


@dataclass
class Hierarchy:
    counts: list[int]
    ids: list[list[str]] = field(default_factory=list)  # ids per depth
    parent: dict[str, str] = field(default_factory=dict)
    subtree: dict[str, int] = field(default_factory=dict)  # strict descendants per item

    def chain(self, item_id: str) -> list[str]:
        """Ancestors, root first."""
        out = []
        while item_id in self.parent:
            item_id = self.parent[item_id]
            out.append(item_id)
        return out[::-1]


def generate(total: int, rng: random.Random) -> tuple[Hierarchy, list[list[dict[str, Any]]]]:
    hierarchy = Hierarchy(level_counts(total))
    rows: list[list[dict[str, Any]]] = []
    start = datetime(2026, 1, 1, tzinfo=UTC)
    paths: dict[str, str] = {}
    serial = 0
    for depth, count in enumerate(hierarchy.counts):
        above = hierarchy.ids[-1] if depth else []
        level_ids, level_rows = [], []
        for j in range(count):
            item_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            parent_id = above[j * len(above) // count] if depth else None
            paths[item_id] = f"{paths[parent_id] if parent_id else '/'}{item_id}/"
            at = start + timedelta(milliseconds=serial)
            serial += 1
            level_ids.append(item_id)
            hierarchy.subtree[item_id] = 0
            if parent_id is not None:
                hierarchy.parent[item_id] = parent_id
                for ancestor in [parent_id, *hierarchy.chain(parent_id)]:
                    hierarchy.subtree[ancestor] += 1
            level_rows.append(
                {
                    "id": item_id,
                    "version": 1,
                    "item_type": ITEM_TYPES[depth],
                    "title": f"{ITEM_TYPES[depth]} {depth}.{j}",
                    "status": "active",
                    "parent_id": parent_id,
                    "path": paths[item_id],
                    "depth": depth,
                    "metadata": {},
                    "archived": False,
                    "created_at": at,
                    "updated_at": at,
                    "created_by": ACTOR,
                    "updated_by": ACTOR,
                }
            )
        hierarchy.ids.append(level_ids)
        rows.append(level_rows)
    return hierarchy, rows


def load(engine: Engine, rows: list[list[dict[str, Any]]]) -> None:
    """Every row in one transaction, parents before children, in big executemany batches."""
    with engine.begin() as conn:
        for level in rows:
            for i in range(0, len(level), BATCH):
                conn.execute(work_items.insert(), level[i : i + BATCH])
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()


def count_nodes(nodes: list[dict[str, Any]]) -> int:
    return sum(1 + count_nodes(node["children"]) for node in nodes)


def verify(app: App, hierarchy: Hierarchy, leaf: str, mid: str) -> None:
    found = app.work_items.query(leaf)
    chain = [item["id"] for item in found["parent_chain"]]
    if len(chain) != LEVELS - 1 or chain != hierarchy.chain(leaf) or found["id"] != leaf:
        raise SystemExit(f"loaded data reads back wrong: leaf {leaf} has parent chain {chain}")
    tree = app.work_items.query(mid, include_children=True)
    if count_nodes(tree["children"]) != hierarchy.subtree[mid]:
        raise SystemExit(f"loaded data reads back wrong: {mid} should have {hierarchy.subtree[mid]} descendants")


# -- backends ---------------------------------------------------------------------------


@contextmanager
def sqlite_urls() -> Iterator[Callable[[int], str]]:
    with tempfile.TemporaryDirectory(prefix="statusboard-bench-") as tmp:
        yield lambda size: f"sqlite:///{Path(tmp) / f'bench_{size}.db'}"


@contextmanager
def postgresql_urls() -> Iterator[Callable[[int], str]]:
    from tests.support.postgres import create_cluster, destroy_cluster

    cluster = create_cluster()
    admin = create_engine(
        make_url(cluster.admin_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )

    def fresh(size: int) -> str:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE bench_{size}"))
        return cluster.url(f"bench_{size}")

    try:
        yield fresh
    finally:
        admin.dispose()
        destroy_cluster(cluster)


BACKENDS = {"sqlite": sqlite_urls, "postgresql": postgresql_urls}


# -- measuring --------------------------------------------------------------------------


@dataclass
class Measure:
    backend: str
    size: int
    measure: str
    samples: list[float]  # seconds
    baseline: Measure | None = None  # the no-op measured alongside

    def pct(self, q: float) -> float:
        return percentile_ms(sorted(self.samples), q)


def percentile_ms(ordered: Sequence[float], q: float) -> float:
    """The `q` quantile of samples in seconds, sorted, in ms (nearest rank)."""
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] * 1000


def measure_service(app: App, leaves: list[str], mids: list[str], iterations: int, warmup: int) -> list[list[float]]:
    rng = random.Random(SEED)
    calls = [
        lambda: app.work_items.query(rng.choice(leaves)),
        lambda: app.work_items.query(rng.choice(mids), include_children=True),
    ]
    samples: list[list[float]] = [[], []]
    for i in range(warmup + iterations):
        order = (0, 1) if i % 2 == 0 else (1, 0)  # alternate, so drifts in noise hit both alike
        for k in order:
            began = time.perf_counter()
            calls[k]()
            took = time.perf_counter() - began
            if i >= warmup:
                samples[k].append(took)
    return samples


AB_WAYS = ("direct", "pooled")


def measure_ab(app: App, leaves: list[str], iterations: int, warmup: int) -> list[list[float]]:
    """The leaf query run directly and pooled, interleaved (see the module's docstring). The
    switch reaches into a private part: it belongs here, not in the product."""
    kept = app.db._direct

    def run(way: str, item_id: str) -> None:
        if way != "direct":
            app.db._direct = None
        try:
            app.work_items.query(item_id)
        finally:
            app.db._direct = kept

    rng = random.Random(SEED)
    samples: list[list[float]] = [[] for _ in AB_WAYS]
    for i in range(warmup + iterations):
        for k in [(i + n) % len(AB_WAYS) for n in range(len(AB_WAYS))]:
            item_id = rng.choice(leaves)
            began = time.perf_counter()
            run(AB_WAYS[k], item_id)
            took = time.perf_counter() - began
            if i >= warmup:
                samples[k].append(took)
    return samples


def stdio_server(url: str, actor: str = ACTOR) -> StdioServerParameters:
    """A `python -m statusboard mcp` subprocess on `url`, acting as `actor`."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "STATUSBOARD_DATABASE_URL": url,
        "STATUSBOARD_CLIENT_ID": actor,
        # the server's local cache (degraded mode) in the temp dir, not in the checkout
        "STATUSBOARD_CACHE_PATH": os.path.join(tempfile.gettempdir(), f"statusboard-bench-{os.getpid()}", "cache.db"),
    }
    if "PYTHONPATH" in os.environ:  # a checkout run with PYTHONPATH (a worktree, say): the server runs its code too
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return StdioServerParameters(command=sys.executable, args=["-m", "statusboard", "mcp"], env=env)


async def measure_mcp(url: str, leaves: list[str], iterations: int, warmup: int) -> list[list[float]]:
    params = stdio_server(url)
    rng = random.Random(SEED)
    samples: list[list[float]] = [[], []]
    async with Client(params, read_timeout_seconds=CALL_TIMEOUT_S, cache=None) as client:
        first = await client.call_tool("query_work_item", {"id": leaves[0]})
        body = first.structured_content or {}
        if first.is_error or len(body.get("parent_chain", [])) != LEVELS - 1:
            raise SystemExit(f"MCP query_work_item answered wrongly: {body}")
        for i in range(warmup + iterations):
            for k in (0, 1) if i % 2 == 0 else (1, 0):
                name, args = ("query_work_item", {"id": rng.choice(leaves)}) if k == 0 else ("ping", {})
                began = time.perf_counter()
                result = await client.call_tool(name, args)
                took = time.perf_counter() - began
                if result.is_error:
                    raise SystemExit(f"MCP {name} failed: {result.structured_content}")
                if i >= warmup:
                    samples[k].append(took)
    return samples


def explain(app: App, leaf: str, mid: str) -> None:
    """Prints the plan of every SELECT the service issues for the two service measures."""
    captured: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            captured.append((statement, parameters))

    engine = app.db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        app.work_items.query(leaf)
        app.work_items.query(mid, include_children=True)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    if app.db.backend == "postgresql":  # run on the driver itself, past SQLAlchemy's events
        captured.insert(0, (ITEM_VIEW.sql(engine.dialect), {"id": leaf}))
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if app.db.backend == "postgresql" else "EXPLAIN QUERY PLAN "
    with engine.connect() as conn:
        for statement, parameters in captured:
            print("\n    " + " ".join(statement.split())[:300])
            for line in _plan(conn, prefix + statement, parameters):
                print("      | " + line)


def _plan(conn: Connection, statement: str, parameters: Any) -> list[str]:
    rows = conn.exec_driver_sql(statement, parameters).all()
    return [str(row[-1]) for row in rows]


def run_backend(backend: str, sizes: list[int], args: argparse.Namespace) -> list[Measure]:
    rows: list[Measure] = []
    with BACKENDS[backend]() as url_for:
        for size in sizes:
            url = url_for(size)
            rng = random.Random(SEED + size)
            began = time.perf_counter()
            hierarchy, data = generate(size, rng)
            app = build_app(Settings(database_url=url, client_id=ACTOR))
            try:
                load(app.db.engine, data)
                loaded = time.perf_counter() - began
                leaves = rng.sample(hierarchy.ids[-1], min(TARGETS, len(hierarchy.ids[-1])))
                mids = rng.sample(hierarchy.ids[MID_DEPTH], min(TARGETS, len(hierarchy.ids[MID_DEPTH])))
                verify(app, hierarchy, leaves[0], mids[0])
                kids = sum(hierarchy.subtree[m] for m in mids) / len(mids)
                print(
                    f"{backend} {size:,}: items per depth {hierarchy.counts}, loaded and checked in {loaded:.1f} s;"
                    f" a depth-{MID_DEPTH} item has {kids:.0f} descendants on average",
                    flush=True,
                )
                if args.explain:
                    explain(app, leaves[0], mids[0])
                leaf_s, mid_s = measure_service(app, leaves, mids, args.iterations, args.warmup)
                ab = measure_ab(app, leaves, args.iterations, args.warmup) if args.ab else []
            finally:
                app.close()
            query_s, ping_s = anyio.run(measure_mcp, url, leaves, args.iterations, args.warmup)
            ping = Measure(backend, size, "mcp ping", ping_s)
            found = [
                Measure(backend, size, "service query leaf", leaf_s),
                Measure(backend, size, f"service query depth-{MID_DEPTH} +children", mid_s),
                Measure(backend, size, "mcp query_work_item leaf", query_s, ping),
                ping,
            ]
            if ab:
                direct = Measure(backend, size, "a/b leaf direct", ab[0])
                found += [
                    direct,
                    *(
                        Measure(backend, size, f"a/b leaf {w}", s, direct)
                        for w, s in zip(AB_WAYS[1:], ab[1:], strict=True)
                    ),
                ]
            rows += found
            for row in found:
                print(f"  {row.measure:<34} p50 {row.pct(0.5):7.2f} ms   p99 {row.pct(0.99):7.2f} ms", flush=True)
    return rows


def report(rows: list[Measure], iterations: int) -> None:
    load1, load5, _ = os.getloadavg()
    print(
        f"\nquery_work_item: {iterations} timed calls per measure, {os.cpu_count()} CPUs,"
        f" load average {load1:.1f} (1 min) / {load5:.1f} (5 min) at the end"
    )
    header = f"{'backend':<11} {'size':>8}  {'measure':<34} {'p50 ms':>8} {'p99 ms':>8}  ratio p50/p99"
    print(header + "\n" + "-" * len(header))
    for row in rows:
        ratio = ""
        if row.baseline is not None:
            b = row.baseline
            against = "direct" if row.measure.startswith("a/b") else "ping"
            ratio = f"{row.pct(0.5) / b.pct(0.5):.2f} / {row.pct(0.99) / b.pct(0.99):.2f} x {against}"
        line = f"{row.backend:<11} {row.size:>8,}  {row.measure:<34} {row.pct(0.5):8.2f} {row.pct(0.99):8.2f}  {ratio}"
        print(line)
    print("\ntargets:")
    for row in rows:
        if row.measure.startswith("service") and row.size == SERVICE_TARGET_SIZE:
            ok = row.pct(0.99) < SERVICE_P99_TARGET_MS
            print(
                f"  {'PASS' if ok else 'MISS'}  {row.backend} {row.measure} at {row.size:,} items:"
                f" p99 {row.pct(0.99):.2f} ms (target < {SERVICE_P99_TARGET_MS:g} ms)"
            )
        if row.baseline is not None and row.measure.startswith("mcp"):
            times = row.pct(0.5) / row.baseline.pct(0.5)
            print(
                f"  {'PASS' if times <= MCP_RATIO_TARGET else 'MISS'}  {row.backend} {row.size:,} MCP round trip:"
                f" {times:.2f} x ping at p50 (target <= {MCP_RATIO_TARGET:g} x)"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.query_work_item", description="Benchmark query_work_item.")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--sizes", default="1200,100000", help="total work items per run, comma-separated")
    parser.add_argument("--iterations", type=int, default=1000, help="timed calls per measure")
    parser.add_argument("--warmup", type=int, default=100, help="untimed calls per measure first")
    parser.add_argument("--explain", action="store_true", help="print the query plans of the service's SELECTs")
    parser.add_argument("--ab", action="store_true", help="also time the leaf query direct / pooled / through Core")
    args = parser.parse_args(argv)
    sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    rows: list[Measure] = []
    for backend in backends:
        rows += run_backend(backend, sizes, args)
    report(rows, args.iterations)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

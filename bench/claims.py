"""How many claims per second, with 1, 2, 4 and 8 processes, raw SQL vs the service vs MCP?

Run from the repository root:

    .venv/bin/python -m bench.claims [--backend sqlite|postgresql|both] [--processes 1,2,4,8]
        [--claims 800] [--mcp-claims 400] [--rounds 3]

For every backend, way and process count, fresh unclaimed tasks are loaded straight into
the table; then N separate processes (spawned, each with its own connection, app or
`statusboard mcp` server), released together by a barrier, claim their share of them
by id. The rate is claims / (last finish - first start). Every configuration runs
`--rounds` times, the ways one after another within a round, so raw and service share the
machine's moods; the table shows median rates, and the shares are medians of each round's
service/raw (and mcp/raw). Ways:

- raw:     the one-statement claim, autocommit, through the DB driver itself (sqlite3 /
           psycopg): one INSERT ... SELECT that claims the item only if it exists, may be
           claimed (not deleted, archived or completed) and has no open claim, with the next
           epoch; no change log, no row lock, nothing sent back. The target's baseline.
- insert:  one bare INSERT into work_item_claims per claim (no check at all): the floor
           cost of a durable row, shown for reference.
- service: app.claims.claim(actor, id, lease): the checks, the epoch, the change log.
- pooled:  the same service call with the fast claim's statement(s) run on a connection from
           SQLAlchemy's pool, in its transaction, instead of on a kept driver connection.
- core:    the same service call with the fast claim switched off: every claim takes the
           careful path (SQLAlchemy Core on a pooled connection, several statements).
- mcp:     call_tool("claim_work_item", {"id": ...}) over stdio.
- next:    app.claims.claim(actor, None, lease), claim-next: every process wants the oldest
           ready item at the same time (the contended case).

A second table gives every way's latency of one claim (p50 / p99 / max over all rounds): how
the waiting is shared out between the processes, which the rate does not show.

Afterwards it checks in the database that every item got exactly one claim. SQLite uses
its production settings (WAL, synchronous=FULL); PostgreSQL runs durable (fsync on).
Never use this in a test: it prints figures, it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
from mcp import Client
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench.query_work_item import percentile_ms, stdio_server
from statusboard.config import Settings
from statusboard.storage.tables import work_item_claims, work_items
from statusboard.wiring import App, build_app

CTX = multiprocessing.get_context("spawn")
WAYS = ["raw", "insert", "service", "mcp", "next"]
SERVICE_VARIANTS = ["pooled", "core"]  # A/B of how the service runs its SQL; not in the default ways
TARGET_SERVICE_SHARE = 0.70
WAIT_S = 120.0


# -- the work each process does ------------------------------------------------------------


@dataclass(frozen=True)
class Order:
    way: str
    url: str
    actor: str
    item_ids: list[str]


def worker(order: Order, barrier: Any, results: Any) -> None:
    try:
        results.put((order.actor, WORKERS[order.way](order, barrier)))
    except BaseException as exc:  # report, so the parent fails fast with the reason
        results.put((order.actor, {"error": repr(exc)}))
        barrier.abort()


def _timed(barrier: Any, claim_all: Callable[[list[float]], int]) -> dict[str, Any]:
    """Runs `claim_all` once the barrier opens; it appends each claim's latency (s) to the list."""
    latencies: list[float] = []
    barrier.wait(WAIT_S)
    began = time.perf_counter()
    claimed = claim_all(latencies)
    return {"began": began, "ended": time.perf_counter(), "claimed": claimed, "latencies": latencies}


_COLUMNS = "(id, work_item_id, epoch, token, holder, claimed_at, expires_at)"
_INSERT = f"INSERT INTO work_item_claims {_COLUMNS} VALUES ({{p}}, {{p}}, {{p}}, {{p}}, {{p}}, {{p}}, {{p}})"
# The claim in one statement: the token's epoch part is the epoch the statement computes.
_CLAIM = f"""
INSERT INTO work_item_claims {_COLUMNS}
SELECT {{p}}, w.id, e.epoch, e.epoch || '.' || {{p}}, {{p}}, {{p}}, {{p}}
FROM work_items w,
     (SELECT coalesce(max(epoch), 0) + 1 AS epoch FROM work_item_claims WHERE work_item_id = {{p}}) e
WHERE w.id = {{p}} AND w.deleted_at IS NULL AND NOT w.archived AND w.status <> 'completed'
  AND NOT EXISTS (SELECT 1 FROM work_item_claims c WHERE c.work_item_id = w.id AND c.ended_at IS NULL)
"""


def raw_worker(order: Order, barrier: Any) -> dict[str, Any]:
    at = datetime.now(UTC)
    until = at + timedelta(seconds=900)
    sqlite = order.url.startswith("sqlite")
    if sqlite:
        at, until = _sqlite_time(at), _sqlite_time(until)  # type: ignore[assignment]
    if order.way == "insert":
        rows = [
            (str(uuid.uuid4()), item_id, 1, f"1.{uuid.uuid4().hex}", order.actor, at, until)
            for item_id in order.item_ids
        ]
        statement = _INSERT
    else:
        rows = [
            (str(uuid.uuid4()), uuid.uuid4().hex, order.actor, at, until, item_id, item_id)
            for item_id in order.item_ids
        ]
        statement = _CLAIM
    if sqlite:
        import sqlite3

        conn: Any = sqlite3.connect(make_url(order.url).database or "", isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=10000"):
            conn.execute(f"PRAGMA {pragma}")
        statement = statement.replace("{p}", "?")
    else:
        import psycopg

        conn = psycopg.connect(order.url, autocommit=True)
        statement = statement.replace("{p}", "%s")

    def claim_all(latencies: list[float]) -> int:
        claimed = 0
        clock = time.perf_counter
        for row in rows:
            began = clock()
            claimed += conn.execute(statement, row).rowcount
            latencies.append(clock() - began)
        return claimed

    try:
        return _timed(barrier, claim_all)
    finally:
        conn.close()


def _sqlite_time(value: datetime) -> str:
    return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def service_worker(order: Order, barrier: Any) -> dict[str, Any]:
    app = build_app(Settings(database_url=order.url), migrate=False)
    next_item = order.way == "next"
    run_sql_as(app, order.way)

    def claim_all(latencies: list[float]) -> int:
        claimed = 0
        clock = time.perf_counter
        for item_id in order.item_ids:
            began = clock()
            body = app.claims.claim(order.actor, None if next_item else item_id, 900)
            latencies.append(clock() - began)
            claimed += bool(body["claimed"])
        return claimed

    try:
        return _timed(barrier, claim_all)
    finally:
        app.close()


def mcp_worker(order: Order, barrier: Any) -> dict[str, Any]:
    params = stdio_server(order.url, order.actor)

    async def run() -> dict[str, Any]:
        async with Client(params, read_timeout_seconds=60) as client:
            await client.call_tool("ping", {})
            await anyio.to_thread.run_sync(barrier.wait, WAIT_S)
            began = time.perf_counter()
            claimed = 0
            latencies: list[float] = []
            for item_id in order.item_ids:
                asked = time.perf_counter()
                result = await client.call_tool("claim_work_item", {"id": item_id})
                latencies.append(time.perf_counter() - asked)
                if result.is_error:
                    raise RuntimeError(f"claim failed: {result.content}")
                claimed += 1
            ended = time.perf_counter()
            return {"began": began, "ended": ended, "claimed": claimed, "latencies": latencies}

    return anyio.run(run)


def run_sql_as(app: App, way: str) -> None:
    """The A/B switch, here and not in the product (it reaches into private parts): `pooled`
    takes the kept driver connections away, so the fast claim runs on a pooled connection in
    SQLAlchemy's transaction (as it does on SQLite in memory); `core` turns the fast claim off,
    so the careful path claims every item."""
    if way in ("pooled", "core"):
        without_kept_connections(app)
    if way == "core":
        app.claims._claim_unheld = lambda *_args: None  # type: ignore[method-assign]


def without_kept_connections(app: App) -> None:
    kept = app.db._direct
    if kept is not None:
        kept.dispose()
    app.db._direct = None


WORKERS: dict[str, Callable[[Order, Any], dict[str, Any]]] = {
    "raw": raw_worker,
    "insert": raw_worker,
    "service": service_worker,
    "pooled": service_worker,
    "core": service_worker,
    "next": service_worker,
    "mcp": mcp_worker,
}


# -- the parent -------------------------------------------------------------------------------


def load_tasks(engine: Engine, count: int, label: str) -> list[str]:
    at = datetime.now(UTC)
    ids = [str(uuid.uuid4()) for _ in range(count)]
    rows = [
        {
            "id": item_id,
            "version": 1,
            "item_type": "task",
            "title": f"{label} {n}",
            "status": "active",
            "parent_id": None,
            "path": f"/{item_id}/",
            "depth": 0,
            "metadata": {},
            "archived": False,
            "created_at": at + timedelta(microseconds=n),
            "updated_at": at,
            "created_by": "bench",
            "updated_by": "bench",
        }
        for n, item_id in enumerate(ids)
    ]
    with engine.begin() as conn:
        conn.execute(work_items.insert(), rows)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    return ids


@dataclass(frozen=True)
class Run:
    rate: float  # claims per second
    latencies: list[float]  # every claim's, in seconds, all processes together


def run_config(engine: Engine, url: str, way: str, processes: int, total: int) -> Run:
    item_ids = load_tasks(engine, total, f"{way}x{processes}")
    barrier = CTX.Barrier(processes)
    results: Any = CTX.Queue()
    share = total // processes
    orders = [
        Order(way, url, f"agent-{n}", item_ids[n * share : (n + 1) * share if n < processes - 1 else total])
        for n in range(processes)
    ]
    procs = [CTX.Process(target=worker, args=(order, barrier, results)) for order in orders]
    for proc in procs:
        proc.start()
    reports = [results.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join(60)
    errors = [f"{actor}: {r['error']}" for actor, r in reports if "error" in r]
    if errors:
        raise SystemExit(f"{way} x{processes} failed: {errors}")
    claimed = sum(r["claimed"] for _, r in reports)
    check_claimed_once(engine, item_ids, claimed, strict=way != "next")
    elapsed = max(r["ended"] for _, r in reports) - min(r["began"] for _, r in reports)
    return Run(claimed / elapsed, [latency for _, r in reports for latency in r["latencies"]])


def check_claimed_once(engine: Engine, item_ids: list[str], claimed: int, *, strict: bool) -> None:
    """No item claimed twice, ever; with `strict`, every item claimed (by id, each one is asked for)."""
    wanted = set(item_ids)
    with engine.connect() as conn:
        stmt = select(work_item_claims.c.work_item_id, func.count()).group_by(work_item_claims.c.work_item_id)
        counts = {row[0]: row[1] for row in conn.execute(stmt) if row[0] in wanted}
    doubled = [item for item, n in counts.items() if n > 1]
    if doubled or claimed != len(counts):
        raise SystemExit(f"claims went wrong: {claimed} acknowledged, {len(counts)} claimed, doubled: {doubled}")
    if len(counts) != len(item_ids):
        message = f"{len(item_ids) - len(counts)} of {len(item_ids)} items left unclaimed"
        if strict:
            raise SystemExit(f"claims went wrong: {message}")
        print(f"  note: claim-next answered 'nothing ready' early; {message}", flush=True)


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="statusboard-bench-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'claims.db'}"
        return
    from tests.support.postgres import create_cluster, destroy_cluster

    cluster = create_cluster(durable=True)
    try:
        admin = create_engine(make_url(cluster.admin_url).set(drivername="postgresql+psycopg"))
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("CREATE DATABASE bench_claims"))
        admin.dispose()
        yield cluster.url("bench_claims")
    finally:
        destroy_cluster(cluster)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.claims", description="Benchmark claims per second.")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--processes", default="1,2,4,8", help="process counts, comma-separated")
    parser.add_argument("--claims", type=int, default=800, help="claims per run, raw / service / next")
    parser.add_argument("--mcp-claims", type=int, default=400, help="claims per run over MCP")
    parser.add_argument("--ways", default=",".join(WAYS), help=f"which of {WAYS + SERVICE_VARIANTS}")
    parser.add_argument("--rounds", type=int, default=3, help="runs of every configuration (medians are shown)")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.processes.split(",")]
    ways = [way for way in args.ways.split(",") if way]
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    table: Table = {}
    latencies: dict[tuple[str, str, int], list[float]] = {}
    for backend in backends:
        with database(backend) as url:
            app = build_app(Settings(database_url=url))  # migrates the fresh database
            engine = app.db.engine
            try:
                for processes in counts:
                    for round_no in range(1, args.rounds + 1):
                        for way in ways:
                            total = args.mcp_claims if way == "mcp" else args.claims
                            run = run_config(engine, url, way, processes, total)
                            table.setdefault((backend, way, processes), []).append(run.rate)
                            latencies.setdefault((backend, way, processes), []).extend(run.latencies)
                            line = f"{backend:<10} {way:<8} x{processes} round {round_no}: {run.rate:8.0f} claims/s"
                            print(line, flush=True)
            finally:
                app.close()
    report(table, backends, counts, ways)
    report_latencies(latencies, backends, counts, ways)
    return 0


def report(
    table: dict[tuple[str, str, int], list[float]], backends: list[str], counts: list[int], ways: list[str]
) -> None:
    load1, load5, _ = os.getloadavg()
    rounds = max(len(rates) for rates in table.values())
    machine = f"{os.cpu_count()} CPUs, load {load1:.1f} / {load5:.1f} at the end"
    print(f"\nclaims per second, median of {rounds} rounds ({machine})")
    header = (
        f"{'backend':<11} {'procs':>5}  "
        + "  ".join(f"{way:>8}" for way in ways)
        + "   service/raw  mcp/raw  service/insert"
    )
    print(header + "\n" + "-" * len(header))
    for backend in backends:
        for processes in counts:
            rates = [table.get((backend, way, processes)) for way in ways]
            cells = "  ".join(f"{statistics.median(r):8.0f}" if r else f"{'-':>8}" for r in rates)
            shares = [share(table, backend, way, processes, base) for way, base in SHARES]
            texts = [f"{value:.0%}" if value is not None else "" for value in shares]
            print(f"{backend:<11} {processes:>5}  {cells}   {texts[0]:>11}  {texts[1]:>7}  {texts[2]:>14}")
    report_variants(table, backends, counts, ways)
    print(f"\ntarget: the service reaches at least {TARGET_SERVICE_SHARE:.0%} of the raw rate (median of rounds)")
    for backend in backends:
        for processes in counts:
            value = share(table, backend, "service", processes)
            if value is not None:
                rounds_seen = ratios(table, backend, "service", processes)
                spread = ", ".join(f"{r:.0%}" for r in rounds_seen)
                verdict = "PASS" if value >= TARGET_SERVICE_SHARE else "MISS"
                print(f"  {verdict}  {backend} x{processes}: {value:.0%} of raw (rounds: {spread})")


def report_variants(table: Table, backends: list[str], counts: list[int], ways: list[str]) -> None:
    """The A/B of how the service runs its SQL: each variant's rate over the service's, per round."""
    variants = [way for way in SERVICE_VARIANTS if way in ways]
    if "service" not in ways or not variants:
        return
    print("\nthe service's rate over each variant's (median of the rounds' ratios; the rounds' own in brackets)")
    for backend in backends:
        for processes in counts:
            cells = []
            for way in variants:
                found = ratios(table, backend, "service", processes, way)
                if found:
                    rounds_seen = ", ".join(f"{r:.2f}" for r in found)
                    cells.append(f"service/{way} {statistics.median(found):.2f} ({rounds_seen})")
            print(f"  {backend:<10} x{processes}: " + "   ".join(cells))


def report_latencies(
    latencies: dict[tuple[str, str, int], list[float]], backends: list[str], counts: list[int], ways: list[str]
) -> None:
    """How long one claim took, every claim of every round: what a rate cannot show is how the
    waiting is shared out. SQLite's own busy handler (raw) sleeps a waiting writer 1, 2, 5, 10 ms
    and more, so one process can keep the lock back to back while the others wait."""
    print("\nlatency of one claim, ms: p50 / p99 / max, over every claim of every round")
    header = f"{'backend':<11} {'procs':>5}  " + "  ".join(f"{way:>22}" for way in ways)
    print(header + "\n" + "-" * len(header))
    for backend in backends:
        for processes in counts:
            cells = []
            for way in ways:
                found = sorted(latencies.get((backend, way, processes), []))
                cells.append(f"{_percentiles(found):>22}" if found else f"{'-':>22}")
            print(f"{backend:<11} {processes:>5}  " + "  ".join(cells))


def _percentiles(ordered: list[float]) -> str:
    return f"{percentile_ms(ordered, 0.5):.2f} / {percentile_ms(ordered, 0.99):.2f} / {ordered[-1] * 1e3:.1f}"


SHARES = [("service", "raw"), ("mcp", "raw"), ("service", "insert")]
Table = dict[tuple[str, str, int], list[float]]


def ratios(table: Table, backend: str, way: str, processes: int, base: str = "raw") -> list[float]:
    """Each round's rate of `way` over the `base` rate measured in the same round."""
    raw, other = table.get((backend, base, processes)), table.get((backend, way, processes))
    if not raw or not other:
        return []
    return [mine / base for mine, base in zip(other, raw, strict=False)]


def share(table: Table, backend: str, way: str, processes: int, base: str = "raw") -> float | None:
    found = ratios(table, backend, way, processes, base)
    return statistics.median(found) if found else None


if __name__ == "__main__":
    raise SystemExit(main())

"""How fast degraded mode reacts: a real PostgreSQL is stopped (`pg_ctl stop -m immediate`) and
paused (SIGSTOP) several times under a server whose monitor runs, and we time

- detection: from the fault to the monitor saying `down` (target: within 2 s);
- a request caught by a pause: a read sent right after SIGSTOP, until it is answered
  from a fallback layer (without the monitor it would wait forever);
- a journaled write during the outage (durable append + cache + status file);
- recovery: from the restart / SIGCONT to `up` with the journal replayed.

    .venv/bin/python -m bench.outage [--rounds 5] [--writes 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.postgres import PostgresCluster, create_cluster, create_migrated_database, destroy_cluster

from statusboard.config import Settings
from statusboard.interfaces.mcp.server import build_server
from statusboard.interfaces.mcp.tools import TOOLS
from statusboard.wiring import App, build_app

ACTOR = "bench-outage"
WAIT_LIMIT_S = 60.0
SPECS = {spec.name: spec for spec in TOOLS}


def call(app: App, tool: str, **arguments: Any) -> dict[str, Any]:
    spec = SPECS[tool]
    args = spec.args.model_validate(arguments)
    return app.resilience.call(spec, ACTOR, args, lambda: spec.run(app, ACTOR, args))


def until(condition: Callable[[], bool], what: str) -> float:
    """Seconds until `condition` holds, polled every 5 ms; gives up after WAIT_LIMIT_S."""
    began = time.perf_counter()
    while not condition():
        if time.perf_counter() - began > WAIT_LIMIT_S:
            raise SystemExit(f"{what}: not within {WAIT_LIMIT_S} s")
        time.sleep(0.005)
    return time.perf_counter() - began


def run(rounds: int, writes: int) -> None:
    cluster = create_cluster(durable=True)
    workdir = Path(tempfile.mkdtemp(prefix="statusboard-bench-outage-"))
    try:
        url = create_migrated_database(cluster, "bench_outage")
        settings = Settings(
            database_url=url,
            client_id=ACTOR,
            cache_path=str(workdir / "cache.db"),
            markdown_path=str(workdir / ".project_status.md"),
            git_repo=str(workdir),
        )
        app = build_app(settings)
        build_server(app)
        app.resilience.start_monitor()
        figures = measure(app, cluster, rounds, writes)
        app.close()
    finally:
        cluster.resume()
        destroy_cluster(cluster)
    report(figures, rounds, writes)


def measure(app: App, cluster: PostgresCluster, rounds: int, writes: int) -> dict[str, list[float]]:
    monitor = app.resilience.monitor
    figures: dict[str, list[float]] = {}
    item = call(app, "create_work_item", item_type="project", title="watched")
    for _ in range(rounds):
        for fault, (break_it, heal_it) in {
            "stop": (lambda: cluster.stop("immediate"), cluster.start),
            "pause": (cluster.pause, cluster.resume),
        }.items():
            caught: list[float] = []
            reader = threading.Thread(target=lambda out=caught: out.append(timed_read(app, item["id"])))
            break_it()
            reader.start()
            figures.setdefault(f"detect after {fault}", []).append(until(lambda: monitor.state == "down", "down"))
            reader.join(WAIT_LIMIT_S)
            figures.setdefault(f"read caught by {fault}", []).extend(caught)
            for n in range(writes):
                began = time.perf_counter()
                body = call(app, "create_work_item", item_type="task", title=f"offline {n}")
                figures.setdefault("journaled write", []).append(time.perf_counter() - began)
                assert "database_unavailable" in body["warnings"], body
            heal_it()
            figures.setdefault(f"recover after {fault} (+{writes} replayed)", []).append(
                until(lambda: monitor.state == "up", "up")
            )
    health = app.resilience.health()
    if health["journal"] != {"pending": 0, "conflicts": 0}:
        raise SystemExit(f"journal not drained cleanly: {health}")
    return figures


def timed_read(app: App, item_id: str) -> float:
    began = time.perf_counter()
    body = call(app, "query_work_item", id=item_id)
    took = time.perf_counter() - began
    if body["data_source"] == "database":
        return float("nan")  # answered before the fault landed: not a caught request
    return took


def report(figures: dict[str, list[float]], rounds: int, writes: int) -> None:
    load = os.getloadavg()
    print(f"\noutage: {rounds} rounds of stop and pause, {writes} journaled writes each, load {load[0]:.1f}")
    print(f"{'measure':42} {'n':>4} {'p50 ms':>9} {'max ms':>9}")
    for name, samples in figures.items():
        real = [s for s in samples if s == s]  # drop NaN: requests answered before the fault
        if not real:
            print(f"{name:42} {0:>4} {'-':>9} {'-':>9}")
            continue
        print(f"{name:42} {len(real):>4} {statistics.median(real) * 1000:>9.1f} {max(real) * 1000:>9.1f}")
    detections = figures["detect after stop"] + figures["detect after pause"]
    verdict = "PASS" if max(detections) < 2.0 else "MISS"
    print(f"\ntarget: {verdict}  outage noticed within 2 s (worst {max(detections):.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--writes", type=int, default=20)
    options = parser.parse_args()
    run(options.rounds, options.writes)


if __name__ == "__main__":
    main()

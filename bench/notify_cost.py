"""What does migration 0007's NOTIFY trigger cost the claims on PostgreSQL?

    .venv/bin/python -m bench.notify_cost [--processes 1,4] [--claims 800] [--rounds 6]

bench.claims' service way (app.claims.claim by id, N spawned processes released by a barrier)
on one durable throwaway cluster, with the trigger enabled and disabled in alternate runs
(`ALTER TABLE change_log ENABLE/DISABLE TRIGGER`), the order swapped each round, so that both
sides share the machine's moods; a comparison of separate bench.claims runs before and after
the migration drowns in them on a shared 2-core machine. Prints the median rate and the claim
latencies (p50 / p99 over every claim) of each side, and the median of the rounds' on/off
ratios. A transaction that notified takes a cluster-wide lock at commit (to queue its
notification in commit order), so the question is what that does to concurrent claims.
"""

from __future__ import annotations

import argparse
import os
import statistics

from sqlalchemy import text

from bench.claims import database, run_config
from bench.query_work_item import percentile_ms
from statusboard.storage import schema
from statusboard.storage.engine import build_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.notify_cost", description=__doc__.splitlines()[0])
    parser.add_argument("--processes", default="1,4")
    parser.add_argument("--claims", type=int, default=800, help="claims per run")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args(argv)
    results: dict[tuple[int, bool], list[tuple[float, list[float]]]] = {}
    with database("postgresql") as url:
        engine = build_engine(url)
        schema.upgrade(engine)
        try:
            for round_no in range(args.rounds):
                for processes in (int(p) for p in args.processes.split(",")):
                    sides = (True, False) if round_no % 2 == 0 else (False, True)
                    for notify in sides:
                        with engine.begin() as conn:
                            state = "ENABLE" if notify else "DISABLE"
                            conn.execute(text(f"ALTER TABLE change_log {state} TRIGGER change_log_notify"))
                        run = run_config(engine, url, "service", processes, args.claims)
                        results.setdefault((processes, notify), []).append((run.rate, run.latencies))
                        side = "on " if notify else "off"
                        print(f"round {round_no + 1} x{processes} notify {side}: {run.rate:7.0f} claims/s", flush=True)
        finally:
            engine.dispose()
    load1, load5, _ = os.getloadavg()
    print(f"\nNOTIFY trigger on claims (service way), {os.cpu_count()} CPUs, load {load1:.1f} / {load5:.1f}")
    print(f"{'procs':>5} {'notify':>7} {'claims/s':>9} {'p50 ms':>8} {'p99 ms':>8}   on/off rate, per round")
    for processes in sorted({p for p, _ in results}):
        ratios = [on[0] / off[0] for on, off in zip(results[processes, True], results[processes, False], strict=True)]
        for notify in (False, True):
            runs = results[processes, notify]
            latencies = sorted(latency for _, run in runs for latency in run)
            rate = statistics.median(rate for rate, _ in runs)
            p50, p99 = percentile_ms(latencies, 0.5), percentile_ms(latencies, 0.99)
            tail = f"   median {statistics.median(ratios):.2f} ({', '.join(f'{r:.2f}' for r in ratios)})"
            side = "on" if notify else "off"
            print(f"{processes:>5} {side:>7} {rate:9.0f} {p50:8.2f} {p99:8.2f}{tail if notify else ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

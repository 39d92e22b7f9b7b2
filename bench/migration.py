"""How long does migrating a big legacy status file take?

Run from the repository root:

    .venv/bin/python -m bench.migration [--backend sqlite|postgresql|both] [--runs N]

A source database is loaded with 1,000 vendors, 5,000 work items (a project > session >
task hierarchy) and 1,000 deployments (each linking two vendors and two work items), and
its status file is written by `generate_full_status`. That file is then migrated into an
empty database of the same backend: once as a dry run, then for real, `--runs` times each
on fresh databases, and after each real run once more into the database it just filled
("again": every entry is found there, nothing is added). It prints the file's size, each
run's time (median of the runs), and checks that every reconciliation check matched, that
the run again imported nothing and that writing the status file again gives the identical
file. Never use this in a test.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.query_work_item import BACKENDS
from bench.records import DataSet, load
from statusboard.config import Settings
from statusboard.wiring import App, build_app

DATA = DataSet(
    "migration", vendors=1000, items=5000, deployments=1000, enhancements=0, measure_vendor=False, measure_status=False
)
ACTOR = "bench"


def run_backend(backend: str, runs: int, workdir: Path) -> list[str]:
    lines = []
    with BACKENDS[backend]() as url_for:
        source = build_app(Settings(database_url=url_for(0), client_id=ACTOR))
        try:
            load(source.db.engine, DATA, random.Random(7))
            markdown = source.status.generate("markdown")["markdown"]
        finally:
            source.close()
        path = workdir / f"{backend}_status.md"
        path.write_text(markdown, encoding="utf-8")
        print(f"{backend}: status file of {len(markdown) / 1e6:.1f} MB, {markdown.count(chr(10)):,} lines", flush=True)
        times: dict[str, list[float]] = {"dry run": [], "migrate": [], "again": []}
        for run in range(runs):
            for mode in ("dry run", "migrate"):
                # The file must lie in the target's project: the directory of its status file.
                target_url = url_for(1 + 2 * run + (mode == "migrate"))
                target = build_app(
                    Settings(database_url=target_url, client_id=ACTOR, markdown_path=str(workdir / "target.md"))
                )
                try:
                    began = time.perf_counter()
                    report = target.migration.migrate(ACTOR, str(path), dry_run=mode == "dry run")
                    took = time.perf_counter() - began
                    if not report["success"]:
                        raise SystemExit(f"{backend} {mode}: checks failed: {report['reconciliation']}")
                    if mode == "migrate" and target.status.generate("markdown")["markdown"] != markdown:
                        raise SystemExit(f"{backend}: the migrated database writes a different status file")
                    if mode == "migrate":
                        times["again"].append(_again(target, path, backend))
                finally:
                    target.close()
                times[mode].append(took)
                print(f"  run {run + 1} {mode:<8} {took:6.2f} s  imported {report['imported']}", flush=True)
        for mode, samples in times.items():
            lines.append(f"{backend:<11} {mode:<8} median {statistics.median(samples):6.2f} s over {len(samples)} runs")
    return lines


def _again(target: App, path: Path, backend: str) -> float:
    """Migrates the file into the database it was just migrated into: the time, once nothing was added."""
    began = time.perf_counter()
    report = target.migration.migrate(ACTOR, str(path))
    took = time.perf_counter() - began
    if not report["success"] or set(report["imported"].values()) != {0}:
        raise SystemExit(f"{backend} again: imported {report['imported']}, checks {report['reconciliation']}")
    print(f"    again    {took:6.2f} s  imported {report['imported']}", flush=True)
    return took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.migration", description="Benchmark the migration.")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    lines = []
    with tempfile.TemporaryDirectory(prefix="statusboard-bench-") as tmp:
        for backend in backends:
            lines += run_backend(backend, args.runs, Path(tmp))
    load1, load5, _ = os.getloadavg()
    print(f"\nmigration of {DATA.vendors:,} vendors, {DATA.items:,} work items, {DATA.deployments:,} deployments:")
    print(f"({os.cpu_count()} CPUs, load average {load1:.1f} / {load5:.1f} at the end)")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

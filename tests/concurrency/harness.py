"""The parent's side of the concurrency tests: start worker processes, collect their reports.

Each worker (see workers.py) reports once on a results queue. The parent drains the
queue with a deadline; a worker that dies without reporting breaks the barriers so
the others stop waiting, and a worker still running at the deadline is terminated
and named in the failure.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
from collections.abc import Sequence
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest

from statusboard.wiring import App
from tests.concurrency import workers
from tests.concurrency.workers import History, Job, Scenario

CTX = multiprocessing.get_context("spawn")
POLL_S = 0.5  # how long one queue read waits before the parent looks at the processes again
EXIT_TIMEOUT_S = 15.0  # a worker that has reported must exit within this
GRACE_S = 10.0  # after the deadline, for the workers that were only waiting on a hung one


def job(
    name: str,
    database_url: str,
    tmp_path: Path,
    params: dict[str, Any],
    sync: dict[str, Any],
    http: tuple[str, str] | None = None,
) -> Job:
    return Job(name=name, database_url=database_url, workdir=str(tmp_path / name), params=params, sync=sync, http=http)


def run_workers(plan: Sequence[tuple[Scenario, Job]], *, deadline_s: float) -> dict[str, History]:
    """Runs one process per (scenario, job); returns each worker's history, or fails the test."""
    results: Any = CTX.Queue()
    processes = {
        job.name: CTX.Process(target=workers.run, args=(scenario, job, results), name=f"worker-{job.name}")
        for scenario, job in plan
    }
    barriers = {id(b): b for _, job in plan for b in job.sync.values() if isinstance(b, Barrier)}
    for process in processes.values():
        process.start()
    reports: dict[str, dict[str, Any]] = {}
    _collect(processes, results, reports, list(barriers.values()), time.monotonic() + deadline_s)
    if len(reports) < len(processes):  # someone hangs: let the others see broken barriers and report
        for barrier in barriers.values():
            barrier.abort()
        _collect(processes, results, reports, [], time.monotonic() + GRACE_S)
    problems = _stop(processes, reports, deadline_s)
    for name, report in sorted(reports.items()):
        if report["error"]:
            problems.append(f"{name} failed:\n{report['error']}")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
    return {name: report["history"] for name, report in reports.items()}


def _collect(
    processes: dict[str, BaseProcess],
    results: Any,
    reports: dict[str, dict[str, Any]],
    barriers: list[Barrier],
    deadline: float,
) -> None:
    """Adds reports until every process has reported or died silently, or the deadline passes."""
    silent_exits: set[str] = set()
    while len(reports) < len(processes):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            name, report = results.get(timeout=min(POLL_S, left))
        except queue.Empty:
            exited = {n for n, p in processes.items() if n not in reports and p.exitcode is not None}
            # A process that exited and still had not reported one poll later never will.
            if exited & silent_exits:
                for barrier in barriers:
                    barrier.abort()
                if exited <= silent_exits and len(reports) + len(exited) == len(processes):
                    break
            silent_exits |= exited
            continue
        reports[name] = report


def _stop(processes: dict[str, BaseProcess], reports: dict[str, Any], deadline_s: float) -> list[str]:
    problems = []
    for name, process in processes.items():
        process.join(EXIT_TIMEOUT_S if name in reports else 0)
        if process.is_alive():
            process.terminate()
            process.join(EXIT_TIMEOUT_S)
            if process.is_alive():
                process.kill()
                process.join(EXIT_TIMEOUT_S)
            state = "reported but did not exit" if name in reports else f"did not finish within {deadline_s}s"
            problems.append(f"{name} {state}: terminated (hung?)")
        elif name not in reports:
            problems.append(f"{name} exited with code {process.exitcode} without reporting")
    return problems


def all_changes(app: App) -> list[dict[str, Any]]:
    """The whole change log, read through the service, page by page."""
    changes: list[dict[str, Any]] = []
    since = 0
    while True:
        page = app.changes.list_changes(since, 1000)
        changes.extend(page["changes"])
        since = page["last_seq"]
        if not page["has_more"]:
            return changes

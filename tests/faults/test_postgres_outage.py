"""A real PostgreSQL outage under load: stopped with `pg_ctl stop -m immediate`, later paused with
SIGSTOP, while 4 client processes (each with its own `statusboard mcp`, all in one project)
keep writing and reading; then restarted / resumed.

Afterwards every acknowledged write is in PostgreSQL exactly once (one row per created id,
one change-log entry per acknowledged write, final versions = 1 + acknowledged updates),
every read during the outage named the layer that served it, and no request hung.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select

from statusboard.storage.tables import change_log, deployments, session_prompts, work_items
from tests.concurrency.workers import Job
from tests.faults import outage_workers
from tests.support.postgres import PostgresCluster, create_migrated_database

CTX = multiprocessing.get_context("spawn")
WORKERS = 4
STEP_TIMEOUT_S = 120.0
RUN_DEADLINE_S = 300.0
HANG_LIMIT_S = 10.0  # no request may take this long, however the primary fails
PHASES = [
    "up",
    *("wait", "wait"),  # the controller stops PostgreSQL in between
    "stopped",
    *("wait", "wait"),  # … and starts it again
    "recover",
    "after_restart",
    *("wait", "wait"),  # … pauses every PostgreSQL process with SIGSTOP
    "paused",
    *("wait", "wait"),  # … and resumes them
    "recover",
    "after_resume",
]
OUTAGE_PHASES = {"stopped", "paused"}


def controller(step: Any, actions: list[Callable[[], None]], failures: list[BaseException]) -> None:
    """Between two barrier steps the workers wait while the controller does one fault action."""
    try:
        for action in actions:
            step.wait(STEP_TIMEOUT_S)
            action()
            step.wait(STEP_TIMEOUT_S)
    except BaseException as exc:
        failures.append(exc)
        step.abort()


def test_acknowledged_writes_survive_a_stopped_and_a_paused_postgresql_exactly_once(
    own_cluster: PostgresCluster, tmp_path: Path
) -> None:
    url = create_migrated_database(own_cluster, "outage")

    project = tmp_path / "project"
    project.mkdir()
    step = CTX.Barrier(WORKERS + 1)
    results: Any = CTX.Queue()
    params = {"project": str(project), "phases": PHASES, "writes_per_phase": 3}
    jobs = [Job(f"agent-{n}", url, str(project), params, {"step": step}) for n in range(WORKERS)]
    processes = [CTX.Process(target=outage_workers.run, args=(job, results)) for job in jobs]

    actions = [lambda: own_cluster.stop("immediate"), own_cluster.start, own_cluster.pause, own_cluster.resume]
    failures: list[BaseException] = []
    control = threading.Thread(target=controller, args=(step, actions, failures), daemon=True)
    for process in processes:
        process.start()
    control.start()
    reports = {}
    try:
        for _ in processes:
            name, report = results.get(timeout=RUN_DEADLINE_S)
            reports[name] = report
    except queue.Empty:
        step.abort()
    finally:
        control.join(timeout=STEP_TIMEOUT_S)
        own_cluster.resume()
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    problems = [f"{name}:\n{report['error']}" for name, report in reports.items() if report["error"]]
    assert not problems and len(reports) == WORKERS, "\n".join(problems) or f"only {sorted(reports)} reported"
    assert not failures, failures

    history = [entry for report in reports.values() for entry in report["history"]]
    check_every_outage_answer_named_its_layer(history)
    assert max(entry["elapsed_s"] for entry in history) < HANG_LIMIT_S
    check_every_acknowledged_write_is_in_postgres_once(url, history)


def check_every_outage_answer_named_its_layer(history: list[dict[str, Any]]) -> None:
    outage = [entry for entry in history if entry["phase"] in OUTAGE_PHASES]
    assert outage and all(entry["outcome"] == "ok" for entry in outage)
    for entry in outage:
        if entry["tool"] == "query_work_item":
            source = entry["data_source"]
            assert source in outage_workers.FALLBACK_SOURCES, entry
            assert outage_workers.FALLBACK_SOURCES[source] in entry["warnings"], entry
        else:
            assert entry["data_source"] == "sqlite_cache", entry
            assert {"database_unavailable", "wrote_to_cache"} <= set(entry["warnings"]), entry
    after = [entry for entry in history if entry["phase"] in ("up", "after_restart", "after_resume")]
    assert all(entry["data_source"] == "database" and entry["warnings"] == [] for entry in after)


def check_every_acknowledged_write_is_in_postgres_once(url: str, history: list[dict[str, Any]]) -> None:
    created = [entry["item"] for entry in history if entry["tool"] == "create_work_item"]
    updates: dict[str, int] = {}
    for entry in history:
        if entry["tool"] == "update_work_item":
            updates[entry["item"]] = updates.get(entry["item"], 0) + 1
    assert len(created) == len(set(created)) == WORKERS * 3 * 5
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            rows = dict(
                conn.execute(select(work_items.c.id, work_items.c.version).where(work_items.c.id.in_(created))).all()
            )
            logged = dict(
                conn.execute(
                    select(change_log.c.entity_id, func.count())
                    .where(change_log.c.entity_id.in_(created))
                    .group_by(change_log.c.entity_id)
                ).all()
            )
            total_items = conn.execute(select(func.count()).select_from(work_items)).scalar_one()
            stored = {
                table.name: list(conn.execute(select(table.c.id)).scalars()) for table in (deployments, session_prompts)
            }
    finally:
        engine.dispose()
    assert total_items == len(created)  # nothing created twice
    for tool, table in (("record_deployment", deployments), ("record_session_prompt", session_prompts)):
        acknowledged = sorted(entry["item"] for entry in history if entry["tool"] == tool)
        assert len(acknowledged) == WORKERS * 5
        assert sorted(stored[table.name]) == acknowledged, tool  # each once, none lost
    for item_id in created:
        expected = 1 + updates.get(item_id, 0)
        assert rows[item_id] == expected, (item_id, rows[item_id], expected)
        assert logged[item_id] == expected, (item_id, logged[item_id], expected)

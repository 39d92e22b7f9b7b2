"""Claims under real concurrency: separate processes, each with its own `statusboard mcp` server.

- 8 processes race for one item per round: exactly one wins, the others are told who.
- 8 processes drain 500 ready items with claim-next: each is claimed exactly once.
- a holder killed with SIGKILL loses its lease when it expires; another process takes the
  item, and the dead holder's token is refused.
- 4 processes batch-update overlapping items, each listing them in its own order: all
  finish, nothing deadlocks, and every acknowledged batch is applied exactly once.
"""

from __future__ import annotations

import os
import queue
import signal
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from statusboard.domain.work_items import NewWorkItem
from statusboard.storage.repositories import claims as claims_repo
from statusboard.wiring import App
from tests.concurrency import claim_workers, workers
from tests.concurrency.checks import check_drained_once_each, check_one_claim_per_round
from tests.concurrency.harness import CTX, EXIT_TIMEOUT_S, all_changes, job, run_workers

RACERS = [f"agent-{n}" for n in range(8)]


def _tasks(app: App, count: int, prefix: str) -> list[str]:
    drafts = [NewWorkItem(item_type="task", title=f"{prefix} {n}") for n in range(count)]
    return [app.work_items.create("planner", draft)["id"] for draft in drafts]


@pytest.mark.timeout(420)
def test_eight_processes_race_for_one_item_and_exactly_one_wins_each_round(
    database_url: str, app: App, tmp_path: Path
) -> None:
    rounds = 200
    item_ids = _tasks(app, rounds, "contested")
    sync = {"go": CTX.Barrier(len(RACERS))}
    params = {"item_ids": item_ids}
    plan = [(claim_workers.race_for_one_item, job(name, database_url, tmp_path, params, sync)) for name in RACERS]

    histories = run_workers(plan, deadline_s=360)

    check_one_claim_per_round(app, item_ids, histories, RACERS)


@pytest.mark.timeout(420)
def test_eight_processes_drain_500_ready_items_each_claimed_exactly_once(
    database_url: str, app: App, tmp_path: Path
) -> None:
    item_ids = _tasks(app, 500, "ready")
    sync = {"start": CTX.Barrier(len(RACERS))}
    params = {"max_claims": 600}
    plan = [(claim_workers.drain_ready_items, job(name, database_url, tmp_path, params, sync)) for name in RACERS]

    histories = run_workers(plan, deadline_s=360)

    check_drained_once_each(app, item_ids, histories)


@pytest.mark.timeout(420)
@pytest.mark.parametrize("backend", ["postgresql"])  # SQLite has no row locks: writers take turns
def test_claim_next_waits_for_ready_items_another_session_merely_holds_locked(
    database_url: str, app: App, tmp_path: Path
) -> None:
    """PostgreSQL: while 8 processes drain the ready items, another session keeps the oldest
    ready one locked (FOR UPDATE, a little while each time) and never claims it. SKIP LOCKED
    passes over it, but it is still ready: claim-next must wait for it rather than answer
    'nothing ready', so every item still gets claimed, once."""
    item_ids = _tasks(app, 60, "held")
    sync = {"start": CTX.Barrier(len(RACERS))}
    params = {"max_claims": 100}
    plan = [(claim_workers.drain_ready_items, job(name, database_url, tmp_path, params, sync)) for name in RACERS]
    stop = threading.Event()
    meddler = threading.Thread(target=_keep_the_oldest_ready_item_locked, args=(app, stop), daemon=True)
    meddler.start()
    try:
        histories = run_workers(plan, deadline_s=360)
    finally:
        stop.set()
        meddler.join(EXIT_TIMEOUT_S)

    per_item = Counter(e["item"] for h in histories.values() for e in h if e["op"] == "claim")
    assert set(per_item) == set(item_ids), f"left unclaimed: {set(item_ids) - set(per_item)}"
    assert max(per_item.values()) == 1


def _keep_the_oldest_ready_item_locked(app: App, stop: threading.Event) -> None:
    with app.db.engine.connect() as conn:
        while not stop.is_set():
            with conn.begin():  # ends with a commit that changes nothing
                held = claims_repo.lock_next_ready(conn, datetime.now(UTC), None, skip_locked=True)
                stop.wait(0.2 if held is not None else 0.005)


@pytest.mark.timeout(300)
def test_killed_holder_loses_its_lease_and_another_process_takes_the_item(
    database_url: str, app: App, tmp_path: Path
) -> None:
    (item_id,) = _tasks(app, 1, "abandoned")
    handover: Any = CTX.Queue()
    victim_job = job(
        "doomed-agent",
        database_url,
        tmp_path,
        {"item_id": item_id, "lease": 1},
        {
            "claimed": handover,
            "never": CTX.Queue(),
        },
    )
    results: Any = CTX.Queue()
    victim = CTX.Process(target=workers.run, args=(claim_workers.claim_and_hold, victim_job, results))
    victim.start()
    try:
        claim = handover.get(timeout=workers.WAIT_TIMEOUT_S)
    except queue.Empty:
        victim.kill()
        pytest.fail("the doomed agent never reported its claim")
    finally:
        if victim.is_alive():
            os.kill(victim.pid, signal.SIGKILL)
        victim.join(EXIT_TIMEOUT_S)
    assert victim.exitcode == -signal.SIGKILL
    assert claim["outcome"] == "ok" and claim["holder"] == "doomed-agent"

    params = {"item_id": item_id, "victim_claim": claim, "patience_s": 30}
    (history,) = run_workers(
        [(claim_workers.take_over_after_expiry, job("rescuer", database_url, tmp_path, params, {}))], deadline_s=120
    ).values()

    attempts = [e for e in history if e["op"] == "claim"]
    *refused, taken = attempts
    for entry in refused:  # busy until the lease ran out, and told by whom
        assert entry["outcome"] == "ClaimConflictError"
        assert entry["body"]["details"]["holder"] == "doomed-agent"
    assert taken["outcome"] == "ok" and taken["body"]["holder"] == "rescuer" and taken["body"]["epoch"] == 2
    stale_write = next(e for e in history if e["op"] == "stale_write")
    assert stale_write["outcome"] == "LeaseExpiredError"
    assert stale_write["body"]["details"] == {"holder": "rescuer"}
    assert next(e for e in history if e["op"] == "stale_renew")["outcome"] == "LeaseExpiredError"
    with app.db.engine.connect() as conn:
        first, second = claims_repo.history(conn, item_id)
    assert (first["holder"], first["end_reason"]) == ("doomed-agent", "expired")
    assert datetime.fromisoformat(second["claimed_at"]) >= datetime.fromisoformat(first["expires_at"])
    assert app.work_items.query(item_id)["version"] == 1  # the stale write changed nothing


@pytest.mark.timeout(420)
def test_batch_updates_in_opposite_orders_all_finish_without_deadlock(
    database_url: str, app: App, tmp_path: Path
) -> None:
    item_ids = _tasks(app, 6, "shared")
    names = [f"batcher-{n}" for n in range(4)]
    sync = {"start": CTX.Barrier(len(names))}
    plan = []
    for n, name in enumerate(names):
        order = item_ids if n % 2 == 0 else item_ids[::-1]
        params = {"order": order, "seed": n, "batches": 40, "pick": 0.6, "patience_s": 240}
        plan.append((claim_workers.batch_update_in_my_order, job(name, database_url, tmp_path, params, sync)))

    histories = run_workers(plan, deadline_s=360)

    entries = [e for h in histories.values() for e in h]
    assert not [e for e in entries if e["outcome"] == "gave_up"]
    assert {e["outcome"] for e in entries} <= {"ok", "VersionConflictError"}
    acknowledged = Counter(item for e in entries if e["outcome"] == "ok" for item in e["items"])
    assert sum(1 for e in entries if e["outcome"] == "ok") == 4 * 40
    updates = Counter(c["entity_id"] for c in all_changes(app) if c["op"] == "update")
    for item_id in item_ids:
        assert app.work_items.query(item_id)["version"] == 1 + acknowledged[item_id]
        assert updates[item_id] == acknowledged[item_id]
    for e in entries:  # a batch's items all moved together, one version each
        if e["outcome"] == "ok":
            assert [item["id"] for item in e["body"]["items"]] == e["items"]

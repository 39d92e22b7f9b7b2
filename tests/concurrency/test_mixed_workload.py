"""Eight processes hammer ten items with reads and versioned writes; the histories must add up.

Each process runs its own `statusboard mcp` server and does 200 operations on random
items: 70% reads (query_work_item), 30% writes (update_work_item naming the version it
last saw, retried after a re-read on VersionConflictError). Every call is recorded;
afterwards the histories are checked against each other, the items and the change log.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from statusboard.domain.work_items import NewWorkItem
from statusboard.wiring import App
from tests.concurrency import workers
from tests.concurrency.harness import CTX, all_changes, job, run_workers
from tests.concurrency.workers import CONFLICT

PROCESSES = 8
OPS = 200
ITEMS = 10
READ_RATIO = 0.7
MAX_ATTEMPTS = 20  # a healthy run needs a few; a stale read would make it spin

Acked = dict[str, dict[int, tuple[str, str]]]  # item id -> acknowledged version -> (writer, title written)


@pytest.mark.timeout(300)
def test_eight_processes_of_mixed_reads_and_versioned_writes_lose_nothing_and_skip_no_version(
    database_url: str, app: App, tmp_path: Path
) -> None:
    seeded = [app.work_items.create("seeder", NewWorkItem(item_type="task", title=f"item {n}")) for n in range(ITEMS)]
    item_ids = [item["id"] for item in seeded]
    sync = {"start": CTX.Barrier(PROCESSES)}
    plan = []
    for n in range(PROCESSES):
        params = {
            "item_ids": item_ids,
            "ops": OPS,
            "read_ratio": READ_RATIO,
            "seed": 1000 + n,
            "max_attempts": MAX_ATTEMPTS,
        }
        plan.append((workers.mixed_reads_and_writes, job(f"worker-{n}", database_url, tmp_path, params, sync)))

    histories = run_workers(plan, deadline_s=240)

    # Every process finished all its operations, and no error but a version conflict reached a client.
    for name, history in histories.items():
        assert history[-1] == {"op": "done", "item": None, "sent": None, "outcome": "ok", "ops": OPS}, name
        assert {e["op_no"] for e in history[:-1]} == set(range(OPS)), name
    unexpected = [(name, e) for name, h in histories.items() for e in h if e["outcome"] not in ("ok", CONFLICT)]
    assert unexpected == [], f"calls that neither succeeded nor got a VersionConflictError: {unexpected[:20]}"
    fallback = [(name, e) for name, h in histories.items() for e in h if e.get("data_source", "database") != "database"]
    assert fallback == [], f"answers not from the primary database while it was up: {fallback[:20]}"
    conflicts = [e for h in histories.values() for e in h if e["outcome"] == CONFLICT]
    assert conflicts, "no write was ever refused: the processes did not contend"

    # Acknowledged writes: each returns the version sent + 1; per item they are unique and contiguous.
    acked: Acked = {item_id: {} for item_id in item_ids}
    for name, history in histories.items():
        for e in history:
            if e["op"] == "write" and e["outcome"] == "ok":
                assert e["version"] == e["sent"] + 1, (name, e)
                assert (e["title"], e["updated_by"]) == (e["sent_title"], name), (name, e)
                assert e["version"] not in acked[e["item"]], f"version {e['version']} acknowledged twice: {e}"
                acked[e["item"]][e["version"]] = (name, e["sent_title"])
    for item_id, versions in acked.items():
        assert sorted(versions) == list(range(2, 2 + len(versions))), f"{item_id}: versions skip: {sorted(versions)}"
    for name, history in histories.items():  # every write operation was acknowledged exactly once
        tried = sorted({e["op_no"] for e in history if e["op"] == "write"})
        assert tried == sorted(e["op_no"] for e in history if e["op"] == "write" and e["outcome"] == "ok"), name

    _check_observations(histories, acked, {item["id"]: item["title"] for item in seeded})

    # No item lost: each holds 1 + its acknowledged writes, and the latest acknowledged title.
    for item_id, versions in acked.items():
        final = app.work_items.query(item_id)
        assert final["deleted_at"] is None
        assert final["version"] == 1 + len(versions), f"{item_id}: {final['version']} != 1 + {len(versions)} acks"
        if versions:
            assert (final["updated_by"], final["title"]) == versions[max(versions)]

    # The change log holds exactly the acknowledged writes, by their writers.
    logged = [c for c in all_changes(app) if c["entity"] == "work_item" and c["op"] == "update"]
    logged_keys = [(c["entity_id"], c["version"]) for c in logged]
    assert len(logged_keys) == len(set(logged_keys)), "a write appears twice in the change log"
    expected = {(item_id, v): who for item_id, versions in acked.items() for v, who in versions.items()}
    assert set(logged_keys) == set(expected)
    for change in logged:
        assert (change["actor"], change["fields"]["title"]) == expected[(change["entity_id"], change["version"])]


def _check_observations(histories: dict[str, list[dict[str, Any]]], acked: Acked, seed_titles: dict[str, str]) -> None:
    """Reads and conflicts show only real versions, with their own content, and never go back in time."""
    for name, history in histories.items():
        last_seen: dict[str, int] = defaultdict(lambda: 1)
        for e in history[:-1]:
            item_id, version = e["item"], e["version"]
            assert version == 1 or version in acked[item_id], f"{name} saw a version nobody wrote: {e}"
            if e["op"] == "read":
                title = acked[item_id][version][1] if version > 1 else seed_titles[item_id]
                assert e["title"] == title, f"{name} read a state that no write produced: {e}"
            if e["outcome"] == CONFLICT:
                assert e["expected_version"] == e["sent"] and version > e["sent"], (name, e)
            assert version >= last_seen[item_id], f"{name} saw {item_id} go back from {last_seen[item_id]}: {e}"
            last_seen[item_id] = version

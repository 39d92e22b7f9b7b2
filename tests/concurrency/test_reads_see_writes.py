"""Reads in one process see what another process wrote, as soon as the write is acknowledged.

Each process runs its own `statusboard mcp` server over stdio against the same database.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from statusboard.domain.work_items import NewWorkItem
from statusboard.storage.repositories.work_items import ListFilter
from statusboard.wiring import App
from tests.concurrency import workers
from tests.concurrency.harness import CTX, job, run_workers

ROUNDS = 10


@pytest.mark.timeout(300)
def test_item_created_in_one_process_is_seen_by_two_readers_at_once_with_its_creator(
    database_url: str, app: App, tmp_path: Path
) -> None:
    readers = ["reader-1", "reader-2"]
    sync = {
        "round": CTX.Barrier(3),
        "readers": CTX.Barrier(2),
        "handover": {name: CTX.Queue() for name in readers},
    }
    plan = [(workers.create_and_hand_over, job("creator", database_url, tmp_path, {"rounds": ROUNDS}, sync))]
    plan += [
        (workers.read_handed_over, job(name, database_url, tmp_path, {"rounds": ROUNDS}, sync)) for name in readers
    ]

    histories = run_workers(plan, deadline_s=180)

    created = histories["creator"]
    assert [(e["round"], e["outcome"], e["version"]) for e in created] == [(r, "ok", 1) for r in range(ROUNDS)]
    for name in readers:
        reads = histories[name]
        assert [e["round"] for e in reads] == list(range(ROUNDS))
        for made, seen in zip(created, reads, strict=True):
            assert seen["outcome"] == "ok", f"{name} did not see the item created in round {made['round']}: {seen}"
            assert (seen["item"], seen["version"], seen["title"]) == (made["item"], 1, made["title"])
            assert (seen["created_by"], seen["updated_by"]) == ("creator", "creator")
            assert seen["data_source"] == "database"
    listed = app.work_items.list(ListFilter(created_by="creator"), limit=500)
    assert listed["total_count"] == ROUNDS


@pytest.mark.timeout(300)
def test_read_right_after_an_acknowledged_update_in_another_process_sees_the_new_version(
    database_url: str, app: App, tmp_path: Path
) -> None:
    item = app.work_items.create("seeder", NewWorkItem(item_type="task", title="seed"))
    params = {"item_id": item["id"], "version": item["version"], "rounds": ROUNDS}
    sync = {"round": CTX.Barrier(2), "acknowledged": CTX.Queue()}
    plan = [
        (workers.update_and_announce, job("writer", database_url, tmp_path, params, sync)),
        (workers.read_after_announcement, job("reader", database_url, tmp_path, params, sync)),
    ]

    histories = run_workers(plan, deadline_s=180)

    writes, reads = histories["writer"], histories["reader"]
    assert [(w["outcome"], w["sent"], w["version"]) for w in writes] == [("ok", v, v + 1) for v in range(1, ROUNDS + 1)]
    for write, read in zip(writes, reads, strict=True):
        assert read["acknowledged"]["version"] == write["version"]
        assert (read["outcome"], read["data_source"]) == ("ok", "database")
        stale = f"round {write['round']}: read version {read['version']} after version {write['version']} was acked"
        assert read["version"] == write["version"], stale
        assert (read["title"], read["updated_by"], read["created_by"]) == (write["sent_title"], "writer", "seeder")
    assert app.work_items.query(item["id"])["version"] == ROUNDS + 1

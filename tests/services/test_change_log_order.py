"""PostgreSQL hands out change-log seqs before commit, so writers may commit out of order.
Writers append side by side (the change-log lock shared); a reader that follows the log by
seq waits until every seq drawn before it has committed, and never reads past one that has
not (docs/decisions/0002-change-log-order.md)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from statusboard.domain.errors import DatabaseUnavailableError
from statusboard.domain.work_items import NewWorkItem
from statusboard.services.changes import ChangeEntry, record
from statusboard.storage.repositories import changes as changes_repo
from statusboard.storage.tables import change_log
from statusboard.wiring import App
from tests.support.locks import wait_until_locks_are_awaited

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])  # SQLite writers take turns: commit order is seq order
WAIT_S = 10


def test_a_follower_waits_for_an_earlier_seq_still_in_flight_and_then_reads_both(app: App) -> None:
    app.status.generate()  # a kept status, so the one below must notice both writes
    with app.db.engine.connect() as slow, ThreadPoolExecutor(3) as pool:
        in_flight = slow.begin()
        entry = ChangeEntry("work_item", str(uuid.uuid4()), 1, "update", {"title": "slow"})
        record(app.db, slow, "slow-writer", datetime.now(UTC), [entry])
        slow_seq = slow.execute(select(func.max(change_log.c.seq))).scalar_one()

        # Another writer appends after it and commits first: writers do not wait for one another.
        fast = pool.submit(app.work_items.create, "fast-writer", NewWorkItem(item_type="task", title="fast"))
        fast_item = fast.result(timeout=WAIT_S)

        follower = pool.submit(app.changes.list_changes, slow_seq - 1)
        status = pool.submit(app.status.generate)
        wait_until_locks_are_awaited(slow, [follower, status], count=2)
        assert not follower.done() and not status.done(), "a reader went past a seq still in flight"
        in_flight.commit()
        followed = follower.result(timeout=WAIT_S)
        report = status.result(timeout=WAIT_S)

    seqs = [change["seq"] for change in followed["changes"]]
    assert seqs[0] == slow_seq and followed["changes"][0]["actor"] == "slow-writer"
    assert [c["entity_id"] for c in followed["changes"][1:]] == [fast_item["id"]]
    assert seqs == sorted(seqs) and followed["last_seq"] == seqs[-1]
    assert report["as_of_seq"] == seqs[-1]
    assert report["active_work_items"]["total_count"] == 1


def test_a_reader_with_nothing_in_flight_does_not_wait(app: App) -> None:
    item = app.work_items.create("writer", NewWorkItem(item_type="task", title="only"))
    with ThreadPoolExecutor(1) as pool:
        followed = pool.submit(app.changes.list_changes, 0).result(timeout=WAIT_S)
    assert [c["entity_id"] for c in followed["changes"]] == [item["id"]]


def test_a_writer_that_never_commits_fails_readers_in_bounded_time_and_blocks_no_writer(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(changes_repo, "SETTLE_TIMEOUT_MS", 200)
    with app.db.engine.connect() as stuck, ThreadPoolExecutor(1) as pool:
        stuck.begin()  # appends, then hangs before its commit (its process stopped, say)
        entry = ChangeEntry("work_item", str(uuid.uuid4()), 1, "update")
        record(app.db, stuck, "stuck-writer", datetime.now(UTC), [entry])
        with pytest.raises(DatabaseUnavailableError, match="did not commit"):
            app.changes.list_changes(0)
        # The reader's wait ended, so writers are not queued behind it.
        fast = pool.submit(app.work_items.create, "fast-writer", NewWorkItem(item_type="task", title="fast"))
        assert fast.result(timeout=WAIT_S)["title"] == "fast"

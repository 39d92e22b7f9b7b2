"""The change watcher: one per process, every entry to every subscriber in seq order, a slow
subscriber dropped (not buffered for), a resume after a seq without a gap, and writes by other
processes noticed (PostgreSQL by NOTIFY, SQLite by watching the last seq)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

from statusboard.domain.work_items import NewWorkItem
from statusboard.services.change_feed import ChangeFeed, FellBehind
from statusboard.storage import change_signal
from statusboard.wiring import App

WAIT_S = 20.0
pytestmark = pytest.mark.anyio


def _create(app: App, title: str) -> dict[str, Any]:
    return app.work_items.create("tester", NewWorkItem(item_type="task", title=title))


async def _create_in_thread(app: App, title: str) -> dict[str, Any]:
    return await anyio.to_thread.run_sync(_create, app, title)


def _feed(app: App, **options: Any) -> ChangeFeed:
    db = app.db
    listening, settled = (lambda: change_signal.listening(db)), (lambda: change_signal.settled_seq(db))
    return ChangeFeed(app.changes, listening, settled, **options)


async def test_every_subscriber_gets_every_new_entry_in_seq_order(app: App) -> None:
    _create(app, "before anyone listens")
    async with app.change_feed.subscribe() as first, app.change_feed.subscribe() as second:
        created = [(await _create_in_thread(app, f"item {n}"))["id"] for n in range(3)]
        with anyio.fail_after(WAIT_S):
            got_first = [await first.next() for _ in range(3)]
            got_second = [await second.next() for _ in range(3)]
    for got in (got_first, got_second):
        assert [entry["entity_id"] for entry in got] == created
        seqs = [entry["seq"] for entry in got]
        assert seqs == sorted(seqs) and len(set(seqs)) == 3


async def test_a_subscriber_that_falls_behind_is_dropped_while_the_others_go_on(app: App) -> None:
    feed = _feed(app, max_queued=3)
    async with feed.subscribe() as slow, feed.subscribe() as keeping_up:
        seen = []
        with anyio.fail_after(WAIT_S):
            for n in range(6):
                await _create_in_thread(app, f"item {n}")
                entry = await keeping_up.next()
                assert entry is not None
                seen.append(entry["entity_id"])
                assert slow.queued <= 3
            assert len(seen) == 6
            assert slow.dropped and feed.subscriber_count == 1
            with pytest.raises(FellBehind):
                await slow.next()


async def test_subscribing_after_a_seq_hands_out_every_later_entry_once(app: App) -> None:
    created = [_create(app, f"old {n}")["id"] for n in range(5)]
    changes = app.changes.list_changes(0, 100)["changes"]
    since = changes[1]["seq"]
    async with app.change_feed.subscribe(since_seq=since) as entries:
        newer = await _create_in_thread(app, "new")
        with anyio.fail_after(WAIT_S):
            got = [await entries.next() for _ in range(4)]
    assert [entry["entity_id"] for entry in got] == [*created[2:], newer["id"]]


async def test_no_entry_within_the_timeout_gives_none(app: App) -> None:
    async with app.change_feed.subscribe() as entries:
        with anyio.fail_after(WAIT_S):
            assert await entries.next(timeout=0.05) is None


async def test_the_watcher_stops_when_the_last_subscriber_leaves_and_starts_again(app: App) -> None:
    async with app.change_feed.subscribe():
        assert app.change_feed.subscriber_count == 1
    assert app.change_feed.subscriber_count == 0
    async with app.change_feed.subscribe() as entries:
        created = await _create_in_thread(app, "after a restart")
        with anyio.fail_after(WAIT_S):
            entry = await entries.next()
    assert entry is not None and entry["entity_id"] == created["id"]


_WRITER = """
import sys
from statusboard.config import Settings
from statusboard.domain.work_items import NewWorkItem
from statusboard.wiring import build_app
app = build_app(Settings(database_url=sys.argv[1]), migrate=False)
print(app.work_items.create("other-process", NewWorkItem(item_type="task", title="elsewhere"))["id"])
app.close()
"""


@pytest.mark.slow
async def test_a_write_by_another_process_wakes_the_watcher(app: App, database_url: str, tmp_path: Path) -> None:
    # Without a wake-up the watcher reads only every minute: the entry must come from the wake-up.
    feed = _feed(app, idle_read_s=60.0)
    async with feed.subscribe() as entries:
        done = await anyio.run_process(
            [sys.executable, "-c", _WRITER, database_url], cwd=tmp_path, stderr=subprocess.PIPE
        )
        created = done.stdout.decode().strip()
        with anyio.fail_after(WAIT_S):
            entry = await entries.next()
    assert entry is not None and entry["entity_id"] == created and entry["actor"] == "other-process"

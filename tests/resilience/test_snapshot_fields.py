"""The fallback cache's copy of the status file's data is brought up to date field by field
(resilience/snapshot_fields.py): after every kind of write it equals a whole fresh read, and a
write that the file does not show reads nothing at all."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
from sqlalchemy import event

from statusboard.services.status import StatusService
from statusboard.storage.repositories import archive as archive_repo
from statusboard.storage.repositories import changes as changes_repo
from statusboard.wiring import App
from tests.services.test_status_incremental import WRITES, _claim_and_release, _configure, seed


def _fresh(app: App) -> tuple[int, dict[str, Any], int]:
    with app.db.reading() as conn:
        seq = changes_repo.settled_seq(conn)
    with app.db.snapshot() as conn:
        data = json.loads(json.dumps(StatusService.file_data(conn).__dict__, default=str))
        return seq, data, archive_repo.count(conn)


def _stored(app: App) -> tuple[int, dict[str, Any], int]:
    snapshot = app.resilience.store.snapshot()
    assert snapshot is not None
    return snapshot.seq, snapshot.data.__dict__, snapshot.archived_count


def test_the_cache_copy_follows_every_kind_of_write(app: App) -> None:
    seeded = seed(app)
    app.resilience.refresh_cache_now()
    assert _stored(app) == _fresh(app)
    for n in range(2):
        for kind, write in WRITES.items():
            write(app, seeded, n)
            app.resilience.refresh_cache_now()
            assert _stored(app) == _fresh(app), f"the cache's copy is wrong after: {kind} ({n})"


def test_writes_the_file_does_not_show_read_nothing_but_the_log(app: App) -> None:
    seeded = seed(app)
    app.resilience.refresh_cache_now()
    before = _stored(app)
    _configure(app, seeded, 0)
    _claim_and_release(app, seeded, 0)
    app.dependencies.add("tester", seeded.tasks[0], seeded.tasks[1], "depends_on")
    statements: list[str] = []
    event.listen(app.db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    app.resilience.refresh_cache_now()
    after = _stored(app)
    assert after[0] > before[0] and after[1:] == before[1:]
    assert len(statements) == 2 and all("change_log" in sql for sql in statements), statements


def test_a_copy_never_replaces_a_later_one_and_a_failed_store_is_made_good(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded = seed(app)
    app.resilience.refresh_cache_now()
    early = _stored(app)
    WRITES["vendor updated"](app, seeded, 0)
    app.resilience.refresh_cache_now()
    later = _stored(app)
    assert later[0] > early[0]
    # Another server sharing the cache file finishes a slower copy, taken at the earlier seq.
    app.resilience.store.put_snapshot(early[0], json.dumps(early[1]), early[2])
    assert _stored(app) == later

    WRITES["vendor updated"](app, seeded, 1)
    store = app.resilience.store
    real_put = store.put_snapshot

    def failing_put(*args: Any) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store, "put_snapshot", failing_put)
    with pytest.raises(sqlite3.OperationalError):
        app.resilience.refresh_cache_now()
    monkeypatch.setattr(store, "put_snapshot", real_put)
    _configure(app, seeded, 0)  # shown nowhere: the stored copy must still get the vendor write
    app.resilience.refresh_cache_now()
    assert _stored(app) == _fresh(app)

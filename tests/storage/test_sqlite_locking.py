"""SQLite under a second writer process: a write waits its turn instead of failing."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from statusboard.config import Settings
from statusboard.domain.work_items import NewWorkItem, WorkItemChanges
from statusboard.wiring import build_app

WAIT_S = 20

# Another process takes the write lock with BEGIN IMMEDIATE, says so, and holds it until told to stop.
LOCK_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE work_items SET title = 'held' WHERE 0")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
print("released", flush=True)
"""


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "status.db"


def test_write_waits_for_another_process_holding_the_lock_then_succeeds(db_path: Path) -> None:
    app = build_app(Settings(database_url=f"sqlite:///{db_path}"))
    item = app.work_items.create("a", NewWorkItem(item_type="task", title="t"))
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(db_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "locked"
        outcome: dict[str, object] = {}

        def write() -> None:
            try:
                outcome["item"] = app.work_items.update("b", item["id"], 1, WorkItemChanges(title="after"))
            except Exception as exc:  # recorded and asserted on below
                outcome["error"] = exc

        writer = threading.Thread(target=write)
        writer.start()
        # While the other process holds the lock, our write must be waiting, not failed.
        writer.join(timeout=0.5)
        assert writer.is_alive(), f"write did not wait for the lock: {outcome}"
        reads = app.work_items.query(item["id"])  # readers are never blocked by the writer
        assert reads["version"] == 1
        holder.stdin.write("go\n")
        holder.stdin.flush()
        writer.join(timeout=WAIT_S)
        assert not writer.is_alive()
        assert "error" not in outcome, outcome
        assert outcome["item"]["version"] == 2  # type: ignore[index]
    finally:
        holder.kill()
        holder.wait(timeout=WAIT_S)
        app.close()


def test_database_runs_in_wal_mode_with_foreign_keys(db_path: Path) -> None:
    app = build_app(Settings(database_url=f"sqlite:///{db_path}"))
    with app.db.reading() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    app.close()

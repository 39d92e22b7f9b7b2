"""The local store at STATUSBOARD_CACHE_PATH: the read cache and the outage write journal.

One SQLite file, shared by every statusboard process of the project (each AI client
starts its own), in WAL mode with BEGIN IMMEDIATE writes, so processes take turns
without "database is locked". Journal appends are synced to disk before they return
(synchronous=FULL): an acknowledged write survives a crash. Cache writes are not on
any request's path and need no such care.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from statusboard.domain.status_markdown import StatusData
from statusboard.resilience.kinds import Body

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
    kind TEXT NOT NULL, id TEXT NOT NULL, name_key TEXT, body TEXT NOT NULL, stored_at REAL NOT NULL,
    PRIMARY KEY (kind, id));
CREATE INDEX IF NOT EXISTS entities_by_name ON entities (kind, name_key);
CREATE TABLE IF NOT EXISTS snapshot (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1), seq INTEGER NOT NULL, taken_at REAL NOT NULL,
    archived_count INTEGER, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, tool TEXT NOT NULL,
    arguments TEXT NOT NULL, assigned_id TEXT, actor TEXT NOT NULL, journaled_at REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending', outcome TEXT, settled_at REAL);
CREATE INDEX IF NOT EXISTS journal_by_state ON journal (state, seq);
CREATE TABLE IF NOT EXISTS sync_runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, finished_at REAL NOT NULL, applied INTEGER NOT NULL,
    already_committed INTEGER NOT NULL, conflicts INTEGER NOT NULL);
"""
BUSY_TIMEOUT_S = 10.0
# Versions only grow: processes sharing the file never put back a copy older than the one held.
_PUT_ENTITY = """
INSERT INTO entities VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET
    name_key = excluded.name_key, body = excluded.body, stored_at = excluded.stored_at
WHERE coalesce(json_extract(excluded.body, '$.version'), 0) >= coalesce(json_extract(entities.body, '$.version'), 0)
"""


@dataclass(frozen=True)
class CachedEntity:
    body: Body
    stored_at: float


@dataclass(frozen=True)
class Snapshot:
    seq: int
    taken_at: float
    archived_count: int | None
    data: StatusData


@dataclass(frozen=True)
class JournalEntry:
    seq: int
    key: str
    tool: str
    arguments: dict[str, Any]
    assigned_id: str | None
    actor: str
    journaled_at: float
    state: str
    outcome: dict[str, Any] | None


class LocalStore:
    def __init__(self, path: str | Path, now: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.now = now
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A connection per thread, kept: opening one costs little, but closing the last one to a
        # WAL file checkpoints it and deletes the WAL, on every cache write.
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._opened_lock = threading.Lock()
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()

    @contextmanager
    def _connect(self, *, durable: bool = False) -> Iterator[sqlite3.Connection]:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
            with self._opened_lock:
                self._opened.append(conn)
            self._local.conn = conn
        conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        yield conn

    @contextmanager
    def _writing(self, *, durable: bool = False) -> Iterator[sqlite3.Connection]:
        with self._connect(durable=durable) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # -- cache ------------------------------------------------------------------

    def put_entities(self, kind: str, bodies: list[Body], name_key: Callable[[Body], str | None]) -> None:
        stored_at = self.now()
        rows = [(kind, body["id"], name_key(body), json.dumps(body, default=str), stored_at) for body in bodies]
        with self._writing() as conn:
            conn.executemany(_PUT_ENTITY, rows)

    def entity(self, kind: str, *, id: str | None = None, name_key: str | None = None) -> CachedEntity | None:
        column, value = ("id", id) if id is not None else ("name_key", name_key)
        with self._connect() as conn:
            row = conn.execute(
                f"SELECT body, stored_at FROM entities WHERE kind = ? AND {column} = ? ORDER BY stored_at DESC",
                (kind, value),
            ).fetchone()
        return None if row is None else CachedEntity(json.loads(row[0]), row[1])

    def entities_since(self, kind: str, since: float) -> list[CachedEntity]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT body, stored_at FROM entities WHERE kind = ? AND stored_at > ? ORDER BY stored_at",
                (kind, since),
            ).fetchall()
        return [CachedEntity(json.loads(body), stored_at) for body, stored_at in rows]

    def snapshot_seq(self) -> int | None:
        with self._connect() as conn:
            row = conn.execute("SELECT seq FROM snapshot").fetchone()
        return None if row is None else int(row[0])

    def put_snapshot(self, seq: int, payload: str, archived_count: int) -> None:
        """Stores the status file's data (one JSON object: StatusData's fields) as of `seq`,
        unless a copy at a later seq is stored already (servers share the file)."""
        with self._writing() as conn:
            conn.execute(
                "INSERT INTO snapshot VALUES (1, ?, ?, ?, ?) ON CONFLICT (only_row) DO UPDATE SET"
                " seq = excluded.seq, taken_at = excluded.taken_at, archived_count = excluded.archived_count,"
                " data = excluded.data WHERE excluded.seq > snapshot.seq",
                (seq, self.now(), archived_count, payload),
            )

    def advance_snapshot(self, from_seq: int, to_seq: int) -> bool:
        """Marks the stored copy as right at `to_seq` too, if it is the one at `from_seq` (nothing
        it shows changed in between); False if another copy is stored now."""
        with self._writing() as conn:
            cursor = conn.execute(
                "UPDATE snapshot SET seq = ?, taken_at = ? WHERE seq = ?", (to_seq, self.now(), from_seq)
            )
        return cursor.rowcount == 1

    def snapshot(self) -> Snapshot | None:
        with self._connect() as conn:
            row = conn.execute("SELECT seq, taken_at, archived_count, data FROM snapshot").fetchone()
        if row is None:
            return None
        return Snapshot(row[0], row[1], row[2], StatusData(**json.loads(row[3])))

    def clear_cache(self) -> None:
        with self._writing() as conn:
            conn.execute("DELETE FROM entities")
            conn.execute("DELETE FROM snapshot")

    # -- journal ----------------------------------------------------------------

    def append(self, key: str, tool: str, arguments: dict[str, Any], assigned_id: str | None, actor: str) -> int:
        """Appends a write and syncs it to disk before returning its journal seq."""
        with self._writing(durable=True) as conn:
            cursor = conn.execute(
                "INSERT INTO journal (key, tool, arguments, assigned_id, actor, journaled_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (key, tool, json.dumps(arguments), assigned_id, actor, self.now()),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def pending(self) -> list[JournalEntry]:
        return self._entries("WHERE state = 'pending' ORDER BY seq")

    def conflicts(self, limit: int, offset: int) -> tuple[list[JournalEntry], int]:
        entries = self._entries("WHERE state = 'conflict' ORDER BY seq LIMIT ? OFFSET ?", (limit, offset))
        return entries, self.count("conflict")

    def count(self, state: str) -> int:
        with self._connect() as conn:
            return int(conn.execute("SELECT count(*) FROM journal WHERE state = ?", (state,)).fetchone()[0])

    def settle(self, seq: int, state: str, outcome: dict[str, Any] | None) -> None:
        with self._writing(durable=True) as conn:
            conn.execute(
                "UPDATE journal SET state = ?, outcome = ?, settled_at = ? WHERE seq = ? AND state = 'pending'",
                (state, None if outcome is None else json.dumps(outcome, default=str), self.now(), seq),
            )

    def record_sync(self, applied: int, already_committed: int, conflicts: int) -> None:
        with self._writing(durable=True) as conn:
            conn.execute(
                "INSERT INTO sync_runs (finished_at, applied, already_committed, conflicts) VALUES (?, ?, ?, ?)",
                (self.now(), applied, already_committed, conflicts),
            )

    def last_sync(self) -> dict[str, Any] | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT finished_at, applied, already_committed, conflicts FROM sync_runs ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        if row is None:
            return None
        return {"finished_at": row[0], "applied": row[1], "already_committed": row[2], "conflicts": row[3]}

    def _entries(self, where: str, params: tuple[Any, ...] = ()) -> list[JournalEntry]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT seq, key, tool, arguments, assigned_id, actor, journaled_at, state, outcome FROM journal "
                + where,
                params,
            ).fetchall()
        return [
            JournalEntry(
                seq, key, tool, json.loads(arguments), assigned_id, actor, at, state, outcome and json.loads(outcome)
            )
            for seq, key, tool, arguments, assigned_id, actor, at, state, outcome in rows
        ]

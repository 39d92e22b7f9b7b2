"""The wake-up of the change watcher: says when the change log may have grown, cheaply.

- PostgreSQL: one connection of its own that LISTENs on the channel the change log's trigger
  notifies (migration 0007), so a commit by any process wakes the watcher at once. If that
  connection breaks (the primary went away), the next wait connects again and wakes the
  watcher as soon as it has, since notifications sent meanwhile are lost.
- SQLite: no notifications exist, so the watcher reads the last seq (`SELECT max(seq)`, one
  primary-key lookup) every POLL_INTERVAL_S, and only while it runs, that is while anyone listens.

Either way a wake-up is a hint, never the data: the watcher then reads the log itself, up to the
settled seq (services/changes.py), so a missed or doubled hint costs a read, never an entry.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any, Protocol

import anyio
import psycopg

from statusboard.storage.database import Database
from statusboard.storage.repositories import changes as changes_repo

log = logging.getLogger(__name__)

CHANNEL = "statusboard_changes"  # the channel migration 0007's trigger notifies
POLL_INTERVAL_S = 0.1
RECONNECT_INTERVAL_S = 1.0
CONNECT_TIMEOUT_S = 2


class Wakeups(Protocol):
    async def wait(self, known_seq: int, timeout: float) -> None:
        """Returns once the log may hold entries past `known_seq`, or after `timeout` seconds."""


@contextlib.asynccontextmanager
async def listening(db: Database) -> AsyncIterator[Wakeups]:
    """Wake-ups for the change log of `db`, set up before the caller reads where the log ends,
    so that no commit after that read goes unnoticed."""
    if db.backend == "postgresql":
        notified = _Notifications(db)
        try:
            await notified.connect()
            yield notified
        finally:
            await notified.close()
    else:
        yield _LastSeqPoll(db)


class _LastSeqPoll:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def wait(self, known_seq: int, timeout: float) -> None:
        with anyio.move_on_after(timeout):
            while await anyio.to_thread.run_sync(settled_seq, self._db) <= known_seq:
                await anyio.sleep(POLL_INTERVAL_S)


class _Notifications:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._conn: psycopg.AsyncConnection[Any] | None = None

    async def connect(self) -> bool:
        """Connects and listens; False (logged) if the primary does not answer."""
        engine = self._db.engine
        args, params = engine.dialect.create_connect_args(engine.url)
        params = {**params, "autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S}
        params["application_name"] = "statusboard-watcher"
        try:
            conn = await psycopg.AsyncConnection.connect(*args, **params)
            await conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as exc:
            log.info("the change watcher cannot listen yet: %s", exc)
            return False
        self._conn = conn
        return True

    async def wait(self, known_seq: int, timeout: float) -> None:
        if self._conn is None or self._conn.closed:
            await self.close()
            with anyio.move_on_after(timeout):
                while not await self.connect():
                    await anyio.sleep(RECONNECT_INTERVAL_S)
            return  # connected again (anything may have happened meanwhile) or timed out
        try:
            async for _ in self._conn.notifies(timeout=timeout, stop_after=1):
                break
        except psycopg.Error as exc:
            log.info("the change watcher lost its connection: %s", exc)
            await self.close()

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                await conn.close()


def settled_seq(db: Database) -> int:
    """The seq up to which every entry has committed (see `changes_repo.settled_seq`)."""
    with db.reading() as conn:
        return changes_repo.settled_seq(conn)

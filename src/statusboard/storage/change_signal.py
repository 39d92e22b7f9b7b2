"""The wake-up of the change watcher: says when the change log may have grown, cheaply.

- PostgreSQL (change_notifications.py): one connection of its own that LISTENs on the channel the change log's trigger
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
from collections.abc import AsyncIterator
from typing import Protocol

import anyio

from statusboard.storage.database import Database
from statusboard.storage.repositories import changes as changes_repo

POLL_INTERVAL_S = 0.1


class Wakeups(Protocol):
    async def wait(self, known_seq: int, timeout: float) -> None:
        """Returns once the log may hold entries past `known_seq`, or after `timeout` seconds."""


@contextlib.asynccontextmanager
async def listening(db: Database) -> AsyncIterator[Wakeups]:
    """Wake-ups for the change log of `db`, set up before the caller reads where the log ends,
    so that no commit after that read goes unnoticed."""
    if db.backend == "postgresql":
        from statusboard.storage.change_notifications import Notifications  # psycopg: only PostgreSQL needs it

        notified = Notifications(db)
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


def settled_seq(db: Database) -> int:
    """The seq up to which every entry has committed (see `changes_repo.settled_seq`)."""
    with db.reading() as conn:
        return changes_repo.settled_seq(conn)

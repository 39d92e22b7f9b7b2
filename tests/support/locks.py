"""Waiting, bounded, for PostgreSQL sessions to block on a lock."""

from __future__ import annotations

import time
from concurrent.futures import Future
from typing import Any

from sqlalchemy import Connection, text

WAIT_S = 10.0


def wait_until_locks_are_awaited(conn: Connection, pending: list[Future[Any]], count: int = 1) -> None:
    """Until `count` sessions wait for a lock, or one of `pending` is done (then it did not wait).
    pg_locks shows the lock table as it is now, whatever transaction `conn` is in."""
    deadline = time.monotonic() + WAIT_S
    waiting = text("SELECT count(*) FROM pg_locks WHERE NOT granted")
    while not any(future.done() for future in pending):
        if conn.execute(waiting).scalar_one() >= count:
            return
        assert time.monotonic() < deadline, f"fewer than {count} sessions waited for a lock within {WAIT_S:g} s"
        time.sleep(0.01)  # the wait happens inside PostgreSQL: nothing to block on but polling it

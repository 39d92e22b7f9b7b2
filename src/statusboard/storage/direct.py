"""Writes on the driver's own connection, for the hottest write path (claims).

A statement through SQLAlchemy costs its execution path on top of the driver's own call, and
a checkout from its pool (events, the reset on checkin, on PostgreSQL autocommit switched on
and off) as much again; for a write whose floor is one durable commit, that is most of its
cost (docs/decisions/0004-ways-to-run-sql.md has the figures). Direct writes therefore keep
their own driver connections (as many as the engine's pool would): each is made by the
engine's pool (so it gets the engine's connect-time setup, SQLite's pragmas), then detached
from it and reused, LIFO, until `dispose`. Driver errors come out wrapped as SQLAlchemy's
own, so `Database`'s retries and its translation at the storage edge (storage/errors.py)
apply.

- SQLite: the work runs between BEGIN IMMEDIATE and COMMIT, as every write does.
- PostgreSQL: the connections stay in autocommit; the work writes in one statement, which
  is its own transaction: one round trip, with no BEGIN and COMMIT of its own. While in use,
  a connection is tracked as in flight, so the monitor can cut a write stuck on a paused
  server (see storage/in_flight.py).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from statusboard.storage.engine import MAX_OVERFLOW, POOL_SIZE, POOL_TIMEOUT_S
from statusboard.storage.writer_turns import WriterTurns

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Direct:
    """A driver connection and a cursor kept with it (a new cursor per statement is measurable
    on psycopg's hot path): `execute(sql, params)` takes the driver's own named placeholders (`:name`
    for sqlite3, `%(name)s` for psycopg) and returns the cursor."""

    driver: Any
    cursor: Any
    dialect: Dialect
    turn_fd: int | None = None  # SQLite: this connection's descriptor for writer turns
    backend: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "backend", "sqlite" if self.dialect.name == "sqlite" else "postgresql")

    def execute(self, sql: str, params: Any = ()) -> Any:
        self.cursor.execute(sql, params)
        return self.cursor


# As many as the engine's pool allows, and as long a wait for one.
MAX_KEPT = POOL_SIZE
MAX_OPEN = POOL_SIZE + MAX_OVERFLOW
WAIT_S = POOL_TIMEOUT_S


class DirectConnections:
    def __init__(
        self,
        engine: Engine,
        turns: WriterTurns | None = None,
        track: Callable[[Any], None] | None = None,
        untrack: Callable[[Any], None] | None = None,
    ) -> None:
        self._engine = engine
        self._dialect = engine.dialect
        self._turns = turns
        self._track = track or _nothing
        self._untrack = untrack or _nothing
        self._idle: list[tuple[int, Direct]] = []  # (generation, connection)
        self._generation = 0
        self._open = threading.BoundedSemaphore(MAX_OPEN)

    def run(self, work: Callable[[Direct], T], *, write: bool = True) -> T:
        """Runs `work` on a kept connection: a write as one transaction, in a writer turn if
        writers take turns; a read (one statement) as it is, in autocommit (TimeoutError if no
        connection or no turn comes in time)."""
        if not self._open.acquire(timeout=WAIT_S):
            raise TimeoutError(f"no connection free for a direct statement within {WAIT_S:g}s")
        try:
            return self._run(work, write)
        finally:
            self._open.release()

    def _run(self, work: Callable[[Direct], T], write: bool) -> T:
        driver_error = self._dialect.loaded_dbapi.Error
        generation, direct = self._take()
        self._track(direct.driver)
        try:
            if not write:
                result = work(direct)
            elif self._turns is None:
                result = in_transaction(direct, work)
            else:
                with self._turns.turn(direct.turn_fd):
                    result = in_transaction(direct, work)
        except driver_error as exc:
            self._untrack(direct.driver)
            if self._dialect.is_disconnect(exc, direct.driver, direct.cursor):
                self._close(direct)
                self.dispose()  # the others are most likely dead too
            else:  # the statement failed, the connection is fine (if it is idle)
                self._give_back(generation, direct)
            raise wrapped(self._dialect, exc) from exc
        except BaseException:
            self._untrack(direct.driver)
            self._close(direct)  # its state is unknown: never reuse it
            raise
        self._untrack(direct.driver)
        self._give_back(generation, direct)
        return result

    def dispose(self) -> None:
        """Closes every idle connection; those in use are closed when given back."""
        self._generation += 1
        while self._idle:
            try:
                _, direct = self._idle.pop()
            except IndexError:  # another thread took the last one
                break
            self._close(direct)

    def _take(self) -> tuple[int, Direct]:
        try:
            return self._idle.pop()  # atomic: no lock needed
        except IndexError:
            pass
        generation = self._generation
        try:
            pooled = self._engine.raw_connection()
        except self._dialect.loaded_dbapi.Error as exc:
            raise wrapped(self._dialect, exc) from exc
        driver: Any = pooled.driver_connection
        pooled.detach()  # ours from now on: the pool forgets it
        self._untrack(driver)  # its checkout was tracked; it is tracked again while in use
        if self._dialect.name == "postgresql":
            driver.autocommit = True
        turn_fd = None if self._turns is None else self._turns.open()
        return generation, Direct(driver, driver.cursor(), self._dialect, turn_fd)

    def _give_back(self, generation: int, direct: Direct) -> None:
        if generation == self._generation and len(self._idle) < MAX_KEPT and _idle(direct):
            self._idle.append((generation, direct))
        else:  # made before a dispose (it may be dead), left in a transaction, or one too many
            self._close(direct)

    def _close(self, direct: Direct) -> None:
        if direct.turn_fd is not None:
            os.close(direct.turn_fd)
        try:
            direct.driver.close()
        except Exception:  # already broken: nothing left to release
            log.debug("closing a direct connection failed", exc_info=True)


def _nothing(_connection: Any) -> None:
    pass


def _idle(direct: Direct) -> bool:
    """Open and outside any transaction: fit for the next write."""
    driver = direct.driver
    if direct.backend == "sqlite":
        return not driver.in_transaction
    return not driver.closed and driver.info.transaction_status.name == "IDLE"


def in_transaction(direct: Direct, work: Callable[[Direct], T]) -> T:
    """Runs `work` as one transaction (see the module's docstring for the two backends)."""
    if direct.backend == "postgresql":
        return work(direct)  # autocommit: the one statement is the transaction
    direct.execute("BEGIN IMMEDIATE")
    try:
        result = work(direct)
        direct.execute("COMMIT")
    except BaseException:
        direct.driver.rollback()  # sqlite3 rolls back only if a transaction is still open
        raise
    return result


def wrapped(dialect: Dialect, exc: Exception) -> DBAPIError:
    """The driver's error as SQLAlchemy raises it (OperationalError, IntegrityError ...)."""
    error = DBAPIError.instance(None, None, exc, dialect.loaded_dbapi.Error, dialect=dialect)
    assert isinstance(error, DBAPIError)
    return error

"""Transactions: short, explicit, and retried only where a retry is safe.

A write is a function run inside one transaction. On SQLite it starts with BEGIN
IMMEDIATE, so it holds the single write lock from its first statement and cannot
fail half-way with "database is locked". On PostgreSQL, serialization failures and
deadlocks abort the whole transaction, which is then run again from the start, a
bounded number of times. Reads never hold a transaction open between requests.

Two ways to run SQL, both Core (docs/decisions/0004-ways-to-run-sql.md): through
SQLAlchemy on a pooled connection (`reading`, `snapshot`, `write`), and, for the hot
paths only, compiled once and run by the driver on a kept connection (`read_direct`,
`write_direct`; storage/direct.py, storage/driver_sql.py). This is the storage edge:
whatever a driver or SQLAlchemy raises leaves it as one of ours (storage/errors.py).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, OperationalError

from statusboard.domain.errors import DatabaseUnavailableError
from statusboard.storage.direct import Direct, DirectConnections, wrapped
from statusboard.storage.engine import BEGIN_MODE_OPTION, SQLITE_BUSY_TIMEOUT_MS
from statusboard.storage.errors import at_the_edge
from statusboard.storage.in_flight import InFlight
from statusboard.storage.writer_turns import WriterTurns

T = TypeVar("T")
log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRYABLE_PG_STATES = {"40001", "40P01", "55P03"}

# Keys of PostgreSQL transaction-level advisory locks.
UPGRADE_LOCK = 0x5B_0000
CHANGE_LOG_LOCK = 0x5B_0001
HIERARCHY_LOCK = 0x5B_0002
DEPENDENCY_LOCK = 0x5B_0003
ENHANCEMENT_LOCK = 0x5B_0004

Backend = Literal["sqlite", "postgresql"]


class Database:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect: Dialect = engine.dialect
        self.backend: Backend = "sqlite" if engine.dialect.name == "sqlite" else "postgresql"
        path = engine.url.database if self.backend == "sqlite" else None
        on_disk = path not in (None, "", ":memory:")
        self._turns = WriterTurns(Path(path), SQLITE_BUSY_TIMEOUT_MS / 1000) if on_disk and path else None
        self._unreachable: str | None = None
        self.in_flight = InFlight(engine)
        # SQLite in memory is one connection, the pool's: direct writes borrow it instead.
        keeps = self.backend == "postgresql" or on_disk
        tracked = (self.in_flight.track, self.in_flight.untrack) if self.backend == "postgresql" else (None, None)
        self._direct = DirectConnections(engine, self._turns, *tracked) if keeps else None

    def dispose(self) -> None:
        """Closes every idle connection (the engine's and the direct writes'): after an outage
        they may be dead, and at the end they must go."""
        if self._direct is not None:
            self._direct.dispose()
        self.engine.dispose()

    def mark_unreachable(self, reason: str | None) -> None:
        """Set by the health monitor: while set, requests fail at once instead of waiting on a
        connect deadline; None when the primary answers again."""
        self._unreachable = reason

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for the reads of one request, released before the reply.

        SQLite: one deferred transaction, so every statement inside sees one snapshot.
        PostgreSQL: autocommit, each statement seeing the latest commits (as READ COMMITTED
        would inside a transaction) without the BEGIN and COMMIT round trips.
        """
        with at_the_edge(), self._connect() as conn:
            if self.backend == "postgresql":
                yield conn.execution_options(isolation_level="AUTOCOMMIT")
                return
            with conn.begin():
                yield conn

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """Several reads that must agree with one another: one read-only transaction, one snapshot."""
        with at_the_edge(), self._connect() as conn:
            if self.backend == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin():
                yield conn

    def write(self, work: Callable[[Connection], T]) -> T:
        """Runs `work` in one write transaction and commits; retries whole transient failures."""

        def attempt() -> T:
            with self._turn(), self._connect() as conn:
                if self.backend == "sqlite":
                    conn = conn.execution_options(**{BEGIN_MODE_OPTION: "IMMEDIATE"})
                with conn.begin():
                    return work(conn)

        with at_the_edge():
            return self._retried(attempt)

    def write_direct(self, work: Callable[[Direct], T]) -> T:
        """Like `write`, for a hot path that talks to the driver itself (see storage/direct.py):
        on SQLite `work` runs inside BEGIN IMMEDIATE ... COMMIT; on PostgreSQL in autocommit,
        so there it must do its writing in one statement."""
        direct = self._direct
        if direct is None:
            return self.write(lambda conn: self._on_pooled(conn, work))
        with at_the_edge():
            return self._retried(lambda: self._on_direct(direct, work))

    @property
    def reads_direct(self) -> bool:
        """Whether `read_direct` applies (not to SQLite in memory: its one connection is the pool's)."""
        return self._direct is not None

    def read_direct(self, work: Callable[[Direct], T]) -> T:
        """A hot read of one statement on a kept driver connection in autocommit (see
        storage/direct.py), past the pool's checkout and return, which cost more than the
        statement itself: on PostgreSQL autocommit switched on and back off and the reset on
        return, on SQLite a BEGIN and a ROLLBACK. One statement reads one
        snapshot on both backends."""
        direct = self._direct
        if direct is None:
            raise AssertionError("read_direct needs kept driver connections (see reads_direct)")
        with at_the_edge():
            return self._on_direct(direct, work, write=False)

    def _on_direct(self, direct: DirectConnections, work: Callable[[Direct], T], *, write: bool = True) -> T:
        self._check_reachable()
        try:
            return direct.run(work, write=write)
        except TimeoutError as exc:  # no connection or writer turn came
            raise DatabaseUnavailableError(str(exc), ["primary"]) from exc

    @staticmethod
    def _on_pooled(conn: Connection, work: Callable[[Direct], T]) -> T:
        """`work` on the driver connection under `conn`, inside the transaction `conn` began;
        the driver's errors come out as SQLAlchemy's, as they would on a kept connection."""
        driver: Any = conn.connection.driver_connection
        cursor = driver.cursor()
        try:
            return work(Direct(driver, cursor, conn.dialect))
        except conn.dialect.loaded_dbapi.Error as exc:
            raise wrapped(conn.dialect, exc) from exc
        finally:
            cursor.close()

    def _retried(self, attempt_once: Callable[[], T]) -> T:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return attempt_once()
            except DBAPIError as exc:
                if not self._is_transient(exc):
                    raise
                if attempt == MAX_ATTEMPTS:
                    raise DatabaseUnavailableError(
                        f"database stayed busy after {attempt} attempts", ["primary"]
                    ) from exc
                log.info("retrying a write after a transient failure (attempt %d): %s", attempt, exc.orig)
                time.sleep(random.uniform(0, 0.005 * 2**attempt))
        raise AssertionError("unreachable")

    def lock(self, conn: Connection, key: int, *, shared: bool = False) -> None:
        """A PostgreSQL advisory lock held to the end of the transaction.

        SQLite needs none: BEGIN IMMEDIATE already makes writers take turns.
        """
        if self.backend == "postgresql":
            fn = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
            conn.execute(text(f"SELECT {fn}(:key)"), {"key": key})

    @contextmanager
    def _turn(self) -> Iterator[None]:
        if self._turns is None:
            yield
            return
        try:
            with self._turns.turn():
                yield
        except TimeoutError as exc:
            raise DatabaseUnavailableError(str(exc), ["primary"]) from exc

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        """A pooled connection. Its errors stay SQLAlchemy's here, for `_retried` to tell a
        transient one; the public methods translate them at the edge (storage/errors.py): a
        lost connection mid-request (the server went away, or the monitor cut a request stuck
        on a paused one) becomes DatabaseUnavailableError. A write's outcome is then unknown;
        its idempotency key tells."""
        self._check_reachable()
        with self.engine.connect() as conn:
            yield conn

    def _check_reachable(self) -> None:
        """While the monitor knows the primary is unreachable, requests fail at once."""
        reason = self._unreachable
        if reason is not None:
            raise DatabaseUnavailableError(reason, ["primary"])

    def _is_transient(self, exc: DBAPIError) -> bool:
        if self.backend == "sqlite":
            return isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower()
        return getattr(exc.orig, "sqlstate", None) in RETRYABLE_PG_STATES

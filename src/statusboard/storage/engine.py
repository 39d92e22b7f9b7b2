"""Engines for the two backends, configured for many writers in many processes.

SQLite: WAL (readers never wait for the writer), foreign keys on, a busy timeout,
and the driver's own transaction handling switched off so that every transaction
starts with an explicit BEGIN that we choose: BEGIN IMMEDIATE for writes. A
deferred transaction that later upgrades to a write can fail at once with
"database is locked" whatever the busy timeout; an immediate one waits its turn at
BEGIN, before it has done anything, so it never fails half-way.

PostgreSQL: psycopg 3, READ COMMITTED, a connect deadline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

SQLITE_BUSY_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_S = 2
# The pool's size: connections kept, more opened while busy, and how long a request waits for
# one. The kept driver connections of the hot paths (storage/direct.py) keep to the same.
POOL_SIZE = 5
MAX_OVERFLOW = 10
POOL_TIMEOUT_S = 30.0
BEGIN_MODE_OPTION = "statusboard_sqlite_begin"


def normalize_url(raw: str) -> URL:
    """The URL SQLAlchemy is given; ValueError (with SQLAlchemy's reason) for one it cannot parse."""
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise ValueError(str(exc)) from exc
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername == "sqlite+pysqlite":
        url = url.set(drivername="sqlite")
    return url


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def build_engine(raw_url: str, *, pool_size: int = POOL_SIZE) -> Engine:
    url = normalize_url(raw_url)
    if is_sqlite(url):
        return _sqlite_engine(url, pool_size)
    if url.get_backend_name() == "postgresql":
        return _postgres_engine(url, pool_size)
    raise ValueError(f"unsupported database URL scheme: {url.drivername}")


def _sqlite_engine(url: URL, pool_size: int) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=MAX_OVERFLOW,
        pool_timeout=POOL_TIMEOUT_S,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(BEGIN_MODE_OPTION, "DEFERRED")
        if mode == "DEFERRED":
            # Every read starts here. A deferred BEGIN takes no lock, so it cannot fail busy and
            # needs neither SQLAlchemy's statement machinery nor its error wrapping (which the
            # write retries rely on): the driver runs it directly.
            connection.connection.driver_connection.execute("BEGIN DEFERRED")
        else:
            connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _postgres_engine(url: URL, pool_size: int) -> Engine:
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=MAX_OVERFLOW,
        pool_timeout=POOL_TIMEOUT_S,
        pool_pre_ping=False,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "statusboard"},
    )
